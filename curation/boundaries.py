"""Boundary precision: how far each annotator's onsets and offsets lie from the consensus.

For every member of every consensus segment (see ``curation.consensus``), the signed deviation
``member.onset - consensus.onset`` and ``member.offset - consensus.offset`` in frames, measured
against the rounded consensus frames that are published. Negative means early (the member's
boundary is before the consensus), positive late. The consensus includes the member itself.

Milliseconds: ``ms = frames * 1000 * fps_den / fps_num`` with the video's frame rate as the
exact rational ``fps_num / fps_den`` (e.g. 30000/1001), converted to float once.

Summaries (``Summary``): count, mean, median, first and third quartiles and IQR = Q3 - Q1, with
quartiles by linear interpolation between order statistics (Hyndman and Fan 1996, type 7, the
default of ``numpy.percentile`` and R). They are given for the signed deviations (bias) and the
absolute deviations (precision). Per annotator, the signed mean and median are the annotator's
bias: who marks early, who late. Deviations from several videos can be pooled by concatenating
them before ``summarize_boundaries``; each carries its own milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from curation.consensus import ConsensusSegment
from curation.types import AnnotatorId, PassId


@dataclass(frozen=True, slots=True)
class BoundaryDeviation:
    """One member's signed onset and offset deviation from its consensus segment."""

    consensus_index: int
    pass_index: int
    pass_id: PassId
    annotator: AnnotatorId
    segment_index: int
    onset_frames: int
    offset_frames: int
    onset_ms: float
    offset_ms: float


@dataclass(frozen=True, slots=True)
class Summary:
    """Location and spread of a sample; every statistic is ``None`` for an empty sample."""

    n: int
    mean: float | None
    median: float | None
    q1: float | None
    q3: float | None
    iqr: float | None


def _quantile(ordered: list[float], q: float) -> float:
    """Linear interpolation between order statistics (type 7), with numpy's ``_lerp``.

    Samples here are a handful of deviations per annotator and video: sorting a list and
    interpolating in Python costs a few microseconds where ``np.percentile`` costs tens.
    """
    position = (len(ordered) - 1) * q
    below = int(position)
    weight = position - below
    low = ordered[below]
    high = ordered[min(below + 1, len(ordered) - 1)]
    difference = high - low
    return high - difference * (1.0 - weight) if weight >= 0.5 else low + difference * weight


def summarize(values: npt.ArrayLike) -> Summary:
    """``Summary`` of a 1-D sample (quartiles by linear interpolation, type 7)."""
    ordered = sorted(np.asarray(values, dtype=np.float64).ravel().tolist())
    if not ordered:
        return Summary(0, None, None, None, None, None)
    q1, median, q3 = (_quantile(ordered, q) for q in (0.25, 0.5, 0.75))
    return Summary(len(ordered), math.fsum(ordered) / len(ordered), median, q1, q3, q3 - q1)


@dataclass(frozen=True, slots=True)
class BoundarySummary:
    """Signed and absolute deviation summaries of one boundary, in frames and milliseconds."""

    signed_frames: Summary
    absolute_frames: Summary
    signed_ms: Summary
    absolute_ms: Summary


@dataclass(frozen=True, slots=True)
class AnnotatorBias:
    """One annotator's signed deviations (negative = early), onset and offset."""

    annotator: AnnotatorId
    onset: BoundarySummary
    offset: BoundarySummary


@dataclass(frozen=True, slots=True)
class BoundaryPrecision:
    """Pooled onset and offset deviations, and the same per annotator (first-seen order)."""

    onset: BoundarySummary
    offset: BoundarySummary
    per_annotator: tuple[AnnotatorBias, ...]
    deviations: tuple[BoundaryDeviation, ...]


def frames_to_ms(frames: int, fps_num: int, fps_den: int) -> float:
    """Exact ``frames * 1000 * fps_den / fps_num``, rounded once to float."""
    if fps_num <= 0 or fps_den <= 0:
        raise ValueError(f"fps must be a positive rational, got {fps_num}/{fps_den}")
    # int / int is correctly rounded in Python: the same float as ``Fraction(...)`` gives.
    return frames * 1000 * fps_den / fps_num


def boundary_deviations(
    consensus: Sequence[ConsensusSegment], fps_num: int, fps_den: int
) -> tuple[BoundaryDeviation, ...]:
    """Every member's signed deviation from its consensus segment (frames and ms)."""
    frames_to_ms(0, fps_num, fps_den)  # validates the frame rate even when there is no member
    return tuple(
        BoundaryDeviation(
            consensus_index=index,
            pass_index=member.pass_index,
            pass_id=member.pass_id,
            annotator=member.annotator,
            segment_index=member.segment_index,
            onset_frames=member.segment.onset - segment.onset,
            offset_frames=member.segment.offset - segment.offset,
            onset_ms=frames_to_ms(member.segment.onset - segment.onset, fps_num, fps_den),
            offset_ms=frames_to_ms(member.segment.offset - segment.offset, fps_num, fps_den),
        )
        for index, segment in enumerate(consensus)
        for member in segment.members
    )


def _boundary_summary(frames: npt.ArrayLike, ms: npt.ArrayLike) -> BoundarySummary:
    frames_array = np.asarray(frames, dtype=np.float64)
    ms_array = np.asarray(ms, dtype=np.float64)
    return BoundarySummary(
        summarize(frames_array),
        summarize(np.abs(frames_array)),
        summarize(ms_array),
        summarize(np.abs(ms_array)),
    )


def summarize_boundaries(deviations: Sequence[BoundaryDeviation]) -> BoundaryPrecision:
    """Pooled and per-annotator summaries of ``deviations`` (from one video or many)."""
    onset_frames = np.array([d.onset_frames for d in deviations], dtype=np.float64)
    offset_frames = np.array([d.offset_frames for d in deviations], dtype=np.float64)
    onset_ms = np.array([d.onset_ms for d in deviations], dtype=np.float64)
    offset_ms = np.array([d.offset_ms for d in deviations], dtype=np.float64)
    annotators = list(dict.fromkeys(d.annotator for d in deviations))
    owner = np.array([annotators.index(d.annotator) for d in deviations], dtype=np.int64)
    per_annotator = tuple(
        AnnotatorBias(
            annotator,
            _boundary_summary(onset_frames[owner == index], onset_ms[owner == index]),
            _boundary_summary(offset_frames[owner == index], offset_ms[owner == index]),
        )
        for index, annotator in enumerate(annotators)
    )
    return BoundaryPrecision(
        _boundary_summary(onset_frames, onset_ms),
        _boundary_summary(offset_frames, offset_ms),
        per_annotator,
        tuple(deviations),
    )


def boundary_precision(
    consensus: Sequence[ConsensusSegment], fps_num: int, fps_den: int
) -> BoundaryPrecision:
    """``summarize_boundaries(boundary_deviations(consensus, fps_num, fps_den))``."""
    return summarize_boundaries(boundary_deviations(consensus, fps_num, fps_den))
