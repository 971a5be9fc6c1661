"""An autosave locks its own pass row and nothing else.

Every autosave of a project once waited on the project's row (``SELECT ... FOR UPDATE`` over a
join locks every joined row in PostgreSQL): 200 annotators saving at once queued behind one
another, and behind anything else holding the project (dealing does). Another connection holds
the rows here while an autosave runs with a short lock timeout: it must go through while the
project and the video are held, and wait while its own pass is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from annotation.models import Assignment, Segment
from tests.conftest import api_client
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def own_pass(people: dict[str, Any], project: Any) -> Iterator[Assignment]:
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite locks the whole database)")
    video = Video.objects.create(
        project=project, sha256="l" * 64, status=VideoStatus.READY, n_frames=1000,
        fps_num=30, fps_den=1, original_name="l.mp4",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SET lock_timeout = '1s'")
    yield Assignment.objects.create(video=video, annotator=people["annotator"], pass_index=1)
    with connection.cursor() as cursor:
        cursor.execute("RESET lock_timeout")


@contextmanager
def rows_held(table: str, pk: int) -> Iterator[None]:
    """Another session holds the row ``FOR UPDATE`` until the block ends."""
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings.get("HOST") or "127.0.0.1",
        port=int(settings.get("PORT") or 5432),
        user=settings.get("USER") or "postgres",
        password=settings.get("PASSWORD") or None,
        dbname=settings["NAME"],
    )
    try:
        other.execute(
            sql.SQL("SELECT id FROM {} WHERE id = %s FOR UPDATE").format(sql.Identifier(table)),
            [pk],
        )
        yield
    finally:
        other.rollback()
        other.close()


def save(people: dict[str, Any], passage: Assignment, revision: int, offset: int) -> Any:
    return api_client(people["annotator"]).put(
        f"/api/v1/assignments/{passage.pk}/segments/",
        {"revision": revision, "segments": [
            {"client_id": "a", "onset": 10, "offset": offset, "type": "macro"},
        ]},
        format="json",
    )  # fmt: skip


def test_an_autosave_goes_through_while_its_project_and_video_are_held(
    people: dict[str, Any], own_pass: Assignment
) -> None:
    with (
        rows_held("core_project", own_pass.video.project_id),
        rows_held("videos_video", own_pass.video_id),
    ):
        first = save(people, own_pass, 0, 20)
        second = save(people, own_pass, 1, 25)
    assert (first.status_code, first.json()) == (200, {"revision": 1})
    assert (second.status_code, second.json()) == (200, {"revision": 2})
    assert list(Segment.objects.filter(assignment=own_pass).values_list("onset", "offset")) == [
        (10, 25)
    ]


def test_an_autosave_waits_for_its_own_pass(people: dict[str, Any], own_pass: Assignment) -> None:
    """The pass row is what serialises two saves of one pass (the revision check relies on it):
    held elsewhere past the lock timeout, the save is a 503 to retry and changes nothing."""
    with rows_held("annotation_assignment", own_pass.pk):
        response = save(people, own_pass, 0, 20)
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert response["Retry-After"] == "5"
    own_pass.refresh_from_db()
    assert own_pass.revision == 0
    assert not Segment.objects.filter(assignment=own_pass).exists()
