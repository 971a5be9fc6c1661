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
final float), and costs O(units log units): overlapping unit pairs are found by one sweep over
each pair of coders' sorted units, never by walking frames. Where DKPro returns 0.0 for
``D_o = D_e = 0``, this module reports u-alpha as undefined (``value=None`` with a reason), as it
does for fewer than two coders.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from curation.types import EXPRESSION, Pass, Segment, check_within_video, type_label

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


Units = tuple[list[int], list[int]]


def _units_of_pass(pass_: Pass, category: Hashable, category_of: CategoryOf) -> Units:
    """Sorted half-open ``[begin, end)`` lists of the pass's units of ``category``."""
    chosen = sorted((s.onset, s.offset + 1) for s in pass_.segments if category_of(s) == category)
    begins = [begin for begin, _ in chosen]
    ends = [end for _, end in chosen]
    for index in range(len(chosen) - 1):
        if begins[index + 1] < ends[index]:
            raise ValueError(
                f"pass {pass_.pass_id!r} has overlapping units of category {category!r}: "
                f"[{begins[index]}, {ends[index] - 1}] and "
                f"[{begins[index + 1]}, {ends[index + 1] - 1}]"
                " (u-alpha needs one coder's units of a category to be disjoint)"
            )
    return begins, ends


def _pair_sum(a: Units, b: Units) -> int:
    """``sum_g sum_h delta2`` for one unordered pair of coders (see the module docstring).

    One sweep over both sorted unit lists: each unit of ``a`` meets the units of ``b`` that
    overlap it (unit against unit), or none (then it lies in a gap of ``b``); the units of
    ``b`` that no unit of ``a`` overlaps lie in gaps of ``a``.
    """
    a_begin, a_end = a
    b_begin, b_end = b
    total = 0
    b_met = [False] * len(b_begin)
    first = 0
    for begin, end in zip(a_begin, a_end, strict=True):
        while first < len(b_begin) and b_end[first] <= begin:
            first += 1
        other = first
        while other < len(b_begin) and b_begin[other] < end:
            total += (begin - b_begin[other]) ** 2 + (end - b_end[other]) ** 2
            b_met[other] = True
            other += 1
        if other == first:
            total += (end - begin) ** 2
    for begin, end, met in zip(b_begin, b_end, b_met, strict=True):
        if not met:
            total += (end - begin) ** 2
    return total


def _gaps(begins: list[int], ends: list[int], n_frames: int) -> list[int]:
    lengths = (b - e for b, e in zip([*begins, n_frames], [0, *ends], strict=True))
    return [length for length in lengths if length > 0]


def _category_disagreements(units: Sequence[Units], n_frames: int) -> _Disagreements:
    m = len(units)
    length = n_frames
    observed_sum = sum(_pair_sum(units[i], units[j]) for i in range(m) for j in range(i + 1, m))
    observed = Fraction(2 * observed_sum, m * (m - 1) * length * length)

    lengths = [
        end - begin for begins, ends in units for begin, end in zip(begins, ends, strict=True)
    ]
    gaps = sorted(gap for begins, ends in units for gap in _gaps(begins, ends, n_frames))
    # S(l) = sum over gaps g >= l of (g - l + 1), from suffix sums of the sorted gaps.
    suffix = [0] * (len(gaps) + 1)
    for index in range(len(gaps) - 1, -1, -1):
        suffix[index] = suffix[index + 1] + gaps[index]
    n_units = len(lengths)
    numerator = 0
    for unit in lengths:
        first_fit = bisect_left(gaps, unit)
        shifts = suffix[first_fit] - (len(gaps) - first_fit) * (unit - 1)
        numerator += (n_units - 1) * unit * (unit - 1) * (2 * unit - 1) // 3 + unit * unit * shifts
    denominator = m * length * (m * length - 1) - sum(unit * (unit - 1) for unit in lengths)
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
            part = _Disagreements(Fraction(0), Fraction(0), sum(len(u[0]) for u in units))
        else:
            part = _category_disagreements(units, n_frames)
        parts.append(part)
        per_category.append(_result(category, [part], m))
    overall = _result(None, parts, m)
    if not categories:
        reason = "undefined: no pass marked any unit"
        overall = UnitizingAlpha(None, None, reason, None, None, 0)
    return UnitizingResult(overall, tuple(per_category))
