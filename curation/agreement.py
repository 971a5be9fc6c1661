"""Agreement between the passes of one video: detection F1, alpha on frames and on clusters.

Detection (the design's step 2). ``detection_counts(reference, predicted)`` counts hits by the
MEGC rule on inclusive frames — a predicted interval hits when IoU >= 0.5 with a reference
interval not already hit, one-to-one — using the optimal one-to-one matching of
``curation.matching.match_pair`` (most hits, then largest total IoU), so the number of hits does
not depend on which pass is called the reference. ``TP`` = hits, ``FP`` = predicted - hits,
``FN`` = reference - hits; precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)``,
``F1 = 2TP/(2TP+FP+FN)``, each undefined (``None``) when its denominator is 0. Counts from
several videos are pooled by ``+`` before the ratios are taken (MEGC pools over videos).
Each pass is also scored against the leave-one-out consensus: the consensus
(``curation.consensus.fuse``) of the other N - 1 passes, with its own default support, a strict
majority of N - 1.

Frame labels (step 3). Every frame is a unit; each pass gives it one value: the label of the
pass's segment covering it (``label_of``, default the expression type, ``"expression"`` when
untyped; it must not return ``None``) or "no expression" (``None``). A pass's segments must
not overlap (``ValueError``), since a frame takes one value. The union of all passes'
boundaries (every ``onset`` and ``offset + 1``, plus 0 and ``n_frames``) cuts the video into
runs on which every pass's value is constant; each run is one unit of weight ``run length``
in the coincidence matrix (``curation.alpha.nominal_coincidences``), which is exactly the
frame-by-frame coincidence matrix at O(segments) cost. Every pass covers the whole video, so
no value is missing.

Clusters (step 3). Units are the clusters of ``curation.matching.cluster_passes``; the value of
pass ``p`` is its member's duration in frames (``offset - onset + 1``; interval alpha), type or
emotion (nominal alpha) or the presence of one AU (1/0, nominal alpha), and is missing when the
pass has no member in the cluster (or, for type and emotion, when its member has no label).
Clusters marked by one pass only carry no pairable value and do not affect alpha.

Never alpha on raw onset or offset frame numbers: over a long video their variance is dominated
by where the expressions are, and alpha approaches 1 whatever the boundary error (a test shows
it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from curation.alpha import (
    UNDEFINED_NO_VARIATION,
    UNDEFINED_TOO_FEW,
    AlphaResult,
    NominalCoincidences,
    alpha,
    nominal_coincidences,
)
from curation.boundaries import BoundaryPrecision, boundary_precision
from curation.consensus import (
    BoundaryMethod,
    ConsensusSegment,
    consensus_from_clusters,
    fuse,
    fused_bounds,
    majority_support,
)
from curation.matching import (
    DEFAULT_IOU_THRESHOLD,
    Cluster,
    Linkage,
    MatchedPair,
    cluster_passes,
    match_pair,
    pairwise_matches,
)
from curation.types import AnnotatorId, Pass, PassId, Segment, check_within_video, type_label
from curation.unitizing import UnitizingResult, single_category, unitizing_alpha

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
LabelOf = Callable[[Segment], Hashable]


@dataclass(frozen=True, slots=True)
class DetectionCounts:
    """Hits and misses of predicted intervals against reference intervals; add to pool."""

    tp: int
    fp: int
    fn: int

    def __add__(self, other: DetectionCounts) -> DetectionCounts:
        return DetectionCounts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float | None:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else None

    @property
    def recall(self) -> float | None:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else None

    @property
    def f1(self) -> float | None:
        denominator = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / denominator if denominator else None


def detection_counts(
    reference: Sequence[Segment],
    predicted: Sequence[Segment],
    threshold: float = DEFAULT_IOU_THRESHOLD,
) -> DetectionCounts:
    """TP, FP and FN of ``predicted`` against ``reference`` (MEGC hit rule, optimal one-to-one)."""
    hits = len(match_pair(reference, predicted, threshold))
    return DetectionCounts(hits, len(predicted) - hits, len(reference) - hits)


@dataclass(frozen=True, slots=True)
class PairDetection:
    """Pass ``predicted`` scored against pass ``reference``."""

    reference: PassId
    predicted: PassId
    counts: DetectionCounts


Matches = Mapping[tuple[int, int], tuple[MatchedPair, ...]]


def _pair_counts(
    passes: Sequence[Pass], matches: Matches, reference: int, predicted: int
) -> DetectionCounts:
    """``detection_counts`` of two passes from their match (the hit count is symmetric)."""
    hits = len(matches[(min(reference, predicted), max(reference, predicted))])
    return DetectionCounts(
        hits, len(passes[predicted].segments) - hits, len(passes[reference].segments) - hits
    )


def pairwise_detection(
    passes: Sequence[Pass],
    threshold: float = DEFAULT_IOU_THRESHOLD,
    matches: Matches | None = None,
) -> tuple[PairDetection, ...]:
    """Every pair ``i < j`` of passes, pass ``i`` as reference. F1 is symmetric in the pair.

    ``matches`` may hold ``pairwise_matches(passes, threshold)`` computed beforehand.
    """
    if matches is None:
        matches = pairwise_matches(passes, threshold)
    return tuple(
        PairDetection(passes[i].pass_id, passes[j].pass_id, _pair_counts(passes, matches, i, j))
        for i in range(len(passes))
        for j in range(i + 1, len(passes))
    )


@dataclass(frozen=True, slots=True)
class LeaveOneOutDetection:
    """A pass scored against the consensus of the other passes."""

    pass_id: PassId
    annotator: AnnotatorId
    counts: DetectionCounts
    consensus_size: int


def leave_one_out_consensus(
    passes: Sequence[Pass],
    left_out: int,
    threshold: float = DEFAULT_IOU_THRESHOLD,
    method: BoundaryMethod = "median",
    linkage: Linkage = "single",
) -> tuple[ConsensusSegment, ...]:
    """Consensus of every pass but ``passes[left_out]`` (strict majority of the N - 1 others)."""
    others = [p for index, p in enumerate(passes) if index != left_out]
    if not others:
        return ()
    return fuse(others, threshold, None, method, linkage=linkage)


def leave_one_out_detection(
    passes: Sequence[Pass],
    threshold: float = DEFAULT_IOU_THRESHOLD,
    method: BoundaryMethod = "median",
    linkage: Linkage = "single",
    matches: Matches | None = None,
) -> tuple[LeaveOneOutDetection, ...]:
    """Each pass (as prediction) against the leave-one-out consensus (as reference).

    Every pair of passes is matched once (or given as ``matches``); each leave-one-out
    consensus clusters the matches of the pairs it keeps (the same result as
    ``leave_one_out_consensus``, N times cheaper).
    """
    every_pair = matches if matches is not None else pairwise_matches(passes, threshold)
    results = []
    for index, pass_ in enumerate(passes):
        others = [p for other, p in enumerate(passes) if other != index]
        kept = {
            (i - (i > index), j - (j > index)): pairs
            for (i, j), pairs in every_pair.items()
            if index not in (i, j)
        }
        # Only the boundaries of the consensus are scored: fuse those, not the votes.
        reference = (
            [
                Segment(*fused_bounds(cluster, method))
                for cluster in cluster_passes(others, threshold, linkage, matches=kept)
                if cluster.support >= majority_support(len(others))
            ]
            if others
            else []
        )
        counts = detection_counts(reference, pass_.segments, threshold)
        results.append(LeaveOneOutDetection(pass_.pass_id, pass_.annotator, counts, len(reference)))
    return tuple(results)


@dataclass(frozen=True, slots=True)
class FrameRuns:
    """The video cut at every boundary of every pass.

    ``starts[r]`` and ``lengths[r]`` give run ``r``; ``codes[p, r]`` indexes ``labels`` with
    pass ``p``'s value on that run; ``labels[0]`` is ``None``, "no expression".
    """

    starts: IntArray
    lengths: IntArray
    codes: IntArray
    labels: tuple[Hashable, ...]

    def dense(self) -> IntArray:
        """The passes-by-frames code matrix (O(frames); for checks and benchmarks only)."""
        result: IntArray = np.repeat(self.codes, self.lengths, axis=1)
        return result


def frame_runs(passes: Sequence[Pass], n_frames: int, label_of: LabelOf = type_label) -> FrameRuns:
    """Runs of constant value for every pass (see the module docstring), O(segments)."""
    check_within_video(list(passes), n_frames)
    labels: list[Hashable] = [None]
    boundaries = [np.array([0, n_frames], dtype=np.int64)]
    per_pass: list[tuple[IntArray, IntArray, IntArray]] = []
    for pass_ in passes:
        segments = sorted(pass_.segments, key=lambda s: (s.onset, s.offset))
        onsets = np.array([s.onset for s in segments], dtype=np.int64)
        ends = np.array([s.offset + 1 for s in segments], dtype=np.int64)
        clash = np.flatnonzero(onsets[1:] < ends[:-1])
        if clash.size:
            a, b = segments[int(clash[0])], segments[int(clash[0]) + 1]
            raise ValueError(
                f"pass {pass_.pass_id!r} has overlapping segments [{a.onset}, {a.offset}] and "
                f"[{b.onset}, {b.offset}]; a frame can carry only one label"
            )
        segment_codes = []
        for segment in segments:
            label = label_of(segment)
            if label is None:
                raise ValueError("label_of returned None, which is reserved for 'no expression'")
            if label not in labels:
                labels.append(label)
            segment_codes.append(labels.index(label))
        per_pass.append((onsets, ends, np.array(segment_codes, dtype=np.int64)))
        boundaries.extend((onsets, ends))
    cuts = np.unique(np.concatenate(boundaries))
    starts = cuts[:-1]
    codes_matrix = np.zeros((len(passes), starts.size), dtype=np.int64)
    for row, (onsets, ends, codes) in enumerate(per_pass):
        covering = np.searchsorted(onsets, starts, side="right") - 1
        inside = covering >= 0
        inside[inside] = starts[inside] < ends[covering[inside]]
        codes_matrix[row, inside] = codes[covering[inside]]
    return FrameRuns(starts, np.diff(cuts), codes_matrix, tuple(labels))


def runs_coincidences(runs: FrameRuns, rows: Sequence[int] | None = None) -> NominalCoincidences:
    """Run-length weighted nominal coincidences of the passes ``rows`` (default: all).

    The runs of all passes are a refinement of the runs of any subset of them, so one
    ``frame_runs`` serves the whole set, every pair and every leave-one-out subset.
    """
    codes = runs.codes if rows is None else runs.codes[list(rows)]
    n_labels = len(runs.labels)
    n_runs = runs.starts.size
    keys = (np.arange(n_runs)[None, :] * n_labels + codes).ravel()
    counts = np.bincount(keys, minlength=n_runs * n_labels).reshape(n_runs, n_labels)
    return nominal_coincidences(counts, runs.labels, runs.lengths)


@dataclass(frozen=True, slots=True)
class FrameAgreement:
    """What every frame-label alpha of any subset of one video's passes is computed from.

    ``agree[a, b]`` is the number of frames on which passes ``a`` and ``b`` give the same
    label and ``totals[a, c]`` the number of frames pass ``a`` gives label ``c``. Every pass
    codes every frame, so a subset of ``m`` passes has ``n = m * n_frames`` pairable values,
    marginals ``n_c = sum_a totals[a, c]`` and ``sum_c o_cc = 2 sum_{a<b} agree[a, b] / (m - 1)``
    (the agreeing ordered pairs of each frame over ``m - 1``): the whole set, every pair and
    every leave-one-out subset cost O(passes^2) each after one pass over the runs.
    """

    n_frames: int
    agree: list[list[float]]
    totals: list[list[float]]

    @classmethod
    def from_runs(cls, runs: FrameRuns) -> FrameAgreement:
        n_passes = runs.codes.shape[0]
        weights = runs.lengths.astype(np.float64)
        agree = np.zeros((n_passes, n_passes))
        totals = np.zeros((n_passes, len(runs.labels)))
        for code in range(len(runs.labels)):
            has = (runs.codes == code).astype(np.float64)
            weighted = has * weights
            agree += weighted @ has.T
            totals[:, code] = weighted.sum(axis=1)
        return cls(int(runs.lengths.sum()), agree.tolist(), totals.tolist())

    def alpha(self, rows: Sequence[int]) -> AlphaResult:
        """Nominal alpha of the passes ``rows`` (equal to ``frame_label_alpha`` of them).

        A few passes and labels: plain Python on the small matrices beats numpy's call cost.
        """
        m = len(rows)
        if m < 2:
            return AlphaResult("nominal", None, UNDEFINED_TOO_FEW, None, None, 0, 0)
        agree, totals = self.agree, self.totals
        n = float(m * self.n_frames)
        marginals = [sum(totals[row][label] for row in rows) for label in range(len(totals[0]))]
        units = self.n_frames
        if n < 2:
            return AlphaResult("nominal", None, UNDEFINED_TOO_FEW, None, None, round(n), units)
        if sum(1 for value in marginals if value) < 2:
            return AlphaResult("nominal", None, UNDEFINED_NO_VARIATION, None, None, round(n), units)
        agreeing = 2.0 * sum(agree[a][b] for i, a in enumerate(rows) for b in rows[i + 1 :])
        observed = (n - agreeing / (m - 1)) / n
        expected = (n**2 - sum(value * value for value in marginals)) / (n * (n - 1.0))
        value = 1.0 - observed / expected
        return AlphaResult("nominal", value, None, observed, expected, round(n), units)


def frame_label_coincidences(
    passes: Sequence[Pass], n_frames: int, label_of: LabelOf = type_label
) -> NominalCoincidences:
    """Run-length weighted nominal coincidences of the frame labels; pool videos with ``+``."""
    return runs_coincidences(frame_runs(passes, n_frames, label_of))


def frame_label_alpha(
    passes: Sequence[Pass], n_frames: int, label_of: LabelOf = type_label
) -> AlphaResult:
    """Nominal alpha over frames (each frame a unit), computed from runs in O(segments)."""
    return frame_label_coincidences(passes, n_frames, label_of).alpha()


def cluster_values(
    clusters: Sequence[Cluster], n_passes: int, value_of: Callable[[Segment], float | None]
) -> FloatArray:
    """Passes-by-clusters matrix of ``value_of(member)``, ``NaN`` where missing."""
    table = np.full((n_passes, len(clusters)), np.nan)
    for column, cluster in enumerate(clusters):
        for member in cluster.members:
            value = value_of(member.segment)
            if value is not None:
                table[member.pass_index, column] = value
    return table


def duration_alpha(clusters: Sequence[Cluster], n_passes: int) -> AlphaResult:
    """Interval alpha on member durations in frames, units = clusters."""
    return alpha(cluster_values(clusters, n_passes, lambda s: float(s.length)), "interval")


def cluster_label_alpha(
    clusters: Sequence[Cluster], n_passes: int, field: Literal["type", "emotion"]
) -> AlphaResult:
    """Nominal alpha on the members' ``type`` or ``emotion``, units = clusters."""
    if field not in ("type", "emotion"):
        raise ValueError(f"field must be 'type' or 'emotion', got {field!r}")
    codes: dict[str, int] = {}

    def code(segment: Segment) -> float | None:
        label = segment.type if field == "type" else segment.emotion
        return None if label is None else float(codes.setdefault(label, len(codes)))

    return alpha(cluster_values(clusters, n_passes, code), "nominal")


def au_presence_alpha(clusters: Sequence[Cluster], n_passes: int) -> dict[str, AlphaResult]:
    """Nominal alpha on each action unit's presence (1/0) per member, units = clusters."""
    aus = sorted({au for cluster in clusters for m in cluster.members for au in m.segment.aus})

    def presence(au: str) -> Callable[[Segment], float | None]:
        return lambda segment: float(au in segment.aus)

    return {au: alpha(cluster_values(clusters, n_passes, presence(au)), "nominal") for au in aus}


@dataclass(frozen=True, slots=True)
class AnnotatorAgreement:
    """One pass's agreement with the others of the same video.

    ``pairwise`` holds this pass scored (as prediction) against each other pass;
    ``pooled_pairwise`` their sum; ``mean_pairwise_f1`` the mean of the defined pairwise F1.
    ``mean_pairwise_frame_alpha`` is the mean of the defined two-pass frame-label alphas with
    each other pass; ``frame_alpha_without`` the frame-label alpha of the other passes alone
    (compare with the alpha of all passes to see what this annotator adds or costs).
    """

    pass_id: PassId
    annotator: AnnotatorId
    pairwise: tuple[PairDetection, ...]
    pooled_pairwise: DetectionCounts
    mean_pairwise_f1: float | None
    against_leave_one_out: DetectionCounts
    pairwise_frame_alpha: tuple[AlphaResult, ...]
    mean_pairwise_frame_alpha: float | None
    frame_alpha_without: AlphaResult


def _mean_defined(values: Sequence[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return float(np.mean(defined)) if defined else None


def annotator_agreement(
    passes: Sequence[Pass],
    n_frames: int,
    threshold: float = DEFAULT_IOU_THRESHOLD,
    label_of: LabelOf = type_label,
    method: BoundaryMethod = "median",
    linkage: Linkage = "single",
    leave_one_out: Sequence[LeaveOneOutDetection] | None = None,
    matches: Matches | None = None,
    runs: FrameRuns | None = None,
) -> tuple[AnnotatorAgreement, ...]:
    """Per pass: F1 and frame-label alpha against the others, and alpha without it.

    ``leave_one_out``, ``matches`` and ``runs`` may hold ``leave_one_out_detection``,
    ``pairwise_matches`` and ``frame_runs`` of the same passes, computed once.
    """
    if matches is None:
        matches = pairwise_matches(passes, threshold)
    loo = (
        leave_one_out
        if leave_one_out is not None
        else leave_one_out_detection(passes, threshold, method, linkage, matches)
    )
    frames = FrameAgreement.from_runs(
        runs if runs is not None else frame_runs(passes, n_frames, label_of)
    )
    pair_alpha = {
        (i, j): frames.alpha((i, j)) for i in range(len(passes)) for j in range(i + 1, len(passes))
    }
    results = []
    for index, pass_ in enumerate(passes):
        rest = [other for other in range(len(passes)) if other != index]
        pairwise = tuple(
            PairDetection(
                passes[other].pass_id, pass_.pass_id, _pair_counts(passes, matches, other, index)
            )
            for other in rest
        )
        pooled = DetectionCounts(0, 0, 0)
        for pair in pairwise:
            pooled += pair.counts
        alphas = tuple(pair_alpha[(min(index, other), max(index, other))] for other in rest)
        results.append(
            AnnotatorAgreement(
                pass_id=pass_.pass_id,
                annotator=pass_.annotator,
                pairwise=pairwise,
                pooled_pairwise=pooled,
                mean_pairwise_f1=_mean_defined([pair.counts.f1 for pair in pairwise]),
                against_leave_one_out=loo[index].counts,
                pairwise_frame_alpha=alphas,
                mean_pairwise_frame_alpha=_mean_defined([a.value for a in alphas]),
                frame_alpha_without=frames.alpha(rest),
            )
        )
    return tuple(results)


@dataclass(frozen=True, slots=True)
class VideoAgreement:
    """Every statistic of the design's agreement section for one video."""

    n_passes: int
    n_frames: int
    clusters: tuple[Cluster, ...]
    consensus: tuple[ConsensusSegment, ...]
    pairwise_detection: tuple[PairDetection, ...]
    leave_one_out: tuple[LeaveOneOutDetection, ...]
    frame_label_alpha: AlphaResult
    unitizing_by_type: UnitizingResult
    unitizing_segmentation: UnitizingResult
    duration_alpha: AlphaResult
    type_alpha: AlphaResult
    emotion_alpha: AlphaResult
    au_alpha: tuple[tuple[str, AlphaResult], ...]
    boundaries: BoundaryPrecision
    annotators: tuple[AnnotatorAgreement, ...]


def video_agreement(
    passes: Sequence[Pass],
    n_frames: int,
    fps_num: int,
    fps_den: int,
    threshold: float = DEFAULT_IOU_THRESHOLD,
    min_support: int | None = None,
    method: BoundaryMethod = "median",
    linkage: Linkage = "single",
    label_of: LabelOf = type_label,
) -> VideoAgreement:
    """All agreement statistics of one video's passes (each documented in its own function)."""
    check_within_video(list(passes), n_frames)
    n_passes = len(passes)
    # Every pair is matched once and the frames cut into runs once; every statistic reuses them.
    matches = pairwise_matches(passes, threshold)
    runs = frame_runs(passes, n_frames, label_of)
    clusters = cluster_passes(passes, threshold, linkage, matches=matches)
    consensus = consensus_from_clusters(clusters, n_passes, min_support, method)
    leave_one_out = leave_one_out_detection(passes, threshold, method, linkage, matches)
    return VideoAgreement(
        n_passes=n_passes,
        n_frames=n_frames,
        clusters=clusters,
        consensus=consensus,
        pairwise_detection=pairwise_detection(passes, threshold, matches),
        leave_one_out=leave_one_out,
        frame_label_alpha=runs_coincidences(runs).alpha(),
        unitizing_by_type=unitizing_alpha(passes, n_frames, label_of),
        unitizing_segmentation=unitizing_alpha(passes, n_frames, single_category),
        duration_alpha=duration_alpha(clusters, n_passes),
        type_alpha=cluster_label_alpha(clusters, n_passes, "type"),
        emotion_alpha=cluster_label_alpha(clusters, n_passes, "emotion"),
        au_alpha=tuple(au_presence_alpha(clusters, n_passes).items()),
        boundaries=boundary_precision(consensus, fps_num, fps_den),
        annotators=annotator_agreement(
            passes, n_frames, threshold, label_of, method, linkage, leave_one_out, matches, runs
        ),
    )
