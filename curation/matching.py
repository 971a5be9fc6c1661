"""Matching marked intervals across passes: inclusive-frame IoU, pairwise assignment, clusters.

IoU follows the MEGC spotting rule on inclusive frame ranges (the design's "Agreement and
consensus", step 1): ``IoU(A, B) = |A and B| / |A or B|`` counting frames, so ``[0, 0]`` against
``[0, 0]`` is 1.0 and two adjacent intervals ``[0, 4]``, ``[5, 9]`` have IoU 0.

Pairwise assignment (``match_pair``). Only pairs with ``IoU >= threshold`` may be matched; among
the one-to-one matchings of such pairs, the one with the most pairs is chosen and, among those,
the one with the largest total IoU. This is solved exactly with
``scipy.optimize.linear_sum_assignment`` on the weight ``K + IoU`` for eligible pairs (0 for the
others), with ``K = min(len(a), len(b)) + 1`` larger than any possible total IoU, so one more
pair always outweighs any gain in IoU. Putting the number of pairs first makes the number of
hits the same whichever pass is taken as the reference (so pairwise F1 is symmetric), and every
match satisfies the MEGC hit rule (IoU >= 0.5 with a ground truth that is not already matched).

Clusters across N passes (``cluster_passes``). The matched pairs of every pair of passes form a
graph; clusters are built by greedy merging along its edges in descending IoU (ties broken by
the pass indices, then the segment indices, ascending), and a merge is made only if the two
clusters share no pass, so a cluster never holds two segments of one pass:

* ``linkage="single"`` (default): one matched pair between the two clusters suffices; two
  members of a cluster can then have IoU below the threshold if they are linked through others;
* ``linkage="complete"``: every pair of members from different passes must itself be a matched
  pair, so every two members of a cluster overlap with IoU >= threshold.

Every segment ends in exactly one cluster (unmatched segments form clusters of support 1). A
cluster's support is its number of members, k of the N passes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from curation.types import AnnotatorId, Pass, PassId, Segment

Linkage = Literal["single", "complete"]
DEFAULT_IOU_THRESHOLD = 0.5
#: Pairs of segments up to which ``match_pair`` tries its plain-Python path first.
_SMALL = 64


def _bounds(segments: Sequence[Segment]) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    onsets = np.fromiter((s.onset for s in segments), dtype=np.int64, count=len(segments))
    offsets = np.fromiter((s.offset for s in segments), dtype=np.int64, count=len(segments))
    return onsets, offsets


def iou(a: Segment, b: Segment) -> float:
    """IoU of two inclusive frame intervals, counting frames (MEGC rule)."""
    intersection = max(0, min(a.offset, b.offset) - max(a.onset, b.onset) + 1)
    return intersection / (a.length + b.length - intersection)


def iou_matrix(a: Sequence[Segment], b: Sequence[Segment]) -> npt.NDArray[np.float64]:
    """``result[i, j] = iou(a[i], b[j])``, computed for all pairs at once."""
    a_on, a_off = _bounds(a)
    b_on, b_off = _bounds(b)
    intersection = np.clip(
        np.minimum(a_off[:, None], b_off[None, :]) - np.maximum(a_on[:, None], b_on[None, :]) + 1,
        0,
        None,
    )
    union = (a_off - a_on + 1)[:, None] + (b_off - b_on + 1)[None, :] - intersection
    result: npt.NDArray[np.float64] = intersection / union
    return result


@dataclass(frozen=True, slots=True)
class MatchedPair:
    """Segment ``index_a`` of the first list matched with segment ``index_b`` of the second."""

    index_a: int
    index_b: int
    iou: float


def _check_threshold(threshold: float) -> None:
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"IoU threshold must be in (0, 1], got {threshold}")


def match_pair(
    a: Sequence[Segment], b: Sequence[Segment], threshold: float = DEFAULT_IOU_THRESHOLD
) -> tuple[MatchedPair, ...]:
    """Optimal one-to-one matching of ``a`` with ``b`` at ``IoU >= threshold``.

    Maximises the number of matched pairs, then their total IoU (see the module docstring).
    Returned pairs are sorted by ``index_a``.
    """
    _check_threshold(threshold)
    if not a or not b:
        return ()
    if len(a) * len(b) <= _SMALL:
        # A few segments a side (the usual video): when no segment has two eligible partners
        # the eligible pairs are the one optimal matching, and plain Python finds them faster
        # than numpy and the assignment solver are called.
        pairs = [
            MatchedPair(i, j, value)
            for i, x in enumerate(a)
            for j, y in enumerate(b)
            if (value := iou(x, y)) >= threshold
        ]
        rows = {pair.index_a for pair in pairs}
        cols = {pair.index_b for pair in pairs}
        if len(rows) == len(cols) == len(pairs):
            return tuple(pairs)
    overlap = iou_matrix(a, b)
    eligible = overlap >= threshold
    if not eligible.any():
        return ()
    priority = float(min(len(a), len(b)) + 1)
    weight = np.where(eligible, priority + overlap, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    keep = eligible[rows, cols]
    return tuple(
        MatchedPair(int(i), int(j), float(overlap[i, j]))
        for i, j in zip(rows[keep], cols[keep], strict=True)
    )


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """A segment in a cluster: which pass (by index in the input and by id) and which segment."""

    pass_index: int
    pass_id: PassId
    annotator: AnnotatorId
    segment_index: int
    segment: Segment


@dataclass(frozen=True, slots=True)
class Cluster:
    """A candidate expression: at most one segment per pass, members ordered by pass index."""

    members: tuple[ClusterMember, ...]
    n_passes: int

    @property
    def support(self) -> int:
        """k of the N passes that marked this expression."""
        return len(self.members)

    def member_for(self, pass_index: int) -> ClusterMember | None:
        for member in self.members:
            if member.pass_index == pass_index:
                return member
        return None


@dataclass(frozen=True, slots=True)
class _Edge:
    iou: float
    pass_a: int
    index_a: int
    pass_b: int
    index_b: int


def pairwise_matches(
    passes: Sequence[Pass], threshold: float = DEFAULT_IOU_THRESHOLD
) -> dict[tuple[int, int], tuple[MatchedPair, ...]]:
    """``match_pair`` for every pair of passes ``(i, j)``, ``i < j`` (indices into ``passes``)."""
    return {
        (i, j): match_pair(passes[i].segments, passes[j].segments, threshold)
        for i in range(len(passes))
        for j in range(i + 1, len(passes))
    }


def cluster_passes(
    passes: Sequence[Pass],
    threshold: float = DEFAULT_IOU_THRESHOLD,
    linkage: Linkage = "single",
    matches: Mapping[tuple[int, int], tuple[MatchedPair, ...]] | None = None,
) -> tuple[Cluster, ...]:
    """Clusters of matched segments across all passes (rule in the module docstring).

    Clusters are returned ordered by their earliest member onset, then latest member offset,
    then first member (pass index, segment index). ``matches`` may hold
    ``pairwise_matches(passes, threshold)`` computed beforehand (leave-one-out statistics
    reuse one matching of every pair instead of matching again per left-out pass).
    """
    if linkage not in ("single", "complete"):
        raise ValueError(f"linkage must be 'single' or 'complete', got {linkage!r}")
    if matches is None:
        matches = pairwise_matches(passes, threshold)
    edges = [
        _Edge(pair.iou, i, pair.index_a, j, pair.index_b)
        for (i, j), pairs in matches.items()
        for pair in pairs
    ]
    edges.sort(key=lambda e: (-e.iou, e.pass_a, e.pass_b, e.index_a, e.index_b))
    # Complete linkage checks every cross pair; single linkage needs no lookup table.
    matched: set[tuple[tuple[int, int], tuple[int, int]]] = set()
    if linkage == "complete":
        matched = {((e.pass_a, e.index_a), (e.pass_b, e.index_b)) for e in edges}
        matched |= {(b, a) for a, b in matched}

    # Each node (pass index, segment index) points at its cluster's list of nodes.
    cluster_of: dict[tuple[int, int], list[tuple[int, int]]] = {
        (p, s): [(p, s)] for p, pass_ in enumerate(passes) for s in range(len(pass_.segments))
    }
    # Loop over matched pairs (O(segments)), never over frames.
    for edge in edges:
        left = cluster_of[(edge.pass_a, edge.index_a)]
        right = cluster_of[(edge.pass_b, edge.index_b)]
        if left is right or {p for p, _ in left} & {p for p, _ in right}:
            continue
        if linkage == "complete" and any((x, y) not in matched for x in left for y in right):
            continue
        left.extend(right)
        for node in right:
            cluster_of[node] = left

    unique = {id(nodes): nodes for nodes in cluster_of.values()}.values()
    clusters = [
        Cluster(
            tuple(
                ClusterMember(p, passes[p].pass_id, passes[p].annotator, s, passes[p].segments[s])
                for p, s in sorted(nodes)
            ),
            len(passes),
        )
        for nodes in unique
    ]
    clusters.sort(
        key=lambda c: (
            min(m.segment.onset for m in c.members),
            max(m.segment.offset for m in c.members),
            c.members[0].pass_index,
            c.members[0].segment_index,
        )
    )
    return tuple(clusters)
