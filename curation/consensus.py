"""Consensus fusion: one segment per sufficiently supported cluster of matched segments.

Rules (the design's "Agreement and consensus", step 5):

* Support: a cluster (see ``curation.matching``) becomes a consensus segment when at least
  ``min_support`` of the N passes marked it; the default is a strict majority, ``N // 2 + 1``
  (``> N/2``): 3 of 5, 2 of 3, 2 of 2, 3 of 4.
* Boundaries: onset, offset and apex are each estimated from the members' values by
  ``"median"`` (default), ``"mean"`` or ``"trimmed_mean"``. The trimmed mean drops
  ``g = floor(trim * k)`` values at each end of the ``k`` sorted values (``trim`` read as the
  decimal it is written as, so 0.2 of 5 drops 1), the convention of ``scipy.stats.trim_mean``.
  Estimates are computed exactly as rational numbers, then rounded to the nearest frame; an
  exact tie (``x.5``) widens the interval: the onset goes to the earlier frame, the offset to the
  later one, the apex to the earlier one. (Python's ``round`` sends ties to the even integer,
  which would move a boundary by a frame depending on parity.) The rounded onset never exceeds
  the rounded offset. The apex is estimated from the members that marked one and is clamped into
  the consensus ``[onset, offset]``; it is ``None`` when no member marked an apex.
* Labels: ``type`` and ``emotion`` go to the plurality of the members that gave one; if two or
  more values share the highest count, the label is left ``None`` and the segment is flagged
  ``needs_curator=True`` with a reason. Each action unit is in the consensus when more than half
  of the members have it; exactly half is a tie, flagged, and the AU is left out (listed in
  ``tied_aus``). A member without an AU counts as "absent" for that AU.
* Spread: population standard deviation (``ddof=0``) and range (max - min) of the members'
  onsets and offsets, in frames.

Consensus segments of different clusters may overlap; fusion never merges clusters.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from curation.matching import (
    DEFAULT_IOU_THRESHOLD,
    Cluster,
    ClusterMember,
    Linkage,
    cluster_passes,
)
from curation.types import Pass, Segment, SegmentId

BoundaryMethod = Literal["median", "mean", "trimmed_mean"]
BOUNDARY_METHODS: tuple[BoundaryMethod, ...] = ("median", "mean", "trimmed_mean")
DEFAULT_TRIM = 0.2


def majority_support(n_passes: int) -> int:
    """The default support threshold: a strict majority of ``n_passes``, ``n_passes // 2 + 1``."""
    return n_passes // 2 + 1


@dataclass(frozen=True, slots=True)
class Vote:
    """Outcome of a plurality vote: the winner (``None`` on a tie or when nobody voted),
    every value's count (highest first, then by value), and whether the top count was tied."""

    value: str | None
    counts: tuple[tuple[str, int], ...]
    tied: bool


def plurality_vote(values: Sequence[str | None]) -> Vote:
    """Plurality of the non-``None`` values; a tie for first place leaves the winner ``None``."""
    counter = Counter(value for value in values if value is not None)
    counts = tuple(sorted(counter.items(), key=lambda item: (-item[1], item[0])))
    if not counts:
        return Vote(None, (), False)
    tied = len(counts) > 1 and counts[0][1] == counts[1][1]
    return Vote(None if tied else counts[0][0], counts, tied)


def estimate(values: Sequence[int], method: BoundaryMethod, trim: float = DEFAULT_TRIM) -> Fraction:
    """Exact median, mean or trimmed mean of integer frames (see the module docstring)."""
    if not values:
        raise ValueError("cannot estimate a boundary from no values")
    ordered = sorted(values)
    k = len(ordered)
    if method == "median":
        middle = k // 2
        if k % 2:
            return Fraction(ordered[middle])
        return Fraction(ordered[middle - 1] + ordered[middle], 2)
    if method == "mean":
        return Fraction(sum(ordered), k)
    if method == "trimmed_mean":
        if not 0.0 <= trim < 0.5:
            raise ValueError(f"trim must be in [0, 0.5), got {trim}")
        cut = math.floor(Fraction(repr(trim)) * k)
        kept = ordered[cut : k - cut]
        return Fraction(sum(kept), len(kept))
    raise ValueError(f"boundary method must be one of {BOUNDARY_METHODS}, got {method!r}")


def round_half_down(value: Fraction) -> int:
    """Nearest integer; an exact half goes to the smaller integer (2.5 -> 2, -2.5 -> -3)."""
    return math.ceil(value - Fraction(1, 2))


def round_half_up(value: Fraction) -> int:
    """Nearest integer; an exact half goes to the larger integer (2.5 -> 3, -2.5 -> -2)."""
    return math.floor(value + Fraction(1, 2))


@dataclass(frozen=True, slots=True)
class ConsensusSegment:
    """A fused expression with everything needed to audit it.

    ``onset_estimate`` and ``offset_estimate`` are the exact (unrounded) estimates; ``onset`` and
    ``offset`` the rounded frames. ``members`` are the cluster's segments, one per pass at most.
    """

    onset: int
    offset: int
    apex: int | None
    type: str | None
    emotion: str | None
    aus: frozenset[str]
    support: int
    n_passes: int
    members: tuple[ClusterMember, ...]
    needs_curator: bool
    reasons: tuple[str, ...]
    type_vote: Vote
    emotion_vote: Vote
    au_counts: tuple[tuple[str, int], ...]
    tied_aus: frozenset[str]
    onset_estimate: Fraction
    offset_estimate: Fraction
    onset_std: float
    offset_std: float
    onset_range: int
    offset_range: int

    @property
    def member_segment_ids(self) -> tuple[SegmentId | None, ...]:
        return tuple(member.segment.segment_id for member in self.members)

    def as_segment(self, segment_id: SegmentId | None = None) -> Segment:
        return Segment(
            self.onset, self.offset, self.apex, self.type, self.emotion, self.aus, segment_id
        )


def _population_std(values: Sequence[int]) -> float:
    """Population standard deviation (numpy's ``std``) of a few frames, in plain Python."""
    mean = sum(values) / len(values)
    return math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))


def _rounded_bounds(onset: Fraction, offset: Fraction) -> tuple[int, int]:
    return round_half_down(onset), round_half_up(offset)


def fused_bounds(
    cluster: Cluster, method: BoundaryMethod = "median", trim: float = DEFAULT_TRIM
) -> tuple[int, int]:
    """``(onset, offset)`` of ``fuse_cluster(cluster, method, trim)``, without the votes."""
    return _rounded_bounds(
        estimate([m.segment.onset for m in cluster.members], method, trim),
        estimate([m.segment.offset for m in cluster.members], method, trim),
    )


def fuse_cluster(
    cluster: Cluster, method: BoundaryMethod = "median", trim: float = DEFAULT_TRIM
) -> ConsensusSegment:
    """Fuse one cluster into a consensus segment (rules in the module docstring)."""
    segments = [member.segment for member in cluster.members]
    onsets = [s.onset for s in segments]
    offsets = [s.offset for s in segments]
    onset_estimate = estimate(onsets, method, trim)
    offset_estimate = estimate(offsets, method, trim)
    onset, offset = _rounded_bounds(onset_estimate, offset_estimate)
    apexes = [s.apex for s in segments if s.apex is not None]
    apex = None
    if apexes:
        apex = min(max(round_half_down(estimate(apexes, method, trim)), onset), offset)

    reasons: list[str] = []
    type_vote = plurality_vote([s.type for s in segments])
    emotion_vote = plurality_vote([s.emotion for s in segments])
    for name, vote in (("type", type_vote), ("emotion", emotion_vote)):
        if vote.tied:
            leaders = [value for value, count in vote.counts if count == vote.counts[0][1]]
            reasons.append(f"{name} tie: " + ", ".join(leaders))
    au_counter = Counter(au for s in segments for au in s.aus)
    au_counts = tuple(sorted(au_counter.items(), key=lambda item: (-item[1], item[0])))
    k = len(segments)
    aus = frozenset(au for au, count in au_counts if 2 * count > k)
    tied_aus = frozenset(au for au, count in au_counts if 2 * count == k)
    if tied_aus:
        reasons.append("AU tie: " + ", ".join(sorted(tied_aus)))

    return ConsensusSegment(
        onset=onset,
        offset=offset,
        apex=apex,
        type=type_vote.value,
        emotion=emotion_vote.value,
        aus=aus,
        support=cluster.support,
        n_passes=cluster.n_passes,
        members=cluster.members,
        needs_curator=bool(reasons),
        reasons=tuple(reasons),
        type_vote=type_vote,
        emotion_vote=emotion_vote,
        au_counts=au_counts,
        tied_aus=tied_aus,
        onset_estimate=onset_estimate,
        offset_estimate=offset_estimate,
        onset_std=_population_std(onsets),
        offset_std=_population_std(offsets),
        onset_range=max(onsets) - min(onsets),
        offset_range=max(offsets) - min(offsets),
    )


def consensus_from_clusters(
    clusters: Sequence[Cluster],
    n_passes: int,
    min_support: int | None = None,
    method: BoundaryMethod = "median",
    trim: float = DEFAULT_TRIM,
) -> tuple[ConsensusSegment, ...]:
    """Fuse every cluster with ``support >= min_support`` (default: strict majority of N)."""
    if n_passes < 1:
        raise ValueError("consensus needs at least one pass")
    threshold = majority_support(n_passes) if min_support is None else min_support
    if not 1 <= threshold <= n_passes:
        raise ValueError(f"min_support must be in [1, {n_passes}], got {threshold}")
    if method not in BOUNDARY_METHODS:
        raise ValueError(f"boundary method must be one of {BOUNDARY_METHODS}, got {method!r}")
    return tuple(
        fuse_cluster(cluster, method, trim) for cluster in clusters if cluster.support >= threshold
    )


def fuse(
    passes: Sequence[Pass],
    iou_threshold: float = DEFAULT_IOU_THRESHOLD,
    min_support: int | None = None,
    method: BoundaryMethod = "median",
    trim: float = DEFAULT_TRIM,
    linkage: Linkage = "single",
) -> tuple[ConsensusSegment, ...]:
    """Match the passes into clusters (``curation.matching``) and fuse the supported ones."""
    clusters = cluster_passes(passes, iou_threshold, linkage)
    return consensus_from_clusters(clusters, len(passes), min_support, method, trim)
