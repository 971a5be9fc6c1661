"""Agreement recomputed by the real worker when passes are submitted, read through the API."""

from __future__ import annotations

import time

import pytest

from annotation.models import Assignment
from core.models import Membership, Role
from curation.models import VideoAgreement
from curation.services import video_agreement_refresh
from tests.conftest import api_client, make_user
from videos.models import Video, VideoStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def wait_for_passes(video: Video, n_passes: int, timeout: float = 30.0) -> VideoAgreement:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = VideoAgreement.objects.filter(video=video, n_passes=n_passes).first()
        if row is not None:
            return row
        time.sleep(0.1)
    raise AssertionError(f"no agreement over {n_passes} passes after {timeout} s")


def test_agreement_follows_submissions(celery_worker, people, project) -> None:
    video = Video.objects.create(
        project=project, sha256="a" * 64, status=VideoStatus.READY,
        n_frames=100, fps_num=30, fps_den=1, original_name="v.mp4",
    )  # fmt: skip
    annotators = [people["annotator"], make_user("second"), make_user("third")]
    for user in annotators[1:]:
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
    passes = [
        Assignment.objects.create(video=video, annotator=user, pass_index=index + 1)
        for index, user in enumerate(annotators)
    ]
    both = [
        {"client_id": "x", "onset": 10, "offset": 20, "type": "macro"},
        {"client_id": "y", "onset": 50, "offset": 60, "type": "macro"},
    ]
    for user, assignment, segments in zip(annotators, passes, [both, both, both[:1]], strict=True):
        client = api_client(user)
        saved = client.put(
            f"/api/v1/assignments/{assignment.pk}/segments/", {"revision": 0, "segments": segments}
        )
        assert saved.status_code == 200
    curator = api_client(people["curator"])
    url = f"/api/v1/videos/{video.pk}/agreement/"
    assert curator.get(url).json()["status"] == "waiting"

    for user, assignment in zip(annotators[:2], passes[:2], strict=True):
        api_client(user).post(f"/api/v1/assignments/{assignment.pk}/submit/")
    two = wait_for_passes(video, 2)
    assert two.frame_alpha == pytest.approx(1.0)
    assert two.mean_pairwise_f1 == pytest.approx(1.0)

    api_client(annotators[2]).post(f"/api/v1/assignments/{passes[2].pk}/submit/")
    wait_for_passes(video, 3)
    body = curator.get(url).json()
    assert body["status"] == "computed"
    assert body["n_passes"] == 3
    # 100 frames, 3 coders: 11 frames all "macro", 11 frames macro/macro/none, 78 all none.
    # Coincidences: o(M,N) = o(N,M) = 11, n_M = 55, n_N = 245, n = 300, so
    # alpha = 1 - (n - 1) * 22 / (2 * 55 * 245) = 1 - 299 * 22 / 26950.
    assert body["frame_label_alpha"]["value"] == pytest.approx(1 - 299 * 22 / 26950, abs=1e-12)
    f1 = {
        (pair["reference"], pair["predicted"]): pair["counts"]["f1"]
        for pair in body["pairwise_detection"]
    }
    first, second, third = (p.pk for p in passes)
    assert f1[(first, second)] == pytest.approx(1.0)
    assert f1[(first, third)] == pytest.approx(2 / 3)
    assert f1[(second, third)] == pytest.approx(2 / 3)
    assert [c["support"] for c in body["clusters"]] == [3, 2]
    assert [(s["onset"], s["offset"]) for s in body["consensus"]] == [(10, 20), (50, 60)]

    # Blind: annotators cannot read agreement, for the video or the project.
    assert api_client(people["annotator"]).get(url).status_code == 404
    assert (
        api_client(people["annotator"]).get("/api/v1/projects/alpha/agreement/").status_code == 404
    )
    project_view = curator.get("/api/v1/projects/alpha/agreement/").json()
    assert [v["video"] for v in project_view["videos"]] == [video.pk]
    assert project_view["mean_pairwise_f1"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)

    # Recomputing with unchanged inputs is skipped (same row, same time).
    before = VideoAgreement.objects.get(video=video)
    after = video_agreement_refresh(video_id=video.pk)
    assert after is not None
    assert after.computed_at == before.computed_at
