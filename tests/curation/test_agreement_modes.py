"""Agreement of blind and assisted passes, reported apart."""

from __future__ import annotations

import pytest

from annotation.models import Assignment, PassMode, PassStatus, Segment
from core.models import Membership, Role
from curation.models import VideoAgreement
from curation.services import video_agreement_refresh
from tests.conftest import api_client, make_user
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db

BOTH = [(10, 20), (50, 60)]


def test_blind_and_assisted_agreement_apart(people, project) -> None:
    video = Video.objects.create(
        project=project, sha256="b" * 64, status=VideoStatus.READY,
        n_frames=100, fps_num=30, fps_den=1, original_name="v.mp4",
    )  # fmt: skip
    plan = [
        (PassMode.BLIND, BOTH),
        (PassMode.BLIND, BOTH),
        (PassMode.ASSISTED, BOTH),
        (PassMode.ASSISTED, BOTH[:1]),
    ]
    passes = []
    for index, (mode, spans) in enumerate(plan, start=1):
        user = make_user(f"coder{index}")
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        assignment = Assignment.objects.create(
            video=video, annotator=user, pass_index=index, mode=mode, status=PassStatus.SUBMITTED
        )
        for number, (onset, offset) in enumerate(spans):
            Segment.objects.create(
                assignment=assignment, client_id=f"s{number}", onset=onset, offset=offset,
                type="macro",
            )  # fmt: skip
        passes.append(assignment)
    row = video_agreement_refresh(video_id=video.pk)
    assert row is not None
    assert row.n_passes == 4
    blind, assisted = row.data["by_mode"]["blind"], row.data["by_mode"]["assisted"]
    assert blind == {"n_passes": 2, "frame_alpha": 1.0, "mean_pairwise_f1": 1.0}
    # Assisted: 100 frames, 2 coders; 11 frames macro/macro, 11 macro/none, 78 none/none.
    # o(M,N) = o(N,M) = 11, n_M = 33, n_N = 167, n = 200: alpha = 1 - 199 * 22 / (2 * 33 * 167).
    assert assisted["n_passes"] == 2
    assert assisted["frame_alpha"] == pytest.approx(1 - 199 * 22 / (2 * 33 * 167), abs=1e-12)
    # One pair: 1 match of 2 against 1 (F1 = 2 * 1 / (2 + 1)).
    assert assisted["mean_pairwise_f1"] == pytest.approx(2 / 3, abs=1e-12)

    dashboard = api_client(people["curator"]).get("/api/v1/projects/alpha/agreement/").json()
    assert dashboard["by_mode"]["blind"] == {
        "videos": 1, "videos_with_two_passes": 1, "mean_frame_alpha": 1.0, "mean_pairwise_f1": 1.0,
    }  # fmt: skip
    assert dashboard["by_mode"]["assisted"]["mean_frame_alpha"] == pytest.approx(
        assisted["frame_alpha"], abs=1e-12
    )
    # A pass's mode is part of the inputs: changing it recomputes.
    Assignment.objects.filter(pk=passes[3].pk).update(mode=PassMode.BLIND)
    again = video_agreement_refresh(video_id=video.pk)
    assert again is not None
    assert again.data["by_mode"]["assisted"] == {
        "n_passes": 1, "frame_alpha": None, "mean_pairwise_f1": None,
    }  # fmt: skip
    assert again.data["by_mode"]["blind"]["n_passes"] == 3
    assert VideoAgreement.objects.count() == 1
