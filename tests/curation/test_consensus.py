"""Consensus fusion: support threshold, boundary estimates and rounding, votes and ties."""

from __future__ import annotations

from fractions import Fraction

import pytest

from curation.consensus import (
    consensus_from_clusters,
    estimate,
    fuse,
    majority_support,
    plurality_vote,
    round_half_down,
    round_half_up,
)
from curation.matching import cluster_passes
from curation.types import Pass, Segment


def one_cluster(segments: list[Segment]) -> list[Pass]:
    return [Pass(f"p{i}", f"a{i}", (segment,)) for i, segment in enumerate(segments)]


def test_majority_support() -> None:
    assert [majority_support(n) for n in (1, 2, 3, 4, 5, 10)] == [1, 2, 2, 3, 3, 6]


def test_estimates_are_exact() -> None:
    assert estimate([10, 11], "median") == Fraction(21, 2)
    assert estimate([3, 1, 2], "median") == 2
    assert estimate([10, 11, 11], "mean") == Fraction(32, 3)
    # trim 0.2 of 5 values drops one at each end: mean(10, 11, 12)
    assert estimate([0, 10, 11, 12, 100], "trimmed_mean", 0.2) == 11
    # trim 0.2 of 4 values drops floor(0.8) = 0: the plain mean
    assert estimate([0, 10, 11, 100], "trimmed_mean", 0.2) == Fraction(121, 4)
    with pytest.raises(ValueError, match="trim"):
        estimate([1, 2], "trimmed_mean", 0.5)


def test_rounding_ties_widen_never_banker() -> None:
    assert [round_half_down(Fraction(x, 2)) for x in (3, 5, -5)] == [1, 2, -3]
    assert [round_half_up(Fraction(x, 2)) for x in (3, 5, -5)] == [2, 3, -2]
    assert round_half_down(Fraction(32, 3)) == 11  # not a tie: nearest
    assert round_half_up(Fraction(31, 3)) == 10


def test_median_boundaries_with_even_support_widen_the_interval() -> None:
    passes = one_cluster([Segment(10, 20, apex=14), Segment(11, 21, apex=15)])
    (segment,) = fuse(passes)
    # onset median 10.5 -> 10 (earlier), offset median 20.5 -> 21 (later), apex 14.5 -> 14
    assert (segment.onset, segment.offset, segment.apex) == (10, 21, 14)
    assert segment.onset_estimate == Fraction(21, 2)
    assert segment.offset_estimate == Fraction(41, 2)
    assert (segment.onset_range, segment.offset_range) == (1, 1)
    assert segment.onset_std == 0.5


def test_boundary_methods() -> None:
    segments = [Segment(10, 30), Segment(11, 31), Segment(12, 32), Segment(13, 40), Segment(9, 29)]
    passes = one_cluster(segments)
    median = fuse(passes)[0]
    assert (median.onset, median.offset) == (11, 31)
    mean = fuse(passes, method="mean")[0]
    # onsets mean 55/5 = 11; offsets mean 162/5 = 32.4 -> 32
    assert (mean.onset, mean.offset) == (11, 32)
    trimmed = fuse(passes, method="trimmed_mean", trim=0.2)[0]
    # drop 9 and 13 -> mean(10, 11, 12) = 11; drop 29 and 40 -> mean(30, 31, 32) = 31
    assert (trimmed.onset, trimmed.offset) == (11, 31)


def test_apex_is_clamped_and_optional() -> None:
    # apexes given by two members only: median 19.5 -> 19, inside [10, 20]
    passes = one_cluster([Segment(10, 20, apex=19), Segment(10, 20, apex=20), Segment(10, 20)])
    assert fuse(passes)[0].apex == 19
    assert fuse(one_cluster([Segment(10, 20), Segment(10, 20)]))[0].apex is None
    # a lone early apex (member [6, 15], apex 6) lies before the consensus onset 9: clamped to 9
    passes = one_cluster([Segment(6, 15, apex=6), Segment(9, 18), Segment(10, 19)])
    segment = fuse(passes)[0]
    assert (segment.onset, segment.apex) == (9, 9)


def test_support_threshold() -> None:
    passes = [
        Pass("p0", "a", (Segment(0, 9), Segment(100, 109), Segment(200, 209))),
        Pass("p1", "b", (Segment(0, 9), Segment(100, 109))),
        Pass("p2", "c", (Segment(0, 9),)),
        Pass("p3", "d", ()),
    ]
    # N = 4: majority is 3 of 4
    assert [(s.onset, s.support) for s in fuse(passes)] == [(0, 3)]
    assert [(s.onset, s.support) for s in fuse(passes, min_support=2)] == [(0, 3), (100, 2)]
    assert len(fuse(passes, min_support=1)) == 3
    with pytest.raises(ValueError, match="min_support"):
        fuse(passes, min_support=5)


def test_votes_and_ties_flag_the_curator() -> None:
    assert plurality_vote(["macro", "macro", "micro", None]).value == "macro"
    tie = plurality_vote(["macro", "micro", None])
    assert (tie.value, tie.tied, tie.counts) == (None, True, (("macro", 1), ("micro", 1)))
    assert plurality_vote([None, None]) == plurality_vote([])

    segments = [
        Segment(0, 9, type="macro", emotion="happy", aus=frozenset({"AU6", "AU12"})),
        Segment(0, 9, type="micro", emotion="happy", aus=frozenset({"AU12"})),
        Segment(0, 9, type="macro", emotion="sad", aus=frozenset({"AU4", "AU12"})),
        Segment(0, 9, type="micro", emotion="happy", aus=frozenset({"AU4"})),
    ]
    (segment,) = fuse(one_cluster(segments))
    assert segment.type is None
    assert segment.emotion == "happy"
    assert segment.aus == frozenset({"AU12"})  # 3 of 4
    assert segment.tied_aus == frozenset({"AU4"})  # 2 of 4; AU6 (1 of 4) is simply absent
    assert segment.needs_curator
    assert segment.reasons == ("type tie: macro, micro", "AU tie: AU4")

    clean = fuse(one_cluster(segments[:3]))[0]
    assert (clean.type, clean.emotion, clean.needs_curator) == ("macro", "happy", False)
    assert clean.aus == frozenset({"AU12"})


def test_members_and_ids_are_kept() -> None:
    passes = [
        Pass("p0", "a", (Segment(50, 60, segment_id=7), Segment(0, 9, segment_id=8))),
        Pass("p1", "b", (Segment(1, 10, segment_id=21),)),
        Pass("p2", "c", (Segment(51, 61, segment_id=33), Segment(0, 10, segment_id=34))),
    ]
    consensus = fuse(passes)
    assert [s.member_segment_ids for s in consensus] == [(8, 21, 34), (7, 33)]
    assert [(m.pass_id, m.segment_index) for m in consensus[0].members] == [
        ("p0", 1),
        ("p1", 0),
        ("p2", 1),
    ]
    assert consensus[0].as_segment(segment_id="c0") == Segment(0, 10, segment_id="c0")


def test_consensus_from_clusters_validates() -> None:
    clusters = cluster_passes(one_cluster([Segment(0, 9), Segment(0, 9)]))
    with pytest.raises(ValueError, match="boundary method"):
        consensus_from_clusters(clusters, 2, method="mode")  # type: ignore[arg-type]
