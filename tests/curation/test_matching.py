"""Inclusive-frame IoU, optimal pairwise matching and clusters across passes."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from curation.matching import Linkage, cluster_passes, iou, iou_matrix, match_pair
from curation.types import Pass, Segment


def test_iou_counts_inclusive_frames() -> None:
    assert iou(Segment(0, 0), Segment(0, 0)) == 1.0
    assert iou(Segment(5, 5), Segment(6, 6)) == 0.0
    assert iou(Segment(0, 4), Segment(5, 9)) == 0.0  # adjacent, no shared frame
    assert iou(Segment(0, 9), Segment(5, 14)) == 5 / 15  # frames 5..9 of 0..14
    assert iou(Segment(0, 3), Segment(1, 2)) == 0.5  # 2 of 4 frames
    assert iou(Segment(10, 19), Segment(0, 100)) == 10 / 101


def test_iou_matrix_equals_scalar_iou() -> None:
    rng = np.random.default_rng(0)
    a = [Segment(int(x), int(x + rng.integers(0, 30))) for x in rng.integers(0, 200, 25)]
    b = [Segment(int(x), int(x + rng.integers(0, 30))) for x in rng.integers(0, 200, 17)]
    matrix = iou_matrix(a, b)
    assert matrix.shape == (25, 17)
    for i, sa in enumerate(a):
        for j, sb in enumerate(b):
            assert matrix[i, j] == iou(sa, sb)


def test_threshold_is_inclusive() -> None:
    assert [
        (p.index_a, p.index_b, p.iou) for p in match_pair([Segment(0, 3)], [Segment(1, 2)])
    ] == [(0, 0, 0.5)]
    assert match_pair([Segment(0, 4)], [Segment(1, 2)]) == ()  # IoU 0.4
    assert match_pair([Segment(0, 4)], [Segment(1, 2)], threshold=0.4)[0].iou == 0.4
    with pytest.raises(ValueError, match="threshold"):
        match_pair([Segment(0, 4)], [Segment(1, 2)], threshold=0.0)


def all_matchings(n_a: int, n_b: int) -> Iterator[list[tuple[int, int]]]:
    """Every one-to-one partial matching between range(n_a) and range(n_b)."""
    if n_a == 0:
        yield []
        return
    for rest in all_matchings(n_a - 1, n_b):
        yield rest
        used = {j for _, j in rest}
        for j in range(n_b):
            if j not in used:
                yield [*rest, (n_a - 1, j)]


def test_match_pair_is_optimal_most_pairs_then_largest_total_iou() -> None:
    rng = np.random.default_rng(11)
    for _ in range(300):
        a = [Segment(int(x), int(x + rng.integers(0, 12))) for x in rng.integers(0, 40, 4)]
        b = [Segment(int(x), int(x + rng.integers(0, 12))) for x in rng.integers(0, 40, 4)]
        matrix = iou_matrix(a, b)
        best = max(
            (len(m), round(sum(matrix[i, j] for i, j in m), 12))
            for m in all_matchings(len(a), len(b))
            if all(matrix[i, j] >= 0.5 for i, j in m)
        )
        pairs = match_pair(a, b)
        assert all(p.iou >= 0.5 for p in pairs)
        assert len({p.index_a for p in pairs}) == len({p.index_b for p in pairs}) == len(pairs)
        assert (len(pairs), round(sum(p.iou for p in pairs), 12)) == best


def test_identical_passes_form_full_support_clusters() -> None:
    segments = (Segment(10, 20, type="macro"), Segment(40, 44, type="micro"))
    passes = [Pass(f"p{i}", f"a{i}", segments) for i in range(5)]
    clusters = cluster_passes(passes)
    assert [c.support for c in clusters] == [5, 5]
    assert [c.n_passes for c in clusters] == [5, 5]
    assert [[m.segment_index for m in c.members] for c in clusters] == [[0] * 5, [1] * 5]
    assert clusters[1].member_for(3) is not None
    assert clusters[1].member_for(7) is None


def test_one_segment_per_pass_even_when_matches_chain_across_passes() -> None:
    # A-C matches a1 with c0 (IoU 9/11); A-B matches a0 with b0 (8/12); B-C matches b0 with c0
    # (7/13). Merging along b0-c0 would put a0 and a1 (both pass A) in one cluster: refused.
    a0, a1 = Segment(0, 9), Segment(6, 15)
    b0 = Segment(2, 11)
    c0 = Segment(5, 14)
    passes = [Pass("A", "x", (a0, a1)), Pass("B", "y", (b0,)), Pass("C", "z", (c0,))]
    clusters = cluster_passes(passes)
    members = [[(m.pass_id, m.segment_index) for m in c.members] for c in clusters]
    assert members == [[("A", 0), ("B", 0)], [("A", 1), ("C", 0)]]


def test_single_linkage_chains_complete_linkage_does_not() -> None:
    # IoU(a, b) = IoU(b, c) = 7/13 >= 0.5 but IoU(a, c) = 4/16 < 0.5
    passes = [
        Pass("A", "x", (Segment(0, 9),)),
        Pass("B", "y", (Segment(3, 12),)),
        Pass("C", "z", (Segment(6, 15),)),
    ]
    assert [c.support for c in cluster_passes(passes, linkage="single")] == [3]
    complete = cluster_passes(passes, linkage="complete")
    assert [[m.pass_id for m in c.members] for c in complete] == [["A", "B"], ["C"]]


def test_clusters_partition_all_segments_on_random_passes() -> None:
    rng = np.random.default_rng(5)
    linkages: tuple[Linkage, ...] = ("single", "complete")
    for linkage in linkages:
        for _ in range(20):
            passes = []
            for index in range(int(rng.integers(2, 6))):
                starts = np.sort(rng.choice(np.arange(0, 500, 3), int(rng.integers(0, 12)), False))
                segments = tuple(Segment(int(s), int(s + rng.integers(0, 25))) for s in starts)
                passes.append(Pass(index, index, segments))
            clusters = cluster_passes(passes, linkage=linkage)
            seen = sorted((m.pass_index, m.segment_index) for c in clusters for m in c.members)
            expected = sorted(
                (p, s) for p, ps in enumerate(passes) for s in range(len(ps.segments))
            )
            assert seen == expected
            for cluster in clusters:
                assert len({m.pass_index for m in cluster.members}) == cluster.support
                if linkage == "complete":
                    for x in cluster.members:
                        for y in cluster.members:
                            if x.pass_index < y.pass_index:
                                assert iou(x.segment, y.segment) >= 0.5


@pytest.mark.parametrize("seed", range(20))
def test_small_inputs_match_as_the_assignment_solver_does(seed: int, monkeypatch) -> None:
    """The plain-Python path for a few segments gives exactly the solver's matching."""
    import random

    from curation import matching

    rng = random.Random(seed)

    def segments() -> list[Segment]:
        starts = sorted(rng.sample(range(0, 300, 3), rng.randint(0, 6)))
        return [Segment(s, s + rng.randint(0, 40)) for s in starts]

    for _ in range(20):
        a, b = segments(), segments()
        fast = matching.match_pair(a, b)
        monkeypatch.setattr(matching, "_SMALL", 0)
        assert matching.match_pair(a, b) == fast
        monkeypatch.setattr(matching, "_SMALL", 64)
