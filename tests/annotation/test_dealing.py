"""Dealing blind passes: distinct annotators per item, balanced load, even pair co-occurrence."""

from __future__ import annotations

import itertools
import math
import random
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import pytest

from annotation.dealing import (
    CooccurrenceStats,
    Deal,
    DealingError,
    cooccurrence,
    cooccurrence_stats,
    deal,
    redeal,
)

POOL = tuple(f"a{index:02d}" for index in range(1, 11))  # the reference pool of 10


def by_item(pairs: Collection[tuple[int, str]]) -> dict[int, set[str]]:
    result: dict[int, set[str]] = {}
    for item, annotator in pairs:
        result.setdefault(item, set()).add(annotator)
    return result


def stats_of(pairs: Collection[tuple[int, str]], annotators: Sequence[str]) -> CooccurrenceStats:
    return cooccurrence_stats(cooccurrence(pairs, annotators)[1])


def assert_valid(
    result: Deal,
    *,
    items: Sequence[int],
    annotators: Sequence[str],
    passes_per_item: int,
    existing: Mapping[int, Collection[str]],
) -> None:
    """Every item has exactly N distinct annotators; new pairs are new and from the pool."""
    assert list(result.assignments) == sorted(set(result.assignments))
    for item, annotator in result.assignments:
        assert annotator in annotators
        assert annotator not in existing.get(item, ())
    final = by_item(result.all_pairs(existing))
    for item in items:
        assert len(final[item]) == max(passes_per_item, len(set(existing.get(item, ()))))
    assert {item for item, _ in result.assignments} <= set(items)
    counts = Counter(annotator for _, annotator in result.all_pairs(existing))
    assert dict(result.load) == {name: counts[name] for name in annotators}


# -- the reference protocol ------------------------------------------------------------------


def test_forty_videos_five_passes_ten_annotators() -> None:
    videos = list(range(1, 41))
    result = deal(items=videos, annotators=POOL, passes_per_item=5)

    assert len(result.assignments) == 200
    assert_valid(result, items=videos, annotators=POOL, passes_per_item=5, existing={})
    assert {
        item: len(names) for item, names in by_item(result.assignments).items()
    } == dict.fromkeys(videos, 5)
    assert dict(result.load) == dict.fromkeys(POOL, 20)

    # 40 videos x C(5, 2) = 400 pair slots over C(10, 2) = 45 pairs: mean 400 / 45 = 8.89. The
    # most even split is 40 pairs at 9 and 5 at 8, whose standard deviation sqrt(8) / 9 = 0.314
    # is the lowest possible; the dealer reached it for each of 200 seeds tried.
    best_std = math.sqrt(8) / 9
    stats = stats_of(result.assignments, POOL)
    print(f"\n40 videos: co-occurrence {stats}, spread {stats.spread}")
    assert stats.mean == pytest.approx(400 / 45)
    assert stats.spread <= 2
    assert (stats.min, stats.max) == (8, 9)
    assert stats.std == pytest.approx(best_std)
    for seed in range(1, 10):
        other = stats_of(
            deal(items=videos, annotators=POOL, passes_per_item=5, seed=seed).assignments, POOL
        )
        assert other.spread <= 2
        assert other.std <= best_std + 1e-12


def test_dealing_again_adds_nothing() -> None:
    videos = list(range(1, 41))
    first = deal(items=videos, annotators=POOL, passes_per_item=5)
    existing = by_item(first.assignments)

    again = deal(items=videos, annotators=POOL, passes_per_item=5, existing=existing)

    assert again.assignments == ()
    assert dict(again.load) == dict.fromkeys(POOL, 20)


def test_new_videos_get_only_their_passes() -> None:
    first = deal(items=list(range(1, 41)), annotators=POOL, passes_per_item=5)
    existing = by_item(first.assignments)
    videos = list(range(1, 51))

    more = deal(items=videos, annotators=POOL, passes_per_item=5, existing=existing, seed=3)

    assert len(more.assignments) == 50
    assert {item for item, _ in more.assignments} == set(range(41, 51))
    assert_valid(more, items=videos, annotators=POOL, passes_per_item=5, existing=existing)
    assert dict(more.load) == dict.fromkeys(POOL, 25)
    assert more.load_spread() == 0


def test_annotator_who_left_keeps_their_pass_and_counts_toward_n() -> None:
    existing = {7: ["gone", "a01"], 8: ["gone"]}

    result = deal(items=[7, 8, 9], annotators=POOL, passes_per_item=5, existing=existing)

    final = by_item(result.all_pairs(existing))
    assert len(final[7]) == 5
    assert {"gone", "a01"} <= final[7]
    assert len(final[8]) == 5
    assert "gone" in final[8]
    assert len(final[9]) == 5
    assert [item for item, _ in result.assignments] == [7] * 3 + [8] * 4 + [9] * 5
    assert all(annotator != "gone" for _, annotator in result.assignments)
    assert "gone" not in result.load
    # 12 new passes and a01's existing one: 13 passes over 10 annotators, 1 or 2 each.
    assert sorted(result.load.values()) == [1] * 7 + [2] * 3


def test_item_with_more_passes_than_asked_gets_nothing() -> None:
    existing = {1: list(POOL[:6])}
    result = deal(items=[1], annotators=POOL, passes_per_item=5, existing=existing)
    assert result.assignments == ()


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_the_same_deal() -> None:
    videos = list(range(100, 160))
    first = deal(items=videos, annotators=POOL, passes_per_item=5, seed=42)
    second = deal(items=videos, annotators=POOL, passes_per_item=5, seed=42)
    assert first == second


def test_different_seeds_may_give_different_deals() -> None:
    videos = list(range(100, 160))
    deals = {
        deal(items=videos, annotators=POOL, passes_per_item=5, seed=seed).assignments
        for seed in range(5)
    }
    assert len(deals) > 1


# -- bad input -------------------------------------------------------------------------------


def test_pool_too_small_names_the_video() -> None:
    with pytest.raises(DealingError) as error:
        deal(
            items=[3, 12],
            annotators=POOL[:4],
            passes_per_item=5,
            existing={3: [*POOL[:4], "gone"]},  # video 3 already has its 5 passes
        )
    assert str(error.value) == "video 12 needs 5 passes but only 4 annotators are available"


def test_annotator_who_left_counts_as_available_for_their_item() -> None:
    existing = {12: ["gone"]}
    with pytest.raises(
        DealingError, match=r"^video 12 needs 5 passes but only 4 annotators are available$"
    ):
        deal(items=[12], annotators=POOL[:3], passes_per_item=5, existing=existing)
    result = deal(items=[12], annotators=POOL[:4], passes_per_item=5, existing=existing)
    assert result.assignments == tuple((12, name) for name in POOL[:4])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"items": [1, 2, 1]}, "video 1 is listed twice"),
        ({"annotators": ["x", "y", "x"]}, "annotator 'x' is listed twice"),
        ({"passes_per_item": 0}, "passes per item must be at least 1, got 0"),
        ({"existing": {1: "a01"}}, "video 1: existing annotators must be a collection of names"),
        ({"seed": -1}, "seed must be a non-negative integer, got -1"),
    ],
)
def test_bad_arguments_are_refused(arguments: dict[str, object], message: str) -> None:
    call: dict[str, object] = {"items": [1, 2], "annotators": POOL, "passes_per_item": 2}
    call.update(arguments)
    with pytest.raises(DealingError) as error:
        deal(**call)  # type: ignore[arg-type]
    assert str(error.value) == message


# -- co-occurrence ---------------------------------------------------------------------------


def test_everyone_on_every_item_cooccurs_everywhere() -> None:
    pool = POOL[:5]
    result = deal(items=list(range(20)), annotators=pool, passes_per_item=5)

    names, matrix = cooccurrence(result.assignments, pool)

    assert names == pool
    assert matrix.tolist() == [[20] * 5] * 5
    assert cooccurrence_stats(matrix) == CooccurrenceStats(min=20, max=20, mean=20.0, std=0.0)
    assert dict(result.load) == dict.fromkeys(pool, 20)


def test_cooccurrence_counts_shared_items() -> None:
    pairs = [(1, "b"), (1, "a"), (2, "a"), (2, "c"), (3, "a"), (3, "b"), (3, "c"), (3, "b")]

    names, matrix = cooccurrence(pairs)

    assert names == ("a", "b", "c")
    assert matrix.tolist() == [[3, 2, 2], [2, 2, 1], [2, 1, 2]]
    stats = cooccurrence_stats(matrix)
    assert (stats.min, stats.max, stats.spread) == (1, 2, 1)
    assert stats.mean == pytest.approx(5 / 3)
    assert stats.std == pytest.approx(math.sqrt(2) / 3)
    assert cooccurrence(pairs, ["c", "a"])[1].tolist() == [[2, 2], [2, 3]]
    assert cooccurrence_stats(cooccurrence(pairs, ["a"])[1]) == CooccurrenceStats(0, 0, 0.0, 0.0)


# -- balance under existing passes -----------------------------------------------------------


def test_rebalancing_moves_passes_along_a_chain() -> None:
    # With this seed, item by item and least loaded first alone ends at loads 4, 2, 3 (video 4
    # can only go to p0 or p2); moving passes along a chain evens them to 3 each.
    pool = ["p0", "p1", "p2"]
    existing = {2: ["p0"], 4: ["p1"], 91: ["gone", "p0"]}

    result = deal(items=[1, 2, 3, 4], annotators=pool, passes_per_item=2, existing=existing)

    assert_valid(result, items=[1, 2, 3, 4], annotators=pool, passes_per_item=2, existing=existing)
    assert dict(result.load) == {"p0": 3, "p1": 3, "p2": 3}


def test_unbalanced_existing_load_goes_to_the_least_loaded_first() -> None:
    existing = dict.fromkeys(range(1, 11), POOL[:5])  # a01..a05 have 10 passes each

    result = deal(items=list(range(1, 15)), annotators=POOL, passes_per_item=5, existing=existing)

    # 4 new videos x 5 passes: every one goes to a06..a10, 4 each; nothing can be taken away.
    assert dict(result.load) == dict.fromkeys(POOL[:5], 10) | dict.fromkeys(POOL[5:], 4)


def optimal_square_sum(
    items: Sequence[int],
    annotators: Sequence[str],
    passes_per_item: int,
    existing: Mapping[int, Collection[str]],
) -> int:
    """The least sum of squared loads over every valid deal, by enumeration."""
    choices = []
    for item in items:
        already = set(existing.get(item, ()))
        free = [name for name in annotators if name not in already]
        choices.append(list(itertools.combinations(free, max(0, passes_per_item - len(already)))))
    base = Counter(name for names in existing.values() for name in set(names))
    best = None
    for picked in itertools.product(*choices):
        load = Counter({name: base[name] for name in annotators})
        load.update(name for group in picked for name in group)
        total = sum(value * value for value in load.values())
        best = total if best is None else min(best, total)
    assert best is not None
    return best


def test_load_is_as_even_as_the_existing_passes_allow() -> None:
    generator = random.Random(7)
    for _ in range(300):
        pool = [f"p{index}" for index in range(generator.randint(3, 5))]
        passes = generator.randint(1, len(pool))
        items = list(range(1, generator.randint(2, 5)))
        existing: dict[int, list[str]] = {}
        for item in [*items, 90, 91]:
            names = generator.sample([*pool, "gone"], generator.randint(0, passes))
            if names:
                existing[item] = names
        seed = generator.randrange(1000)

        result = deal(
            items=items, annotators=pool, passes_per_item=passes, existing=existing, seed=seed
        )

        assert_valid(
            result, items=items, annotators=pool, passes_per_item=passes, existing=existing
        )
        assert sum(value * value for value in result.load.values()) == optimal_square_sum(
            items, pool, passes, existing
        )


def test_invariants_on_random_configurations_from_nothing() -> None:
    generator = random.Random(2024)
    for _ in range(25):
        size = generator.randint(2, 16)
        passes = generator.randint(1, size)
        videos = generator.sample(range(10_000), generator.randint(1, 120))
        pool = [f"ann{index}" for index in range(size)]
        seed = generator.randrange(10_000)

        result = deal(items=videos, annotators=pool, passes_per_item=passes, seed=seed)

        assert_valid(result, items=videos, annotators=pool, passes_per_item=passes, existing={})
        assert len(result.assignments) == len(videos) * passes
        assert all(len(names) == passes for names in by_item(result.assignments).values())
        assert sum(result.load.values()) == len(videos) * passes
        assert result.load_spread() <= 1


# -- an annotator leaves ---------------------------------------------------------------------


def test_redeal_gives_each_open_pass_to_someone_not_on_the_video() -> None:
    videos = list(range(1, 41))
    dealt = by_item(deal(items=videos, annotators=POOL, passes_per_item=5).assignments)
    leaving = "a04"
    theirs = sorted(item for item, names in dealt.items() if leaving in names)
    assert len(theirs) == 20
    open_items = theirs[:7]  # the other 13 were submitted and stay
    existing = {
        item: names - {leaving} if item in open_items else names for item, names in dealt.items()
    }
    remaining = [name for name in POOL if name != leaving]

    result = redeal(removed=leaving, open_items=open_items, annotators=remaining, existing=existing)

    assert [item for item, _ in result.assignments] == open_items
    for item, annotator in result.assignments:
        assert annotator != leaving
        assert annotator not in existing[item]
    final = by_item(result.all_pairs(existing))
    assert all(len(final[item]) == 5 for item in videos)
    assert sum(leaving in final[item] for item in videos) == 13
    # Everyone else had 20 passes: seven of them get one more.
    assert set(result.load) == set(remaining)
    assert sorted(result.load.values()) == [20] * 2 + [21] * 7
    assert result.load_spread() <= 1
    # Listing the leaving annotator in the pool changes nothing: they get no pass.
    assert (
        redeal(removed=leaving, open_items=open_items, annotators=POOL, existing=existing) == result
    )


def test_redeal_goes_to_the_least_loaded() -> None:
    # Loads: a 1, b 4, c 2, d 0. "x" left; their open passes of videos 5 and 6 were deleted.
    existing = {1: ["a", "b"], 2: ["b", "c"], 3: ["c", "b"], 4: ["b", "x"]}

    result = redeal(
        removed="x", open_items=[5, 6], annotators=["a", "b", "c", "d"], existing=existing
    )

    assert [item for item, _ in result.assignments] == [5, 6]
    assert {annotator for _, annotator in result.assignments} <= {"a", "d"}
    assert (result.load["b"], result.load["c"]) == (4, 2)
    assert sorted([result.load["a"], result.load["d"]]) == [1, 2]


def test_redeal_refuses_an_open_pass_not_deleted_and_a_full_video() -> None:
    with pytest.raises(DealingError, match=r"^video 1: the open pass of 'x' must be deleted"):
        redeal(removed="x", open_items=[1], annotators=["a", "b"], existing={1: ["x", "a"]})
    with pytest.raises(
        DealingError, match=r"^video 2 needs a replacement for 'x' but every annotator"
    ):
        redeal(removed="x", open_items=[2], annotators=["a", "b", "x"], existing={2: ["a", "b"]})


# -- speed -----------------------------------------------------------------------------------


def test_thousand_videos_deal_quickly() -> None:
    videos = list(range(1, 1001))
    started = time.perf_counter()
    result = deal(items=videos, annotators=POOL, passes_per_item=5)
    elapsed = time.perf_counter() - started

    stats = stats_of(result.assignments, POOL)
    print(f"\n1,000 videos x 10 annotators x 5 passes: {elapsed:.3f} s, co-occurrence {stats}")
    assert len(result.assignments) == 5000
    assert dict(result.load) == dict.fromkeys(POOL, 500)
    assert stats.spread <= 2
