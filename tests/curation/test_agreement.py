"""Detection F1, frame-label alpha from runs, cluster alphas and per-annotator agreement."""

from __future__ import annotations

import krippendorff
import numpy as np
import pytest

from curation.agreement import (
    DetectionCounts,
    annotator_agreement,
    au_presence_alpha,
    cluster_label_alpha,
    cluster_values,
    detection_counts,
    duration_alpha,
    frame_label_alpha,
    frame_label_coincidences,
    frame_runs,
    leave_one_out_detection,
    pairwise_detection,
    video_agreement,
)
from curation.alpha import UNDEFINED_NO_VARIATION, alpha
from curation.matching import cluster_passes
from curation.types import Pass, Segment
from curation.unitizing import single_category
from tests.curation.factories import jittered_passes


def test_detection_counts_megc_rule() -> None:
    reference = [Segment(0, 9), Segment(20, 29), Segment(50, 59)]
    predicted = [
        Segment(1, 10),  # IoU 9/11 with [0, 9]: hit
        Segment(21, 40),  # IoU 9/21 < 0.5 with [20, 29]: false positive
        Segment(100, 110),  # no overlap: false positive
    ]
    counts = detection_counts(reference, predicted)
    assert counts == DetectionCounts(tp=1, fp=2, fn=2)
    assert counts.precision == 1 / 3
    assert counts.recall == 1 / 3
    assert counts.f1 == 1 / 3


def test_detection_is_one_to_one() -> None:
    counts = detection_counts([Segment(0, 9)], [Segment(0, 9), Segment(0, 9)])
    assert counts == DetectionCounts(tp=1, fp=1, fn=0)
    assert counts.f1 == 2 / 3


def test_undefined_ratios_and_pooling() -> None:
    empty = detection_counts([], [])
    assert empty == DetectionCounts(0, 0, 0)
    assert (empty.precision, empty.recall, empty.f1) == (None, None, None)
    only_reference = detection_counts([Segment(0, 3)], [])
    assert (only_reference.precision, only_reference.recall, only_reference.f1) == (None, 0.0, 0.0)
    pooled = DetectionCounts(3, 1, 0) + DetectionCounts(1, 0, 4)
    assert pooled == DetectionCounts(4, 1, 4)
    assert pooled.f1 == 8 / 13  # pooled counts, not the mean of per-video F1


def test_pairwise_f1_is_symmetric() -> None:
    passes = jittered_passes(seed=8, n_frames=20_000, n_events=60, n_passes=3, miss_rate=0.2)
    for pair in pairwise_detection(passes):
        a = next(p for p in passes if p.pass_id == pair.reference)
        b = next(p for p in passes if p.pass_id == pair.predicted)
        swapped = detection_counts(b.segments, a.segments)
        assert swapped.tp == pair.counts.tp
        assert swapped.f1 == pair.counts.f1
        assert (swapped.fp, swapped.fn) == (pair.counts.fn, pair.counts.fp)


def three_passes() -> list[Pass]:
    events = (Segment(10, 29, type="macro"), Segment(100, 109, type="micro"))
    return [
        Pass("p0", "ann0", events),
        Pass("p1", "ann1", events),
        Pass("p2", "ann2", events[:1]),  # misses the micro-expression
    ]


def test_leave_one_out_consensus_detection() -> None:
    results = {r.pass_id: r for r in leave_one_out_detection(three_passes())}
    # p2 against consensus(p0, p1) (2 of 2 needed): both events; p2 finds one.
    assert results["p2"].counts == DetectionCounts(tp=1, fp=0, fn=1)
    assert results["p2"].consensus_size == 2
    # p0 against consensus(p1, p2): the micro-expression has support 1 of 2, not a majority.
    assert results["p0"].counts == DetectionCounts(tp=1, fp=1, fn=0)
    assert results["p0"].consensus_size == 1


def naive_frame_labels(passes: list[Pass], n_frames: int) -> np.ndarray:
    """Frame by frame, for checking only: 0 = none, then labels in order of first appearance."""
    labels: list[object] = [None]
    table = np.zeros((len(passes), n_frames), dtype=np.int64)
    for row, pass_ in enumerate(passes):
        for segment in sorted(pass_.segments, key=lambda s: (s.onset, s.offset)):
            label = segment.type if segment.type is not None else "expression"
            if label not in labels:
                labels.append(label)
            table[row, segment.onset : segment.offset + 1] = labels.index(label)
    return table


def test_frame_runs_reproduce_every_frame() -> None:
    rng = np.random.default_rng(4)
    for _ in range(30):
        n_frames = int(rng.integers(12, 400))
        passes = []
        for index in range(int(rng.integers(1, 6))):
            cuts = np.sort(rng.choice(n_frames + 1, 2 * int(rng.integers(0, 6)), replace=False))
            segments = tuple(
                Segment(int(a), int(b) - 1, type=str(rng.choice(["macro", "micro", ""])) or None)
                for a, b in cuts.reshape(-1, 2)
                if b > a
            )
            passes.append(Pass(index, index, segments))
        runs = frame_runs(passes, n_frames)
        assert int(runs.lengths.sum()) == n_frames
        assert np.array_equal(runs.dense(), naive_frame_labels(passes, n_frames))


def test_frame_label_alpha_hand_computed() -> None:
    # 10 frames. A: [2, 5], B: [3, 6]; frames 2 and 6 disagree. Coincidences (m = 2):
    # o(none, none) = 2 * 5 frames = 10, o(expr, expr) = 2 * 3 = 6,
    # o(none, expr) = o(expr, none) = 2.
    # n = 20, n_none = 12, n_expr = 8: alpha = 1 - 19 * 4 / (400 - 144 - 64) = 29/48.
    passes = [Pass("A", "a", (Segment(2, 5),)), Pass("B", "b", (Segment(3, 6),))]
    result = frame_label_alpha(passes, 10)
    assert result.value == pytest.approx(29 / 48, abs=1e-15)
    assert result.pairable_values == 20
    assert result.pairable_units == 10
    matrix = frame_label_coincidences(passes, 10).as_array()
    assert matrix.tolist() == [[10.0, 2.0], [2.0, 6.0]]


def test_frame_label_alpha_matches_package_on_dense_frames() -> None:
    passes = jittered_passes(seed=21, miss_rate=0.1)  # 108,000 frames, 5 passes, 2 types
    for label_of in (None, single_category):
        ours = (
            frame_label_alpha(passes, 108_000)
            if label_of is None
            else frame_label_alpha(passes, 108_000, label_of)
        )
        dense = frame_runs(passes, 108_000).dense()
        if label_of is single_category:
            dense = (dense > 0).astype(np.int64)
        package = krippendorff.alpha(dense, level_of_measurement="nominal")
        assert ours.value is not None
        assert abs(ours.value - package) < 1e-9
        assert ours.pairable_values == 5 * 108_000


def test_frame_label_alpha_undefined_when_no_variation() -> None:
    nothing = [Pass(i, i, ()) for i in range(5)]
    result = frame_label_alpha(nothing, 500)
    assert result.value is None
    assert result.reason == UNDEFINED_NO_VARIATION
    whole = [Pass(i, i, (Segment(0, 499, type="macro"),)) for i in range(5)]
    assert frame_label_alpha(whole, 500).reason == UNDEFINED_NO_VARIATION
    same = [Pass(i, i, (Segment(5, 9, type="macro"),)) for i in range(5)]
    assert frame_label_alpha(same, 500).value == 1.0


def test_frame_labels_reject_overlaps_and_out_of_video() -> None:
    overlapping = [Pass("A", "a", (Segment(0, 10), Segment(8, 12))), Pass("B", "b", ())]
    with pytest.raises(ValueError, match=r"pass 'A' has overlapping segments \[0, 10\]"):
        frame_label_alpha(overlapping, 100)
    with pytest.raises(ValueError, match="ends outside the video"):
        frame_label_alpha([Pass("A", "a", (Segment(0, 100),))], 100)
    with pytest.raises(ValueError, match="reserved for 'no expression'"):
        frame_label_alpha([Pass("A", "a", (Segment(0, 9),))], 100, lambda segment: None)


def test_alpha_on_raw_onset_frames_is_a_pitfall() -> None:
    # 200 short expressions (8..24 frames) over an hour at 30 fps, 5 passes each moving every
    # onset and offset by up to 3 frames. Interval alpha on the raw onset frame numbers is
    # ~1 because the spread of onsets over the hour dwarfs the jitter; frame-label alpha sees
    # boundary disagreement in proportion to the expressions' length.
    passes = jittered_passes(seed=3, n_events=200, length_range=(8, 24), jitter=3)
    clusters = cluster_passes(passes)
    onsets = cluster_values(clusters, 5, lambda s: float(s.onset))
    onset_alpha = alpha(onsets, "interval").value
    frame_alpha = frame_label_alpha(passes, 108_000, single_category).value
    assert onset_alpha is not None
    assert frame_alpha is not None
    assert onset_alpha > 0.9999
    assert frame_alpha < 0.9
    assert onset_alpha - frame_alpha > 0.1


def cluster_fixture() -> tuple[list[Pass], int]:
    passes = [
        Pass(0, "a", (Segment(0, 9, type="macro", emotion="happy", aus=frozenset({"AU12"})),)),
        Pass(1, "b", (Segment(0, 11, type="macro", emotion="happy", aus=frozenset({"AU12"})),)),
        Pass(2, "c", (Segment(1, 11, type="micro", emotion="sad", aus=frozenset({"AU4"})),)),
    ]
    passes[0] = Pass(0, "a", (*passes[0].segments, Segment(50, 69, type="macro")))
    passes[1] = Pass(1, "b", (*passes[1].segments, Segment(50, 69, type="macro")))
    return passes, 3


def test_cluster_alphas_match_package() -> None:
    passes, n_passes = cluster_fixture()
    clusters = cluster_passes(passes)
    assert [c.support for c in clusters] == [3, 2]
    durations = np.array([[10, 20], [12, 20], [11, np.nan]])
    table = cluster_values(clusters, 3, lambda s: float(s.length))
    assert np.array_equal(table, durations, equal_nan=True)
    duration = duration_alpha(clusters, n_passes).value
    assert duration == pytest.approx(krippendorff.alpha(durations), abs=1e-12)
    # types: cluster 1 (macro, macro, micro), cluster 2 (macro, macro): n = 5, n_macro = 4,
    # off-diagonal coincidences 2 * 2 / 2 = 2: alpha = 1 - 4 * 2 / (25 - 16 - 1) = 0.
    assert cluster_label_alpha(clusters, n_passes, "type").value == pytest.approx(0.0, abs=1e-15)
    # emotion: the second cluster has none; cluster 1 alone (happy, happy, sad) has
    # D_o = (2 * 2 / 2) / 3, D_e = (9 - 4 - 1) / 6: alpha = 1 - (2/3) / (2/3) = 0.
    assert cluster_label_alpha(clusters, n_passes, "emotion").value == pytest.approx(0, abs=1e-15)
    aus = au_presence_alpha(clusters, n_passes)
    assert sorted(aus) == ["AU12", "AU4"]
    au12 = np.array([[1, 0], [1, 0], [0, np.nan]])
    assert aus["AU12"].value == pytest.approx(
        krippendorff.alpha(au12, level_of_measurement="nominal"), abs=1e-12
    )


def test_annotator_agreement() -> None:
    passes = three_passes()
    results = {r.pass_id: r for r in annotator_agreement(passes, 200)}
    p2 = results["p2"]
    # against p0 and p1 (each as reference): TP 1, FP 0, FN 1, F1 = 2/3
    assert p2.pooled_pairwise == DetectionCounts(2, 0, 2)
    assert p2.mean_pairwise_f1 == pytest.approx(2 / 3, abs=1e-15)
    assert p2.against_leave_one_out == DetectionCounts(1, 0, 1)
    # without p2, the other two passes are identical: alpha 1
    assert p2.frame_alpha_without.value == 1.0
    assert results["p0"].frame_alpha_without.value == frame_label_alpha(passes[1:], 200).value
    # p2 and p0 disagree on frames 100..109 only
    assert p2.pairwise_frame_alpha[0].value == frame_label_alpha([passes[2], passes[0]], 200).value
    assert p2.mean_pairwise_frame_alpha == pytest.approx(p2.pairwise_frame_alpha[0].value)


def test_video_agreement_bundles_the_parts() -> None:
    passes = jittered_passes(seed=2, n_frames=30_000, n_events=60, miss_rate=0.1)
    report = video_agreement(passes, 30_000, 30_000, 1001)
    assert report.n_passes == 5
    assert report.frame_label_alpha == frame_label_alpha(passes, 30_000)
    assert report.duration_alpha == duration_alpha(report.clusters, 5)
    assert all(segment.support >= 3 for segment in report.consensus)
    assert len(report.annotators) == 5
    assert report.unitizing_segmentation.overall.value is not None
    assert report.boundaries.onset.signed_frames.n == sum(s.support for s in report.consensus)


@pytest.mark.parametrize("seed", range(5))
def test_leave_one_out_reuses_one_matching_with_the_same_result(seed: int) -> None:
    """The fast path (every pair matched once) equals fusing the other passes from scratch."""
    from curation.agreement import (
        detection_counts,
        leave_one_out_consensus,
        leave_one_out_detection,
    )

    passes = jittered_passes(seed=seed, n_events=60, n_passes=5, jitter=12, miss_rate=0.25)
    fast = leave_one_out_detection(passes)
    for index, result in enumerate(fast):
        consensus = leave_one_out_consensus(passes, index)
        reference = [segment.as_segment() for segment in consensus]
        assert result.counts == detection_counts(reference, passes[index].segments)
        assert result.consensus_size == len(consensus)


@pytest.mark.parametrize("seed", range(3))
def test_frame_agreement_gives_the_alpha_of_every_subset(seed: int) -> None:
    """One pass over the runs gives every pair's and every leave-one-out subset's alpha."""
    from itertools import combinations

    from curation.agreement import FrameAgreement

    passes = jittered_passes(seed=seed, n_frames=20_000, n_events=40, n_passes=5, miss_rate=0.2)
    frames = FrameAgreement.from_runs(frame_runs(passes, 20_000))
    for size in range(2, 6):
        for rows in combinations(range(5), size):
            expected = frame_label_alpha([passes[row] for row in rows], 20_000)
            result = frames.alpha(rows)
            assert result.value == pytest.approx(expected.value, abs=1e-12)
            assert result.pairable_values == expected.pairable_values
            assert result.pairable_units == expected.pairable_units
    assert frames.alpha((3,)).value is None
