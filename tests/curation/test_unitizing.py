"""Krippendorff's unitizing alpha: hand computations, DKPro's published test values, a
line-by-line port of DKPro's loops as reference, and the chance level of random segmentations."""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction

import numpy as np
import pytest

from curation.types import Pass, Segment
from curation.unitizing import single_category, unitizing_alpha
from tests.curation.factories import jittered_passes, random_segmentation

# (begin, length, coder, category) in DKPro's addUnit(offset, length, raterIdx, category) order.
Unit = tuple[int, int, int, str]


def passes_from_units(units: list[Unit], coders: int, begin: int = 0) -> list[Pass]:
    """DKPro units -> passes; the continuum is shifted to start at frame 0."""
    return [
        Pass(
            coder,
            coder,
            tuple(
                Segment(b - begin, b - begin + length - 1, type=category)
                for b, length, owner, category in units
                if owner == coder
            ),
        )
        for coder in range(coders)
    ]


def dkpro_reference(
    units: list[Unit], coders: int, begin: int, length: int, category: str
) -> tuple[Fraction, Fraction]:
    """(D_o, D_e) by a direct port of DKPro's KrippendorffAlphaUnitizingAgreement loops
    (calculateObservedCategoryDisagreement, calculateExpectedCategoryDisagreement,
    measureDistance), in exact arithmetic. Walks sections, as DKPro does; a reference only."""
    ordered = sorted(units, key=lambda u: (u[0], u[1], u[2]))

    def units_of(coder: int) -> Iterator[Unit]:
        return iter([u for u in ordered if u[2] == coder and u[3] == category])

    def distance(o1: int, l1: int, c1: str | None, o2: int, l2: int, c2: str | None) -> int:
        begin_diff, length_diff = o1 - o2, l1 - l2
        if c1 is not None and c2 is not None and -l1 < begin_diff < l2:
            return begin_diff**2 + (begin_diff + length_diff) ** 2
        if c1 is not None and c2 is None and -length_diff >= begin_diff >= 0:
            return l1 * l1
        if c1 is None and c2 is not None and -length_diff <= begin_diff <= 0:
            return l2 * l2
        return 0

    end = begin + length
    total = 0
    for r1 in range(coders):
        for r2 in range(r1 + 1, coders):
            it1, it2 = units_of(r1), units_of(r2)
            next1, next2 = next(it1, None), next(it2, None)
            o1, l1, o2, l2, c1, c2, pos = begin, 0, begin, 0, None, None, begin
            while pos < end and (next1 is not None or next2 is not None):
                if pos == o1 + l1:
                    if next1 is not None and pos == next1[0]:
                        l1, c1, next1 = next1[1], next1[3], next(it1, None)
                    else:
                        l1, c1 = (next1[0] if next1 is not None else end) - pos, None
                    o1 = pos
                if pos == o2 + l2:
                    if next2 is not None and pos == next2[0]:
                        l2, c2, next2 = next2[1], next2[3], next(it2, None)
                    else:
                        l2, c2 = (next2[0] if next2 is not None else end) - pos, None
                    o2 = pos
                total += distance(o1, l1, c1, o2, l2, c2)
                pos = min(o1 + l1, o2 + l2)
    observed = Fraction(2 * total, coders * (coders - 1) * length * length)

    mine = [u for u in ordered if u[3] == category]
    gaps = []
    for coder in range(coders):
        it, pos, offset, size = units_of(coder), begin, begin, 0
        upcoming = next(it, None)
        while pos < end:
            if pos == offset + size:
                if upcoming is not None and pos == upcoming[0]:
                    size, upcoming = upcoming[1], next(it, None)
                else:
                    size = (upcoming[0] if upcoming is not None else end) - pos
                    gaps.append(size)
                offset = pos
            pos = offset + size
    numerator = Fraction(0)
    for _, size, _, _ in mine:
        numerator += Fraction((len(mine) - 1) * (2 * size**3 - 3 * size**2 + size), 3)
        numerator += size * size * sum(g - size + 1 for g in gaps if g >= size)
    squares = sum(size * (size - 1) for _, size, _, _ in mine)
    expected = numerator * Fraction(2, length) / (coders * length * (coders * length - 1) - squares)
    return observed, expected


def test_hand_computed_two_coders() -> None:
    # L = 10 frames. Coder A marks [2, 5] = section [2, 6), l = 4; coder B marks [3, 6] = [3, 7).
    # A's sections: gap [0,2) (2), unit [2,6), gap [6,10) (4); B's: gap [0,3) (3), unit [3,7),
    # gap [7,10) (3). Overlapping section pairs: only unit-unit disagrees,
    # (2 - 3)^2 + (6 - 7)^2 = 2 (the unit is only partly inside each gap: 0).
    # D_o = 2 * 2 / (m (m - 1) L^2) = 4 / 200 = 1/50.
    # D_e: N_c = 2, both l = 4; (N_c - 1) l (l-1)(2l-1)/3 = 4*3*7/3 = 28 per unit; gaps >= 4:
    # just 4, (4 - 4 + 1) = 1, times l^2 = 16; so 2 * (28 + 16) = 88.
    # Denominator m L (m L - 1) - sum l(l - 1) = 20 * 19 - 24 = 356.
    # D_e = (2 / 10) * 88 / 356 = 22/445; u-alpha = 1 - (1/50) / (22/445) = 131/220.
    passes = [Pass("A", "a", (Segment(2, 5),)), Pass("B", "b", (Segment(3, 6),))]
    result = unitizing_alpha(passes, 10).overall
    assert result.observed_disagreement == pytest.approx(1 / 50, abs=1e-15)
    assert result.expected_disagreement == pytest.approx(22 / 445, abs=1e-15)
    assert result.value == pytest.approx(131 / 220, abs=1e-15)


def test_hand_computed_unit_against_empty_pass() -> None:
    # A marks [2, 5]; B marks nothing (one gap of 10). The unit lies inside B's gap: delta = 16.
    # D_o = 2 * 16 / (2 * 1 * 100) = 4/25. D_e: N_c = 1 (no cubic term); gaps 2, 4 (A) and
    # 10 (B); those >= 4 give (4-4+1) + (10-4+1) = 8, times 16 = 128;
    # D_e = (2/10) * 128 / (20 * 19 - 12) = 8/115; u-alpha = 1 - (4/25) / (8/115) = -13/10.
    passes = [Pass("A", "a", (Segment(2, 5),)), Pass("B", "b", ())]
    result = unitizing_alpha(passes, 10).overall
    assert result.observed_disagreement == pytest.approx(4 / 25, abs=1e-15)
    assert result.expected_disagreement == pytest.approx(8 / 115, abs=1e-15)
    assert result.value == pytest.approx(-1.3, abs=1e-15)


def test_perfect_agreement_is_one() -> None:
    passes = jittered_passes(seed=1, n_frames=20_000, n_events=40, n_passes=4, jitter=0)
    result = unitizing_alpha(passes, 20_000)
    assert result.overall.value == 1.0
    assert [entry.value for entry in result.per_category] == [1.0, 1.0]
    assert unitizing_alpha(passes, 20_000, single_category).overall.value == 1.0


KRIPPENDORFF_2004: list[Unit] = [
    (225, 70, 0, "c"),
    (370, 30, 0, "c"),
    (220, 80, 1, "c"),
    (355, 20, 1, "c"),
    (400, 20, 1, "c"),
    (180, 60, 0, "k"),
    (300, 50, 0, "k"),
    (180, 60, 1, "k"),
    (300, 50, 1, "k"),
]


def test_krippendorff_2004_example_dkpro_values() -> None:
    # Krippendorff (2004), p. 254: continuum [150, 450), two observers. DKPro's
    # Krippendorff2004Test asserts these to the stated tolerances.
    result = unitizing_alpha(passes_from_units(KRIPPENDORFF_2004, 2, begin=150), 300)
    c, k = result.for_category("c"), result.for_category("k")
    assert c.observed_disagreement == pytest.approx(0.0144, abs=1e-4)
    assert c.expected_disagreement == pytest.approx(0.0532, abs=1e-4)
    assert c.value == pytest.approx(0.7286, abs=1e-4)
    assert k.observed_disagreement == 0.0
    assert k.expected_disagreement == pytest.approx(0.0490, abs=1e-4)
    assert k.value == 1.0
    assert result.overall.value == pytest.approx(0.8591, abs=5e-4)
    # exact D_o for c: unit pairs (225,295)-(220,300): 25 + 25 = 50; (370,400)-(355,375):
    # 225 + 625 = 850; B's (400,420) inside A's gap [400,450): 400. 2 * 1300 / (2 * 300^2).
    assert c.observed_disagreement == pytest.approx(1300 / 90_000, abs=1e-15)
    for category, entry in (("c", c), ("k", k)):
        observed, expected = dkpro_reference(KRIPPENDORFF_2004, 2, 150, 300, category)
        assert entry.observed_disagreement == pytest.approx(float(observed), abs=1e-15)
        assert entry.expected_disagreement == pytest.approx(float(expected), abs=1e-15)


def krippendorff_1995(stretch: float) -> list[Unit]:
    """Krippendorff (1995), p. 57, as DKPro's Krippendorff1995Test builds it."""
    table = {
        "A": [(2, 8, 0), (14, 6, 0), (4, 4, 1), (15, 2, 1)],
        "B": [
            *[(0, 18, 0), (0, 2, 1), (2, 1, 1), (3, 1, 1)],
            *[(4, 1, 1), (5, 1, 1), (6, 3, 1), (9, 1, 1)],
        ],
        "C": [
            *[(2, 6, 0), (10, 2, 0), (14, 4, 0), (20, 2, 0)],
            *[(0, 2, 1), (4, 4, 1), (10, 4, 1), (16, 2, 1), (20, 2, 1)],
        ],
        "D": [
            *[(0, 2, 0), (2, 8, 0), (10, 4, 0), (14, 6, 0), (20, 4, 0)],
            *[(0, 4, 1), (4, 4, 1), (8, 7, 1), (15, 2, 1), (17, 7, 1)],
        ],
    }
    return [
        (int(b * stretch), int(length * stretch), coder, category)
        for category, rows in table.items()
        for b, length, coder in rows
    ]


def test_krippendorff_1995_example_dkpro_values() -> None:
    # DKPro's Krippendorff1995Test: D_o at stretch 1 (tolerance 1e-5), D_e and u-alpha at
    # stretch 50000 (tolerances 0.005 and 0.02: the paper's D_e differs slightly, as DKPro notes).
    at_one = unitizing_alpha(passes_from_units(krippendorff_1995(1), 2), 24)
    observed = {"A": 0.03125, "B": 2.26736, "C": 0.02777, "D": 0.38715}
    for category, value in observed.items():
        assert at_one.for_category(category).observed_disagreement == pytest.approx(value, abs=1e-5)
    # exact: A's pairs (2,10)-(4,8): 4 + 4; (14,20)-(15,17): 1 + 9; 2 * 18 / (2 * 24^2) = 1/32
    assert at_one.for_category("A").observed_disagreement == 1 / 32
    stretched = unitizing_alpha(passes_from_units(krippendorff_1995(50_000), 2), 24 * 50_000)
    expected_by_category = {"A": 0.06990, "B": 1.17731, "C": 0.08642, "D": 0.41445}
    alpha_by_category = {"A": 0.553, "B": -0.926, "C": 0.679, "D": 0.066}
    for category in "ABCD":
        entry = stretched.for_category(category)
        assert entry.expected_disagreement == pytest.approx(
            expected_by_category[category], abs=0.005
        )
        assert entry.value == pytest.approx(alpha_by_category[category], abs=0.02)
    # DKPro's tight check at stretch 1/2 (continuum of 12): D_e(C) = 0.05494 +- 1e-5 (only C:
    # halving makes some of B's units empty, which segments cannot be)
    category_c = [unit for unit in krippendorff_1995(0.5) if unit[3] == "C"]
    half = unitizing_alpha(passes_from_units(category_c, 2), 12).for_category("C")
    assert half.expected_disagreement == pytest.approx(0.05494, abs=1e-5)
    assert half.value == pytest.approx(0.494, abs=0.02)


def random_study(rng: np.random.Generator) -> tuple[list[Unit], int, int]:
    length = int(rng.integers(1, 60))
    coders = int(rng.integers(2, 5))
    units: list[Unit] = []
    for coder in range(coders):
        for category in "xy":
            pos = 0
            while True:
                pos += int(rng.integers(0, 6))
                size = int(rng.integers(1, 8))
                if pos + size > length or rng.random() < 0.15:
                    break
                units.append((pos, size, coder, category))
                pos += size
    return units, coders, length


def test_matches_line_by_line_dkpro_port_on_random_studies() -> None:
    rng = np.random.default_rng(2004)
    checked = 0
    for _ in range(300):
        units, coders, length = random_study(rng)
        result = unitizing_alpha(passes_from_units(units, coders), length)
        total_observed, total_expected = Fraction(0), Fraction(0)
        for entry in result.per_category:
            assert isinstance(entry.category, str)
            observed, expected = dkpro_reference(units, coders, 0, length, entry.category)
            total_observed += observed
            total_expected += expected
            assert entry.observed_disagreement == pytest.approx(float(observed), abs=1e-15)
            assert entry.expected_disagreement == pytest.approx(float(expected), abs=1e-15)
            if expected:
                assert entry.value == pytest.approx(float(1 - observed / expected), abs=1e-14)
                checked += 1
        if total_expected:
            overall = float(1 - total_observed / total_expected)
            assert result.overall.value == pytest.approx(overall, abs=1e-14)
    assert checked > 300


def test_independent_random_segmentations_are_at_chance() -> None:
    # Five coders segment a 1-hour video (108,000 frames) independently at random, 200 units of
    # 15..120 frames each. u-alpha's expected disagreement models exactly such chance
    # segmentations, so u-alpha scatters around 0 (over 200 draws here: mean -0.0015,
    # sd 0.009).
    rng = np.random.default_rng(1995)
    values = []
    for _ in range(200):
        passes = [random_segmentation(rng, index, 108_000, 200, (15, 120)) for index in range(5)]
        value = unitizing_alpha(passes, 108_000).overall.value
        assert value is not None
        values.append(value)
    assert abs(float(np.mean(values))) < 0.005
    assert float(np.max(np.abs(values))) < 0.05
    # whereas the same coders marking the same events with 3-frame jitter agree highly
    jittered = jittered_passes(seed=3, n_events=200, length_range=(15, 120), jitter=3)
    agreed = unitizing_alpha(jittered, 108_000, single_category).overall.value
    assert agreed is not None
    assert agreed > 0.9


def test_overlapping_units_of_one_category_are_rejected() -> None:
    passes = [
        Pass("A", "a", (Segment(0, 10, type="macro"), Segment(10, 12, type="macro"))),
        Pass("B", "b", ()),
    ]
    with pytest.raises(ValueError, match=r"pass 'A' has overlapping units of category 'macro'"):
        unitizing_alpha(passes, 100)
    # different categories may overlap; adjacent units of one category are fine
    ok = [
        Pass("A", "a", (Segment(0, 10, type="macro"), Segment(5, 6, type="micro"))),
        Pass("B", "b", (Segment(0, 4, type="macro"), Segment(5, 10, type="macro"))),
    ]
    assert unitizing_alpha(ok, 100).overall.value is not None


def test_undefined_cases_and_bounds() -> None:
    one = unitizing_alpha([Pass("A", "a", (Segment(0, 3),))], 10)
    assert one.overall.value is None
    assert one.overall.reason is not None
    empty = unitizing_alpha([Pass("A", "a", ()), Pass("B", "b", ())], 10)
    assert empty.overall.value is None
    assert empty.per_category == ()
    with pytest.raises(ValueError, match="outside the video"):
        unitizing_alpha([Pass("A", "a", (Segment(0, 10),)), Pass("B", "b", ())], 10)
