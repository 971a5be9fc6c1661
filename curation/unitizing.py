"""Krippendorff's unitizing alpha (u-alpha) of a video's segmentation, per category and overall.

Formulation: K. Krippendorff, *Content Analysis: An Introduction to Its Methodology*, 2nd ed.
(Sage, 2004), section 12.4 (after Krippendorff 1995, "On the reliability of unitizing continuous
data", Sociological Methodology 25), exactly as DKPro Statistics implements it in
``org.dkpro.statistics.agreement.unitizing.KrippendorffAlphaUnitizingAgreement``; DKPro's test
values for the book's example (p. 254) and for the 1995 paper's example are reproduced by the
tests.

Setting. The continuum is the whole video, positions are frames ``0 .. L-1`` with
``L = n_frames``; there are ``m`` coders (the passes). A segment ``[onset, offset]`` of category
``c`` is the section ``[b, e)`` with ``b = onset``, ``e = offset + 1`` and length
``l = e - b``. For one coder and one category, the coder's *sections* are its units of ``c`` and
the *gaps* between them (the maximal runs of frames not in a unit of ``c``; a gap has length
>= 1). A coder's units of one category must not overlap (``ValueError`` otherwise); units of
different categories may.

Observed disagreement of category ``c``, summing over ordered pairs of different coders
``(i, j)`` and over the pairs of their sections that share at least one frame::

    D_o(c) = sum_{i != j} sum_{g, h} delta2(s_ig, s_jh) / (m (m - 1) L^2)

    delta2 = (b_g - b_h)^2 + (e_g - e_h)^2   if both sections are units of c,
           = l_g^2                           if g is a unit and h a gap that contains it
                                             (and symmetrically),
           = 0                               otherwise (two gaps, or a unit only partly in a gap).

Expected disagreement of category ``c``, with ``N_c`` the number of units of ``c`` over all
coders and both sums over those units ``u`` and over the gaps ``g`` of all coders::

    D_e(c) = (2 / L) * sum_u [ (N_c - 1) l_u (l_u - 1) (2 l_u - 1) / 3
                               + l_u^2 * sum_{g : l_g >= l_u} (l_g - l_u + 1) ]
             / ( m L (m L - 1) - sum_u l_u (l_u - 1) )

Then ``u-alpha(c) = 1 - D_o(c) / D_e(c)``, and the overall value over the categories ``C``
present in any pass is ``1 - sum_c D_o(c) / sum_c D_e(c)`` (DKPro averages ``D_o`` and ``D_e``
over the categories; the average cancels).

Computation. Everything is in exact integer and rational arithmetic (no rounding until the
final float), and costs O(units log units) per pair of coders: overlapping unit pairs are found
with ``searchsorted`` on the sorted units, never by walking frames. Where DKPro returns 0.0 for
``D_o = D_e = 0``, this module reports u-alpha as undefined (``value=None`` with a reason), as it
does for fewer than two coders.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from curation.types import EXPRESSION, Pass, Segment, check_within_video, type_label

IntArray = npt.NDArray[np.int64]
CategoryOf = Callable[[Segment], Hashable]


def single_category(segment: Segment) -> Hashable:
    """Every segment in one category: u-alpha of the segmentation regardless of labels."""
    return EXPRESSION


@dataclass(frozen=True, slots=True)
class UnitizingAlpha:
    """u-alpha of one category (``category`` set) or over all categories (``category=None``)."""

    category: Hashable | None
    value: float | None
    reason: str | None
    observed_disagreement: float | None
    expected_disagreement: float | None
    units: int


@dataclass(frozen=True, slots=True)
class UnitizingResult:
    """Overall u-alpha and one entry per category, categories in order of first appearance."""

    overall: UnitizingAlpha
    per_category: tuple[UnitizingAlpha, ...]

    def for_category(self, category: Hashable) -> UnitizingAlpha:
        for entry in self.per_category:
            if entry.category == category:
                return entry
        raise KeyError(category)


@dataclass(frozen=True, slots=True)
class _Disagreements:
    observed: Fraction
    expected: Fraction
    units: int


def _units_of_pass(
    pass_: Pass, category: Hashable, category_of: CategoryOf
) -> tuple[IntArray, IntArray]:
    """Sorted half-open ``[begin, end)`` arrays of the pass's units of ``category``."""
    chosen = [s for s in pass_.segments if category_of(s) == category]
    begins = np.fromiter((s.onset for s in chosen), dtype=np.int64, count=len(chosen))
    ends = np.fromiter((s.offset + 1 for s in chosen), dtype=np.int64, count=len(chosen))
    order = np.argsort(begins, kind="stable")
    begins, ends = begins[order], ends[order]
    clash = np.flatnonzero(begins[1:] < ends[:-1])
    if clash.size:
        first = int(clash[0])
        raise ValueError(
            f"pass {pass_.pass_id!r} has overlapping units of category {category!r}: "
            f"[{begins[first]}, {ends[first] - 1}] and [{begins[first + 1]}, {ends[first + 1] - 1}]"
            " (u-alpha needs one coder's units of a category to be disjoint)"
        )
    return begins, ends


def _overlap_counts(
    begins: IntArray, ends: IntArray, other_begins: IntArray, other_ends: IntArray
) -> tuple[IntArray, IntArray]:
    """For each unit, the index of the first overlapping unit of the other coder and how many."""
    first = np.searchsorted(other_ends, begins, side="right").astype(np.int64)
    past = np.searchsorted(other_begins, ends, side="left").astype(np.int64)
    return first, np.maximum(past - first, 0)


def _pair_sum(a: tuple[IntArray, IntArray], b: tuple[IntArray, IntArray]) -> int:
    """``sum_g sum_h delta2`` for one unordered pair of coders (see the module docstring)."""
    a_begin, a_end = a
    b_begin, b_end = b
    first, count = _overlap_counts(a_begin, a_end, b_begin, b_end)
    a_index = np.repeat(np.arange(a_begin.size), count)
    b_index = np.repeat(first, count) + (
        np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    )
    both = (a_begin[a_index] - b_begin[b_index]) ** 2 + (a_end[a_index] - b_end[b_index]) ** 2
    a_in_gap = ((a_end - a_begin)[count == 0]) ** 2
    _, b_count = _overlap_counts(b_begin, b_end, a_begin, a_end)
    b_in_gap = ((b_end - b_begin)[b_count == 0]) ** 2
    return int(both.sum()) + int(a_in_gap.sum()) + int(b_in_gap.sum())


def _gaps(begins: IntArray, ends: IntArray, n_frames: int) -> IntArray:
    gap_begins = np.concatenate(([0], ends))
    gap_ends = np.concatenate((begins, [n_frames]))
    lengths = gap_ends - gap_begins
    return lengths[lengths > 0]


def _category_disagreements(
    units: Sequence[tuple[IntArray, IntArray]], n_frames: int
) -> _Disagreements:
    m = len(units)
    length = n_frames
    observed_sum = sum(_pair_sum(units[i], units[j]) for i in range(m) for j in range(i + 1, m))
    observed = Fraction(2 * observed_sum, m * (m - 1) * length * length)

    lengths = np.concatenate([end - begin for begin, end in units])
    gaps = np.sort(np.concatenate([_gaps(begin, end, n_frames) for begin, end in units]))
    # S(l) = sum over gaps g >= l of (g - l + 1), from suffix sums of the sorted gaps.
    suffix = np.concatenate((np.cumsum(gaps[::-1])[::-1], [0]))
    first_fit = np.searchsorted(gaps, lengths, side="left")
    fitting = gaps.size - first_fit
    shifts = suffix[first_fit] - fitting * (lengths - 1)
    # Python integers (object arrays) from here on: l^3 and l^2 * S(l) can exceed int64.
    big_lengths = lengths.astype(object)
    n_units = int(lengths.size)
    cubic = (n_units - 1) * big_lengths * (big_lengths - 1) * (2 * big_lengths - 1) // 3
    numerator = int(sum(cubic + big_lengths * big_lengths * shifts.astype(object)))
    denominator = m * length * (m * length - 1) - int(sum(big_lengths * (big_lengths - 1)))
    expected = Fraction(2 * numerator, length * denominator)
    return _Disagreements(observed, expected, n_units)


def _result(category: Hashable | None, parts: Sequence[_Disagreements], m: int) -> UnitizingAlpha:
    units = sum(part.units for part in parts)
    if m < 2:
        return UnitizingAlpha(category, None, "undefined: fewer than two passes", None, None, units)
    observed = sum((part.observed for part in parts), Fraction(0))
    expected = sum((part.expected for part in parts), Fraction(0))
    if expected == 0:
        reason = "undefined: no expected disagreement (no units, or no room to place them)"
        return UnitizingAlpha(category, None, reason, float(observed), 0.0, units)
    scale = len(parts)  # report D_o, D_e as DKPro does: averaged over the categories
    return UnitizingAlpha(
        category,
        float(1 - observed / expected),
        None,
        float(observed / scale),
        float(expected / scale),
        units,
    )


def unitizing_alpha(
    passes: Sequence[Pass],
    n_frames: int,
    category_of: CategoryOf = type_label,
) -> UnitizingResult:
    """u-alpha of ``passes`` over a video of ``n_frames`` frames, per category and overall.

    ``category_of`` maps a segment to its category (default: its type, ``"expression"`` when it
    has none; ``single_category`` ignores labels). Raises ``ValueError`` when a segment lies
    outside the video or a pass has overlapping units of one category.
    """
    check_within_video(list(passes), n_frames)
    categories: list[Hashable] = []
    for pass_ in passes:
        for segment in pass_.segments:
            category = category_of(segment)
            if category not in categories:
                categories.append(category)
    m = len(passes)
    parts: list[_Disagreements] = []
    per_category: list[UnitizingAlpha] = []
    for category in categories:
        units = [_units_of_pass(pass_, category, category_of) for pass_ in passes]
        if m < 2:
            part = _Disagreements(Fraction(0), Fraction(0), sum(u[0].size for u in units))
        else:
            part = _category_disagreements(units, n_frames)
        parts.append(part)
        per_category.append(_result(category, [part], m))
    overall = _result(None, parts, m)
    if not categories:
        reason = "undefined: no pass marked any unit"
        overall = UnitizingAlpha(None, None, reason, None, None, 0)
    return UnitizingResult(overall, tuple(per_category))
