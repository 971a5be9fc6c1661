"""Dealing blind passes: which annotators label which item, balanced and evenly paired.

The design's "Annotation protocol": every item (a video, or a clip) gets ``passes_per_item``
passes from as many *different* annotators of the project's pool; the load is spread evenly;
every pair of annotators labels about the same number of items together, so that pairwise
agreement can be estimated for every pair; an annotator can leave and their open passes are
re-dealt. This module decides who gets which pass. It is pure (no Django, no database): the
service layer reads the passes that already exist, calls :func:`deal` or :func:`redeal`, and
writes the new pairs it returns.

Contract of :func:`deal`
    ``existing`` holds, per item, the annotators who already have a pass of it (dealt earlier,
    submitted or not). They count toward the item's N, and an annotator who has left the pool
    still counts there but is never given a new pass. The result holds only the *new*
    ``(item, annotator)`` pairs, so dealing again with the result merged into ``existing`` adds
    nothing, and dealing after new items arrive adds only their passes. Afterwards every item
    of ``items`` has exactly ``passes_per_item`` distinct annotators (an item that already has
    more keeps them all and gets nothing). Items of ``existing`` that are not in ``items`` get
    no pass but count for load and co-occurrence.

Load
    An annotator's load is their number of passes over every item of ``existing`` plus the new
    ones; only members of the pool have a load. The new passes are placed so that the loads are
    as even as the existing passes allow: no new pass could be moved, directly or along a chain
    of moves, from an annotator to one with at least two passes fewer. Starting from nothing
    the loads therefore end within one pass of each other. Existing passes are never moved, so
    when the existing loads are unbalanced (or an item can only go to some annotators) the
    spread can stay above one: the new passes go to the least loaded first, which narrows the
    gap as far as the new passes and the items' eligible annotators allow.

Co-occurrence
    ``C[a, b]`` is the number of items that both ``a`` and ``b`` label. Among the deals with the
    loads above, the dealer looks for one with a small variance of ``C`` over the pairs of pool
    members; the total of ``C`` is fixed by the number of pool members per item, so this is a
    small sum of squares ``sum C[a, b]**2``. The ideal, every pair within one of the mean
    ``items * C(N, 2) / C(pool, 2)``, is not always reachable; the search stops at a local
    optimum (in practice within one or two of the mean; see the tests for measured cases).

Algorithm
    1. Greedy, item by item in the given order: each missing pass goes to an eligible pool member
       (not already on the item) with the lowest load, ties broken by the smallest summed
       co-occurrence with the annotators already on the item, then by a seeded random rank.
    2. Rebalancing (only when the existing passes constrain it): while some annotator ``h`` can
       hand a new pass to an annotator with at least two passes fewer, directly or along a chain
       ``h -> x -> ... -> l`` in which each step moves one of the giver's new passes to someone
       not on that item, the chain is applied (breadth-first search, shortest chain). Its
       intermediate loads are unchanged. When no such chain exists the loads minimise the sum of
       squared loads over every valid deal; the achievable load vectors form an M-convex set,
       where that minimiser also has the smallest maximum and the largest minimum (Frank and
       Murota, "Discrete decreasing minimization", 2022), hence the smallest spread.
    3. Local search on co-occurrence: a swap exchanges two new passes between items, ``a`` on
       item ``i`` and ``b`` on item ``j`` becoming ``b`` on ``i`` and ``a`` on ``j`` (allowed when
       ``b`` is not on ``i`` and ``a`` not on ``j``). Loads and distinctness are unchanged, and
       the change of ``sum C**2`` has a closed form (see ``_Dealer._swap_best``), so for one pair
       of annotators every candidate swap is scored at once with a few matrix products. Pairs
       of annotators are visited in a seeded random order; for each, the best improving swap
       (ties broken by the seeded generator) is applied until none improves; sweeps repeat
       until a sweep improves nothing, or every pair is within one of every other (the
       optimum). Passes that existed before are never moved.
    4. Perturbation, while pairs still differ by more than one: two random swaps, the local
       search again, and the result kept only if ``(sum C**2, max - min)`` went down, within a
       fixed work budget (counted in scored swaps, so the result does not depend on the
       machine). For 40 items, 10 annotators and 5 passes, steps 1-3 reached the optimum
       (every pair 8 or 9) for 158 of 200 seeds and step 4 for all 200.

The result depends only on the inputs and ``seed`` (a non-negative integer): the same call
gives the same deal; another seed may give another deal of the same quality.

:func:`redeal` serves an annotator who leaves: each of their open passes, deleted by the caller,
is given to one other annotator of the pool, with the same steps (one missing pass per open
item, least loaded first, co-occurrence as the tie-breaker, then the local search).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np
import numpy.typing as npt

ItemId = int
AnnotatorId = str
Pair = tuple[ItemId, AnnotatorId]

# Safety bound on local-search sweeps; in practice a few sweeps reach a local optimum.
_MAX_SWEEPS = 50
# At most this many rows on each side of a swap are scored in one local-search step.
_MAX_CANDIDATES = 256
# Perturbation: random swaps per kick, and the work all kicks may spend, counted in scored
# candidate swaps plus a fixed charge per step (the numpy calls of one step on a small project
# cost about as much as scoring this many candidates). Measured: at most about 0.2 s of kicks
# for 1,000 to 16,000 items, a few milliseconds for 40.
_KICK_SWAPS = 2
_KICK_WORK = 5_000_000
_STEP_WORK = 10_000


class DealingError(ValueError):
    """The passes cannot be dealt as asked (for example, a pool too small for an item)."""


@dataclass(frozen=True, slots=True)
class CooccurrenceStats:
    """Summary of the co-occurrence counts over the off-diagonal pairs of annotators."""

    min: int
    max: int
    mean: float
    std: float

    @property
    def spread(self) -> int:
        """``max - min``: 0 or 1 is perfectly even."""
        return self.max - self.min


@dataclass(frozen=True, slots=True)
class Deal:
    """The new passes of a deal and the resulting load of every pool member.

    ``assignments`` are the new ``(item, annotator)`` pairs only, sorted by item then annotator.
    ``load`` maps every annotator of the pool to their total number of passes afterwards
    (existing ones of every item in ``existing`` plus new ones), in pool order.
    """

    assignments: tuple[Pair, ...]
    load: Mapping[AnnotatorId, int]

    def all_pairs(self, existing: Mapping[ItemId, Collection[AnnotatorId]]) -> tuple[Pair, ...]:
        """The existing pairs and the new ones together, sorted by item then annotator."""
        pairs = {(item, annotator) for item, names in existing.items() for annotator in names}
        pairs.update(self.assignments)
        return tuple(sorted(pairs))

    def load_spread(self) -> int:
        """``max(load) - min(load)`` over the pool (0 for an empty pool)."""
        return max(self.load.values()) - min(self.load.values()) if self.load else 0


def cooccurrence(
    pairs: Iterable[Pair], annotators: Sequence[AnnotatorId] | None = None
) -> tuple[tuple[AnnotatorId, ...], npt.NDArray[np.int64]]:
    """Co-occurrence matrix of ``(item, annotator)`` pairs.

    Returns the annotators (``annotators`` in the given order, or else every annotator of
    ``pairs`` sorted) and the square matrix whose ``[a, b]`` entry is the number of items that
    both ``a`` and ``b`` label; the diagonal holds each annotator's number of items. Pairs of
    annotators not in ``annotators`` are ignored; a repeated pair counts once.
    """
    unique = set(pairs)
    names = (
        tuple(annotators)
        if annotators is not None
        else tuple(sorted({annotator for _, annotator in unique}))
    )
    column = {name: index for index, name in enumerate(names)}
    kept = sorted((item, column[name]) for item, name in unique if name in column)
    item_row: dict[ItemId, int] = {}
    for item, _ in kept:
        item_row.setdefault(item, len(item_row))
    membership = np.zeros((len(item_row), len(names)), dtype=np.int64)
    for item, index in kept:
        membership[item_row[item], index] = 1
    matrix: npt.NDArray[np.int64] = membership.T @ membership
    return names, matrix


def cooccurrence_stats(matrix: npt.NDArray[np.int64]) -> CooccurrenceStats:
    """Min, max, mean and (population) standard deviation of the off-diagonal entries.

    Each unordered pair counts once. Fewer than two annotators have no pair: all zero.
    """
    upper = matrix[np.triu_indices(matrix.shape[0], k=1)]
    if upper.size == 0:
        return CooccurrenceStats(min=0, max=0, mean=0.0, std=0.0)
    return CooccurrenceStats(
        min=int(upper.min()),
        max=int(upper.max()),
        mean=float(upper.mean()),
        std=float(upper.std()),
    )


def deal(
    *,
    items: Sequence[ItemId],
    annotators: Sequence[AnnotatorId],
    passes_per_item: int,
    existing: Mapping[ItemId, Collection[AnnotatorId]] = MappingProxyType({}),
    seed: int = 0,
) -> Deal:
    """Deal the missing passes of ``items`` among ``annotators`` (see the module docstring).

    Raises :class:`DealingError` when ``passes_per_item < 1``, when ``items`` or ``annotators``
    repeat, or when an item cannot reach ``passes_per_item`` distinct annotators.
    """
    if passes_per_item < 1:
        raise DealingError(f"passes per item must be at least 1, got {passes_per_item}")
    _check_unique(items, "video")
    _check_unique(annotators, "annotator")
    _check_existing(existing)
    pool = set(annotators)
    missing: dict[ItemId, int] = {}
    for item in items:
        already = set(existing.get(item, ()))
        needed = passes_per_item - len(already)
        if needed <= 0:
            continue
        available = len(already) + len(pool - already)
        if available < passes_per_item:
            raise DealingError(
                f"video {item} needs {passes_per_item} passes but only {available} "
                f"annotator{'s are' if available != 1 else ' is'} available"
            )
        missing[item] = needed
    return _Dealer(annotators, existing, seed).run(missing)


def redeal(
    *,
    removed: AnnotatorId,
    open_items: Sequence[ItemId],
    annotators: Sequence[AnnotatorId],
    existing: Mapping[ItemId, Collection[AnnotatorId]],
    seed: int = 0,
) -> Deal:
    """Give each open pass of ``removed`` to another annotator of the pool.

    ``open_items`` are the items whose pass by ``removed`` was still open (not submitted); the
    caller deletes those passes, so ``existing`` must not hold ``removed`` on them but holds
    every other pass (``removed``'s submitted passes included: they stay). Each open item gets
    exactly one new annotator from ``annotators`` (``removed`` excluded if listed) who has no
    pass of it: least loaded first, co-occurrence as the tie-breaker, then the local search of
    the module docstring. Raises :class:`DealingError` when an open item repeats, still lists
    ``removed``, or has no annotator left to take it.
    """
    _check_unique(open_items, "video")
    _check_unique(annotators, "annotator")
    _check_existing(existing)
    pool = [name for name in annotators if name != removed]
    missing: dict[ItemId, int] = {}
    for item in open_items:
        already = set(existing.get(item, ()))
        if removed in already:
            raise DealingError(
                f"video {item}: the open pass of {removed!r} must be deleted before re-dealing"
            )
        if not set(pool) - already:
            raise DealingError(
                f"video {item} needs a replacement for {removed!r} but every annotator "
                "of the pool already has a pass of it"
            )
        missing[item] = 1
    return _Dealer(pool, existing, seed).run(missing)


def _check_existing(existing: Mapping[ItemId, Collection[AnnotatorId]]) -> None:
    # A bare string is a Collection[str] too: "ann" would read as the annotators "a" and "n".
    for item, names in existing.items():
        if isinstance(names, str):
            raise DealingError(f"video {item}: existing annotators must be a collection of names")


def _check_unique(values: Sequence[object], what: str) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise DealingError(f"{what} {value!r} is listed twice")
        seen.add(value)


class _Dealer:
    """State of one deal: items as rows, pool members as columns.

    ``_members[r, a]`` is 1 when pool member ``a`` has a pass (existing or new) of the item of
    row ``r``, and ``_new[r, a]`` is true when that pass is new. The rows are the items that
    receive passes; the items that receive none are folded into the starting loads and the
    starting co-occurrence. ``_pairs`` is the co-occurrence of pool members over all items
    (zero diagonal), kept up to date by every change.
    """

    def __init__(
        self,
        annotators: Sequence[AnnotatorId],
        existing: Mapping[ItemId, Collection[AnnotatorId]],
        seed: int,
    ) -> None:
        self._names = list(annotators)
        self._column = {name: index for index, name in enumerate(self._names)}
        self._existing = existing
        if seed < 0:
            raise DealingError(f"seed must be a non-negative integer, got {seed}")
        self._rng = np.random.default_rng(seed)

    def run(self, missing: Mapping[ItemId, int]) -> Deal:
        size = len(self._names)
        self._items = list(missing)
        row_of = {item: row for row, item in enumerate(self._items)}
        self._members = np.zeros((len(self._items), size), dtype=np.float64)
        self._new = np.zeros((len(self._items), size), dtype=bool)
        self._load = np.zeros(size, dtype=np.int64)
        self._pairs = np.zeros((size, size), dtype=np.int64)
        for item, names in self._existing.items():
            columns = sorted({self._column[name] for name in names if name in self._column})
            self._load[columns] += 1
            self._pairs[np.ix_(columns, columns)] += 1
            if item in row_of:
                self._members[row_of[item], columns] = 1.0
        np.fill_diagonal(self._pairs, 0)

        self._greedy(missing)
        self._rebalance()
        self._improve()

        new_rows, new_columns = np.nonzero(self._new)
        assignments = tuple(
            sorted(
                (self._items[row], self._names[column])
                for row, column in zip(new_rows.tolist(), new_columns.tolist(), strict=True)
            )
        )
        load = {name: int(self._load[index]) for index, name in enumerate(self._names)}
        return Deal(assignments=assignments, load=MappingProxyType(load))

    # -- step 1: greedy ---------------------------------------------------------------------

    def _greedy(self, missing: Mapping[ItemId, int]) -> None:
        # Plain Python lists: a pool holds tens of annotators, where a numpy call per choice
        # costs more than the loop it replaces.
        size = len(self._names)
        pairs: list[list[int]] = self._pairs.tolist()
        load: list[int] = self._load.tolist()
        ranks: list[list[float]] = self._rng.random((len(self._items), size)).tolist()
        for row, item in enumerate(self._items):
            on_item = np.flatnonzero(self._members[row]).tolist()
            already = set(on_item)
            candidates = [a for a in range(size) if a not in already]
            together = [sum(pairs[x][a] for x in on_item) for a in range(size)]
            rank = ranks[row]
            for _ in range(missing[item]):
                chosen = min(candidates, key=lambda a: (load[a], together[a], rank[a]))
                candidates.remove(chosen)
                chosen_pairs = pairs[chosen]
                for a in candidates:
                    together[a] += chosen_pairs[a]
                for x in on_item:
                    pairs[x][chosen] += 1
                    chosen_pairs[x] += 1
                on_item.append(chosen)
                load[chosen] += 1
                self._members[row, chosen] = 1.0
                self._new[row, chosen] = True
        self._pairs = np.array(pairs, dtype=np.int64).reshape(size, size)
        self._load = np.array(load, dtype=np.int64)

    # -- step 2: rebalancing ----------------------------------------------------------------

    def _rebalance(self) -> None:
        while self._load.size and int(self._load.max() - self._load.min()) > 1:
            if not self._shift_one():
                return

    def _shift_one(self) -> bool:
        """Apply one chain that moves a pass to an annotator with 2+ passes fewer, if any."""
        free = self._members == 0
        for giver in np.argsort(-self._load, kind="stable").tolist():
            target_load = int(self._load[giver]) - 2
            # came_from[taker] = (holder, row): the holder's new pass of that row goes to taker.
            came_from: dict[int, tuple[int, int]] = {}
            seen = {giver}
            frontier = [giver]
            while frontier:
                following: list[int] = []
                for holder in frontier:
                    movable = self._new[:, holder][:, None] & free
                    for taker in np.flatnonzero(movable.any(axis=0)).tolist():
                        if taker in seen:
                            continue
                        seen.add(taker)
                        came_from[taker] = (holder, int(np.argmax(movable[:, taker])))
                        if self._load[taker] <= target_load:
                            self._apply_chain(came_from, taker)
                            return True
                        following.append(taker)
                frontier = following
        return False

    def _apply_chain(self, came_from: Mapping[int, tuple[int, int]], end: int) -> None:
        taker = end
        while taker in came_from:
            holder, row = came_from[taker]
            self._move(row, holder, taker)
            taker = holder
        self._load[end] += 1
        self._load[taker] -= 1

    def _move(self, row: int, leaving: int, coming: int) -> None:
        """Give ``leaving``'s new pass of ``row`` to ``coming``; loads are the caller's."""
        self._members[row, leaving] = 0.0
        self._new[row, leaving] = False
        others = np.flatnonzero(self._members[row])
        self._pairs[leaving, others] -= 1
        self._pairs[others, leaving] -= 1
        self._pairs[coming, others] += 1
        self._pairs[others, coming] += 1
        self._members[row, coming] = 1.0
        self._new[row, coming] = True

    # -- step 3: local search on co-occurrence ----------------------------------------------

    def _improve(self) -> None:
        size = len(self._names)
        if size < 3 or not self._new.any():
            return
        self._pair_list = [(a, b) for a in range(size) for b in range(a + 1, size)]
        self._upper = np.triu_indices(size, k=1)
        self._work = 0
        self._descend()
        self._work = 0
        best = self._score()
        while best[1] > 1 and self._work < _KICK_WORK:
            saved = (self._members.copy(), self._new.copy(), self._pairs.copy())
            for _ in range(_KICK_SWAPS):
                self._swap_random()
            self._descend()
            score = self._score()
            if score < best:
                best = score
            else:
                self._members, self._new, self._pairs = saved

    def _score(self) -> tuple[int, int]:
        off_diagonal = self._pairs[self._upper]
        return int((off_diagonal * off_diagonal).sum()), int(
            off_diagonal.max() - off_diagonal.min()
        )

    def _descend(self) -> None:
        for _ in range(_MAX_SWEEPS):
            improved = False
            for index in self._rng.permutation(len(self._pair_list)).tolist():
                a, b = self._pair_list[index]
                while True:
                    off_diagonal = self._pairs[self._upper]
                    if off_diagonal.max() - off_diagonal.min() <= 1:
                        return
                    if not self._swap_best(a, b):
                        break
                    improved = True
            if not improved:
                return

    def _swap_random(self) -> None:
        a, b = self._pair_list[int(self._rng.integers(len(self._pair_list)))]
        give = np.flatnonzero(self._new[:, a] & (self._members[:, b] == 0))
        take = np.flatnonzero(self._new[:, b] & (self._members[:, a] == 0))
        if give.size and take.size:
            self._move(int(give[self._rng.integers(give.size)]), a, b)
            self._move(int(take[self._rng.integers(take.size)]), b, a)

    def _swap_best(self, a: int, b: int) -> bool:
        """Apply the swap of ``a`` and ``b`` that lowers ``sum C**2`` most; False if none does.

        Candidates: ``a`` new on row ``i`` without ``b``, and ``b`` new on row ``j`` without
        ``a``. With ``u`` and ``v`` the other pool members of the two rows, the swap adds
        ``d = v - u`` to ``C[a]`` and subtracts it from ``C[b]``, which changes the sum of
        squares over unordered pairs by ``2 d.(C[a] - C[b]) + 2 |d|**2``, that is
        ``2 (g_j - g_i) - 4 C[a, b] + 2 (n_i + n_j - 2) - 4 M_i.M_j`` with
        ``g = M @ (C[a] - C[b])`` and ``n`` the pool members per row: one matrix product scores
        every candidate pair. At most ``_MAX_CANDIDATES`` rows of each side, drawn at random,
        are scored, which bounds the cost of a step on large projects.
        """
        give = np.flatnonzero(self._new[:, a] & (self._members[:, b] == 0))
        take = np.flatnonzero(self._new[:, b] & (self._members[:, a] == 0))
        self._work += _STEP_WORK
        if give.size == 0 or take.size == 0:
            return False
        if give.size > _MAX_CANDIDATES:
            give = np.sort(self._rng.choice(give, _MAX_CANDIDATES, replace=False))
        if take.size > _MAX_CANDIDATES:
            take = np.sort(self._rng.choice(take, _MAX_CANDIDATES, replace=False))
        self._work += give.size * take.size
        members_give = self._members[give]
        members_take = self._members[take]
        difference = (self._pairs[a] - self._pairs[b]).astype(np.float64)
        gain_give = members_give @ difference
        gain_take = members_take @ difference
        on_give = members_give.sum(axis=1)
        on_take = members_take.sum(axis=1)
        # Counts are small integers, so the float arithmetic below is exact.
        change = (
            2.0 * (gain_take[None, :] - gain_give[:, None])
            - 4.0 * float(self._pairs[a, b])
            + 2.0 * (on_give[:, None] + on_take[None, :] - 2.0)
            - 4.0 * (members_give @ members_take.T)
        )
        best = float(change.min())
        if best >= 0.0:
            return False
        candidates = np.flatnonzero(change.ravel() == best)
        flat = int(candidates[self._rng.integers(candidates.size)])
        i, j = divmod(flat, take.size)
        self._move(int(give[i]), a, b)
        self._move(int(take[j]), b, a)
        return True
