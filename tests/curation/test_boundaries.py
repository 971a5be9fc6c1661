"""Boundary precision: signed deviations from consensus, milliseconds, quartiles, bias."""

from __future__ import annotations

import pytest

from curation.boundaries import (
    boundary_deviations,
    boundary_precision,
    frames_to_ms,
    summarize,
    summarize_boundaries,
)
from curation.consensus import fuse
from curation.types import Pass, Segment

NTSC = (30_000, 1001)  # 29.97 fps: one frame is 1001/30 ms


def test_frames_to_ms_is_exact_rational() -> None:
    assert frames_to_ms(3, *NTSC) == 100.1
    assert frames_to_ms(-1, 25, 1) == -40.0
    assert frames_to_ms(1, *NTSC) == 1001 / 30
    with pytest.raises(ValueError, match="fps"):
        frames_to_ms(1, 0, 1)


def test_summary_uses_type_7_quartiles() -> None:
    summary = summarize([-1, 1, 0])
    assert (summary.n, summary.mean, summary.median) == (3, 0.0, 0.0)
    assert (summary.q1, summary.q3, summary.iqr) == (-0.5, 0.5, 1.0)
    # 1..8: Q1 at position 0.25 * 7 = 1.75 -> 2.75; Q3 at 5.25 -> 6.25
    eight = summarize(range(1, 9))
    assert (eight.q1, eight.median, eight.q3, eight.iqr) == (2.75, 4.5, 6.25, 3.5)
    empty = summarize([])
    assert (empty.n, empty.median, empty.iqr) == (0, None, None)


def three_annotators() -> list[Pass]:
    return [
        Pass("p0", "early", (Segment(10, 20), Segment(100, 120))),
        Pass("p1", "late", (Segment(12, 22), Segment(103, 124))),
        Pass("p2", "mixed", (Segment(11, 24), Segment(101, 121))),
    ]


def test_deviations_from_consensus() -> None:
    consensus = fuse(three_annotators())
    # consensus [11, 22] and [101, 121]
    assert [(s.onset, s.offset) for s in consensus] == [(11, 22), (101, 121)]
    deviations = boundary_deviations(consensus, *NTSC)
    assert [(d.annotator, d.onset_frames, d.offset_frames) for d in deviations] == [
        ("early", -1, -2),
        ("late", 1, 0),
        ("mixed", 0, 2),
        ("early", -1, -1),
        ("late", 2, 3),
        ("mixed", 0, 0),
    ]
    assert deviations[0].onset_ms == -1001 / 30
    assert deviations[4].offset_ms == 100.1


def test_precision_and_bias_per_annotator() -> None:
    precision = boundary_precision(fuse(three_annotators()), *NTSC)
    onset = precision.onset
    # signed onsets -1, 1, 0, -1, 2, 0
    assert onset.signed_frames.median == 0.0
    assert (onset.signed_frames.q1, onset.signed_frames.q3) == (-0.75, 0.75)
    assert onset.absolute_frames.median == 1.0
    assert onset.signed_ms.median == 0.0
    assert onset.absolute_ms.median == pytest.approx(1001 / 30, abs=1e-12)
    bias = {b.annotator: b for b in precision.per_annotator}
    assert list(bias) == ["early", "late", "mixed"]
    assert bias["early"].onset.signed_frames.mean == -1.0  # negative: marks early
    assert bias["early"].offset.signed_frames.mean == -1.5
    assert bias["late"].onset.signed_frames.mean == 1.5
    assert bias["late"].offset.signed_ms.mean == pytest.approx(1.5 * 1001 / 30, abs=1e-12)
    assert bias["mixed"].onset.signed_frames.n == 2


def test_pooling_videos_with_different_frame_rates() -> None:
    ntsc = boundary_deviations(fuse(three_annotators()), *NTSC)
    pal = boundary_deviations(fuse(three_annotators()), 25, 1)
    pooled = summarize_boundaries([*ntsc, *pal])
    assert pooled.onset.signed_frames.n == 12
    early = pooled.per_annotator[0]
    # early's onsets: -1, -1 at 29.97 fps and -1, -1 at 25 fps
    assert early.onset.signed_ms.mean == pytest.approx(-(1001 / 30 + 40) / 2, abs=1e-12)
    assert summarize_boundaries([]).onset.signed_frames.n == 0
