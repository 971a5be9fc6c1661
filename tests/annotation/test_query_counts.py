"""The hot endpoints' database queries are pinned: an autosave, the caller's queue, a pass and
an exact frame cost a fixed number of queries, whatever the size of the pass or the queue (the
load benchmark, bench/bench_load.py, drives exactly these)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotation.models import Assignment
from tests import media_factory as factory
from tests.conftest import api_client, ingested_video
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db


def queries(call: Any) -> tuple[int, Any]:
    with CaptureQueriesContext(connection) as captured:
        response = call()
    return len(captured), response


def ready_video(project: Any, number: int) -> Video:
    return Video.objects.create(
        project=project, sha256=f"{number:064d}", status=VideoStatus.READY, n_frames=10_000,
        fps_num=30, fps_den=1, original_name=f"v{number}.mp4",
    )  # fmt: skip


def segments(n: int, shift: int = 0) -> list[dict[str, Any]]:
    return [
        {"client_id": f"s{k}", "onset": 100 * k, "offset": 100 * k + 20 + (shift if k == 0 else 0),
         "type": "macro", "emotion": "happy", "aus": ["AU12"]}
        for k in range(n)
    ]  # fmt: skip


@pytest.mark.parametrize("n_segments", [5, 50])
def test_an_autosave_costs_the_same_queries_whatever_the_pass_size(
    people, project, n_segments
) -> None:
    video = ready_video(project, 1)
    mine = Assignment.objects.create(video=video, annotator=people["annotator"], pass_index=1)
    client = api_client(people["annotator"])
    url = f"/api/v1/assignments/{mine.pk}/segments/"
    first = client.put(url, {"revision": 0, "segments": segments(n_segments)}, format="json")
    assert first.status_code == 200
    # The steady state: one segment's boundary changed, the rest as they were.
    count, response = queries(
        lambda: client.put(url, {"revision": 1, "segments": segments(n_segments, 5)}, format="json")
    )
    assert response.status_code == 200
    assert response.json() == {"revision": 2}
    assert count == AUTOSAVE_QUERIES


def test_the_queue_and_a_pass_cost_fixed_queries(people, project) -> None:
    client = api_client(people["annotator"])
    counts = []
    for number in range(14):
        Assignment.objects.create(
            video=ready_video(project, number), annotator=people["annotator"], pass_index=1
        )
        if number + 1 not in (2, 14):
            continue
        count, response = queries(lambda: client.get("/api/v1/me/assignments/"))
        assert len(response.json()) == number + 1
        counts.append(count)
    assert counts == [QUEUE_QUERIES, QUEUE_QUERIES]
    one = Assignment.objects.filter(annotator=people["annotator"]).first()
    assert one is not None
    count, response = queries(lambda: client.get(f"/api/v1/assignments/{one.pk}/"))
    assert response.status_code == 200
    assert count == PASS_QUERIES


def test_an_exact_frame_costs_fixed_queries(people, project, tmp_path: Path) -> None:
    video = ingested_video(project, factory.make_video(tmp_path, "h264_30", n_frames=30), "q")
    client = api_client(people["annotator"])
    client.get(f"/api/v1/videos/{video.pk}/frames/0/")  # open the decoder
    count, response = queries(lambda: client.get(f"/api/v1/videos/{video.pk}/frames/17/"))
    assert response.status_code == 200
    assert count == FRAME_QUERIES


#: Token, then in one transaction (a savepoint and its release in the test): the caller's own
#: pass read and locked (its row only), its segments, the changed segment, its audit row, the
#: revision.
AUTOSAVE_QUERIES = 8
#: Token, then the passes with their videos, projects, votes and segment counts in one query.
QUEUE_QUERIES = 2
#: Token, the pass, whether the caller curates it, its segments, its vote.
PASS_QUERIES = 5
#: Token, the video, the caller's membership.
FRAME_QUERIES = 3
