"""Consensus versions built from submitted passes, read by curators only."""

from __future__ import annotations

import pytest

from annotation.models import Assignment, PassStatus, Segment
from curation.models import ConsensusSegment, ConsensusVersion, VideoAgreement
from tests.conftest import api_client, make_user
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_passes(people, project) -> Video:
    video = Video.objects.create(
        project=project, sha256="c" * 64, status=VideoStatus.READY,
        n_frames=300, fps_num=30, fps_den=1,
    )  # fmt: skip
    spans = [
        [(10, 20, "macro", "happy"), (200, 210, "micro", "")],
        [(12, 22, "macro", "sad"), (100, 104, "micro", "")],
        [(11, 24, "micro", "")],
    ]
    for index, (user, segments) in enumerate(
        zip([people["annotator"], make_user("b"), make_user("c")], spans, strict=True)
    ):
        passage = Assignment.objects.create(
            video=video, annotator=user, pass_index=index + 1, status=PassStatus.SUBMITTED
        )
        for number, (onset, offset, kind, emotion) in enumerate(segments):
            Segment.objects.create(
                assignment=passage, client_id=f"s{number}", onset=onset, offset=offset,
                type=kind, emotion=emotion,
            )  # fmt: skip
    return video


def test_consensus_by_median_and_majority(people, three_passes) -> None:
    curator = api_client(people["curator"])
    built = curator.post("/api/v1/projects/alpha/consensus/", {})
    assert built.status_code == 201
    assert built.json() == {
        "version": 1, "method": "median", "segments": 1, "videos": 1, "needs_curator": 1,
    }  # fmt: skip
    body = curator.get(f"/api/v1/videos/{three_passes.pk}/consensus/").json()
    assert body["version"] == 1
    [fused] = body["segments"]
    # Onsets 10, 12, 11 -> 11; offsets 20, 22, 24 -> 22; type macro 2 of 3; emotion happy vs
    # sad 1-1 (the third pass has none): a tie for a curator.
    assert (fused["onset"], fused["offset"], fused["type"]) == (11, 22, "macro")
    assert (fused["support"], fused["n_passes"]) == (3, 3)
    assert fused["emotion"] == ""
    assert fused["needs_curator"] is True
    assert len(fused["member_segment_ids"]) == 3
    assert set(fused["member_segment_ids"]) == set(
        Segment.objects.filter(onset__lt=50).values_list("pk", flat=True)
    )
    assert fused["spread"]["onset_range"] == 2
    assert fused["spread"]["offset_range"] == 4


def test_versions_are_kept_and_params_respected(people, three_passes) -> None:
    owner = api_client(people["owner"])
    owner.post("/api/v1/projects/alpha/consensus/", {})
    again = owner.post("/api/v1/projects/alpha/consensus/", {"method": "mean", "min_support": 1})
    assert again.json()["version"] == 2
    assert again.json()["segments"] == 3
    assert ConsensusVersion.objects.count() == 2
    assert ConsensusSegment.objects.filter(version__number=1).count() == 1
    first = owner.get(f"/api/v1/videos/{three_passes.pk}/consensus/?version=1").json()
    assert len(first["segments"]) == 1
    latest = owner.get(f"/api/v1/videos/{three_passes.pk}/consensus/").json()
    assert latest["method"] == "mean"
    # Mean of 10, 12, 11 is 11; of 20, 22, 24 is 22.
    assert (latest["segments"][0]["onset"], latest["segments"][0]["offset"]) == (11, 22)


def test_consensus_is_curators_only(people, three_passes) -> None:
    annotator = api_client(people["annotator"])
    assert annotator.post("/api/v1/projects/alpha/consensus/", {}).status_code == 404
    api_client(people["curator"]).post("/api/v1/projects/alpha/consensus/", {})
    assert annotator.get(f"/api/v1/videos/{three_passes.pk}/consensus/").status_code == 404
    assert (
        api_client(people["outsider"])
        .get(f"/api/v1/videos/{three_passes.pk}/consensus/")
        .status_code
        == 404
    )


def test_agreement_and_consensus_commands(people, three_passes, capsys) -> None:
    from django.core.management import CommandError, call_command

    call_command("agreement", "--project", "alpha")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "video\tpasses\tframe alpha\tmean pairwise F1"
    video, passes, alpha, f1 = lines[1].split("\t")
    assert (int(video), int(passes)) == (three_passes.pk, 3)
    stored = VideoAgreement.objects.get(video=three_passes)
    assert stored.frame_alpha is not None
    assert stored.mean_pairwise_f1 is not None
    assert alpha == f"{stored.frame_alpha:.4f}"
    assert f1 == f"{stored.mean_pairwise_f1:.4f}"
    # Only the first expression matches across passes (IoU 9/13, 10/15, 11/14 >= 0.5):
    # passes 1 and 2 have one unmatched segment each, F1 = 2/(2+1+1) = 1/2; pass 3 has one
    # segment, F1 = 2/(2+1) = 2/3 against each of the others. The mean is 11/18.
    assert stored.mean_pairwise_f1 == pytest.approx((1 / 2 + 2 / 3 + 2 / 3) / 3)
    call_command("consensus", "--project", "alpha", "--method", "trimmed_mean")
    assert capsys.readouterr().out.strip() == (
        "consensus v1 of 'alpha': 1 segments in 1 videos, 1 flagged for a curator"
    )
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("agreement", "--project", "nope")
    with pytest.raises(CommandError, match="no ready videos"):
        call_command("agreement", "--project", "alpha", "--video", "999")
    with pytest.raises(CommandError, match="at least 1"):
        call_command("consensus", "--project", "alpha", "--min-support", "0")


def test_project_agreement_per_annotator(people, three_passes) -> None:
    from django.core.management import call_command

    call_command("agreement", "--project", "alpha")
    body = api_client(people["curator"]).get("/api/v1/projects/alpha/agreement/").json()
    rows = {row["annotator"]: row for row in body["annotators"]}
    assert sorted(rows) == ["annotator", "b", "c"]
    # Pass 1 ("annotator") against passes 2 and 3: 2 hits; its second segment is unmatched
    # twice and pass 2's second segment once: F1 = 2*2 / (2*2 + 2 + 1) = 4/7.
    assert rows["annotator"]["pairwise_f1"] == pytest.approx(4 / 7)
    # Pass 3 has one segment, matched by both others, whose second segments are unmatched.
    assert rows["c"]["pairwise_f1"] == pytest.approx(2 * 2 / (2 * 2 + 0 + 2))
    assert (rows["annotator"]["passes"], rows["annotator"]["submitted"]) == (1, 1)
    # The consensus onset is 11 and offset 22: pass 1 marks 10-20 (1 early, 2 early).
    assert rows["annotator"]["median_onset_bias_frames"] == -1
    assert rows["annotator"]["median_offset_bias_frames"] == -2
    assert rows["c"]["median_offset_bias_frames"] == 2


def test_adjudication_makes_a_new_version(people, three_passes) -> None:
    curator = api_client(people["curator"])
    curator.post("/api/v1/projects/alpha/consensus/", {})
    url = f"/api/v1/videos/{three_passes.pk}/consensus/"
    member_ids = list(Segment.objects.filter(onset__lt=50).values_list("pk", flat=True))
    decided = curator.post(
        url,
        {
            "base_version": 1,
            "segments": [
                {"onset": 11, "offset": 22, "type": "macro", "emotion": "happy",
                 "member_segment_ids": member_ids},
                {"onset": 200, "offset": 210, "type": "micro"},
            ],
        },
    )  # fmt: skip
    assert decided.status_code == 201, decided.content
    assert decided.json() == {"version": 2, "based_on": 1}
    latest = curator.get(url).json()
    assert [
        (s["onset"], s["offset"], s["type"], s["emotion"], s["needs_curator"])
        for s in latest["segments"]
    ] == [(11, 22, "macro", "happy", False), (200, 210, "micro", "", False)]
    assert latest["segments"][0]["support"] == 3
    # The first version is unchanged; a decision on a stale base is refused.
    assert len(curator.get(f"{url}?version=1").json()["segments"]) == 1
    stale = curator.post(url, {"base_version": 1, "segments": []})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_version"
    bad = curator.post(
        url, {"base_version": 2, "segments": [{"onset": 5, "offset": 400, "type": "macro"}]}
    )
    assert bad.status_code == 400
    assert "segments.0.offset" in bad.json()["fields"]
    assert ConsensusVersion.objects.count() == 2
    assert (
        api_client(people["annotator"]).post(url, {"base_version": 2, "segments": []}).status_code
        == 404
    )


def test_dashboard_progress_queue_and_histogram(people, project, three_passes) -> None:
    from django.core.management import call_command

    open_pass = Video.objects.create(
        project=project, sha256="d" * 64, status=VideoStatus.READY,
        n_frames=100, fps_num=30, fps_den=1,
    )  # fmt: skip
    Assignment.objects.create(video=open_pass, annotator=people["annotator"], pass_index=1)
    call_command("agreement", "--project", "alpha")
    curator = api_client(people["curator"])
    body = curator.get("/api/v1/projects/alpha/agreement/").json()
    assert body["progress"] == {
        "videos": 2, "total": 4, "submitted": 3,
        "by_pass": [
            {"pass_index": 1, "total": 2, "submitted": 1},
            {"pass_index": 2, "total": 1, "submitted": 1},
            {"pass_index": 3, "total": 1, "submitted": 1},
        ],
    }  # fmt: skip
    alpha = VideoAgreement.objects.get(video=three_passes).frame_alpha
    assert alpha is not None
    assert alpha < 0.667
    assert body["floor"] == 0.667
    assert body["below_floor"] == [three_passes.pk]
    assert body["videos"][0]["below_floor"] is True
    assert (
        curator.get(f"/api/v1/projects/alpha/agreement/?floor={alpha - 0.01}").json()["below_floor"]
        == []
    )
    assert curator.get("/api/v1/projects/alpha/agreement/?floor=2").status_code == 400
    # The one consensus segment (11-22) has three members: onsets 10, 12, 11 -> -1, +1, 0;
    # offsets 20, 22, 24 -> -2, 0, +2.
    histogram = body["boundary_histogram"]
    assert histogram["clip"] == 15
    assert len(histogram["bins"]) == 31
    counts = {b["deviation"]: (b["onset"], b["offset"]) for b in histogram["bins"] if any(
        (b["onset"], b["offset"])
    )}  # fmt: skip
    assert counts == {-2: (0, 1), -1: (1, 0), 0: (1, 1), 1: (1, 0), 2: (0, 1)}


def test_annotator_timeline_and_video_passes(people, three_passes) -> None:
    from django.core.management import call_command

    call_command("agreement", "--project", "alpha")
    curator = api_client(people["curator"])
    body = curator.get("/api/v1/projects/alpha/annotators/annotator/").json()
    assert body["annotator"] == "annotator"
    [row] = body["passes"]
    assert row["video"] == three_passes.pk
    assert (row["onset_bias_frames"], row["offset_bias_frames"]) == (-1, -2)
    # Against the consensus of the other two (their one matched expression, 11-23): 1 hit of 2.
    assert row["leave_one_out_f1"] == pytest.approx(2 / 3)
    assert body["drift"]["n"] == 1
    assert body["drift"]["f1_slope_per_10_passes"] is None
    assert body["summary"]["pairwise_f1"] == pytest.approx(4 / 7)
    assert curator.get("/api/v1/projects/alpha/annotators/nobody/").status_code == 404

    passes = curator.get(f"/api/v1/videos/{three_passes.pk}/passes/").json()
    assert [p["pass_index"] for p in passes] == [1, 2, 3]
    assert [(s["onset"], s["offset"]) for s in passes[0]["segments"]] == [(10, 20), (200, 210)]
    assert passes[2]["annotator"] == "c"
    # Blind: annotators get 404 on every curator read.
    annotator = api_client(people["annotator"])
    assert annotator.get(f"/api/v1/videos/{three_passes.pk}/passes/").status_code == 404
    assert annotator.get("/api/v1/projects/alpha/annotators/annotator/").status_code == 404


def test_drift_slope_over_passes() -> None:
    from curation.selectors import _halves_mean, _slope_per_10

    assert _slope_per_10([0.5, 0.6, 0.7, 0.8]) == pytest.approx(1.0)
    assert _slope_per_10([0.9, 0.9, 0.9]) is None
    assert _halves_mean([0.4, 0.6, 0.8, 1.0]) == pytest.approx((0.5, 0.9))
