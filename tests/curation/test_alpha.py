"""Closed-form Krippendorff's alpha against the published example, a by-definition reference
and the ``krippendorff`` package."""

from __future__ import annotations

from fractions import Fraction
from itertools import permutations

import krippendorff
import numpy as np
import pytest

from curation.alpha import (
    UNDEFINED_NO_VARIATION,
    UNDEFINED_TOO_FEW,
    Level,
    NominalCoincidences,
    alpha,
    alpha_from_labels,
    nominal_coincidences,
)

NAN = np.nan
# Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: 4 observers
# (rows) x 12 units (columns), values 1..5, missing data. Published: nominal 0.743,
# ordinal 0.815, interval 0.849.
KRIPPENDORFF_2011 = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval")
ALL_LEVELS: tuple[Level, ...] = (*LEVELS, "ratio")
# Wikipedia, "Krippendorff's alpha" (section "A computational example"): 3 coders (rows) x 15
# units, values 1..4, missing data. Published: nominal 0.691, interval 0.811.
WIKIPEDIA = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]


def by_definition(rows: list[list[float]], level: Level) -> Fraction:
    """Alpha straight from Krippendorff (2011): coincidence matrix, metric, D_o, D_e, in exact
    rational arithmetic, looping over units and value pairs (a reference, not an algorithm)."""
    columns = [[v for v in column if not np.isnan(v)] for column in zip(*rows, strict=True)]
    values = sorted({int(v) for column in columns for v in column})
    o = {(c, k): Fraction(0) for c in values for k in values}
    for column in columns:
        if len(column) < 2:
            continue
        for i, j in permutations(range(len(column)), 2):
            o[int(column[i]), int(column[j])] += Fraction(1, len(column) - 1)
    n_c = {c: sum((o[c, k] for k in values), Fraction(0)) for c in values}
    n = sum(n_c.values(), Fraction(0))

    def delta2(c: int, k: int) -> Fraction:
        if level == "nominal":
            return Fraction(c != k)
        if level == "interval":
            return Fraction((c - k) ** 2)
        if level == "ratio":
            return Fraction(c - k, c + k) ** 2 if c + k else Fraction(0)
        low, high = min(c, k), max(c, k)
        between = sum((n_c[g] for g in values if low <= g <= high), Fraction(0))
        return (between - (n_c[c] + n_c[k]) / 2) ** 2

    observed = sum((o[c, k] * delta2(c, k) for c in values for k in values), Fraction(0)) / n
    expected = sum((n_c[c] * n_c[k] * delta2(c, k) for c in values for k in values), Fraction(0))
    return 1 - observed / (expected / (n * (n - 1)))


def test_krippendorff_2011_worked_example_published_values() -> None:
    published: dict[Level, float] = {
        "nominal": 0.743,
        "ordinal": 0.815,
        "interval": 0.849,
        "ratio": 0.797,
    }
    for level, value in published.items():
        ours = alpha(KRIPPENDORFF_2011, level).value
        assert ours is not None
        assert abs(ours - value) < 0.0005  # published to three decimals
        package = krippendorff.alpha(KRIPPENDORFF_2011, level_of_measurement=level)
        assert abs(package - value) < 5e-4
        assert abs(ours - package) < 1e-9


def test_wikipedia_example_published_values() -> None:
    published: dict[Level, float] = {"nominal": 0.691, "interval": 0.811}
    for level, value in published.items():
        ours = alpha(WIKIPEDIA, level).value
        assert ours is not None
        assert abs(ours - value) < 0.0005
        package = krippendorff.alpha(WIKIPEDIA, level_of_measurement=level)
        assert abs(ours - package) < 1e-9
    # Nominal by hand: units 1, 2 and 14 are unpairable, n = 26 pairable values with
    # n_c = 7, 4, 10, 5 and off-diagonal coincidences 2 + 2 + 2 = 6 (units 6, 8, 15), so
    # alpha = 1 - (n - 1) * 6 / (n^2 - sum n_c^2) = 1 - 25 * 6 / (676 - 190) = 56/81.
    nominal = alpha(WIKIPEDIA, "nominal")
    assert nominal.value == pytest.approx(56 / 81, abs=1e-15)
    assert nominal.pairable_values == 26
    assert by_definition(WIKIPEDIA, "interval") == pytest.approx(alpha(WIKIPEDIA).value, abs=1e-15)


def test_krippendorff_2011_worked_example_exact() -> None:
    # Nominal by hand (Krippendorff 2011, C.2): n = 40 pairable values, n_c = 9, 13, 10, 5, 3;
    # the off-diagonal coincidences sum to 8 (units 2, 6 and 8), so
    # alpha = 1 - (n - 1) * 8 / (n^2 - sum n_c^2) = 1 - 39 * 8 / (1600 - 384) = 113/152.
    exact: dict[Level, Fraction] = {
        "nominal": Fraction(113, 152),
        "interval": Fraction(951, 1120),
        "ordinal": Fraction(108577, 133160),
        "ratio": by_definition(KRIPPENDORFF_2011, "ratio"),
    }
    for level, value in exact.items():
        assert by_definition(KRIPPENDORFF_2011, level) == value
        result = alpha(KRIPPENDORFF_2011, level)
        assert result.value == pytest.approx(float(value), abs=1e-15)
        assert result.pairable_values == 40
        assert result.pairable_units == 11  # unit 12 has a single value
        package = krippendorff.alpha(KRIPPENDORFF_2011, level_of_measurement=level)
        assert result.value == pytest.approx(package, abs=1e-12)
    nominal = alpha(KRIPPENDORFF_2011, "nominal")
    assert nominal.observed_disagreement == pytest.approx(8 / 40, abs=1e-15)
    assert nominal.expected_disagreement == pytest.approx(1216 / (40 * 39), abs=1e-15)


def random_reliability_data(rng: np.random.Generator) -> np.ndarray:
    coders = int(rng.integers(2, 7))
    units = int(rng.integers(2, 60))
    distinct = int(rng.integers(2, 12))
    scale = rng.choice([1.0, 2.5, -0.75])
    shift = rng.choice([0.0, 1e5])
    data = rng.integers(0, distinct, (coders, units)).astype(float) * scale + shift
    data[rng.random((coders, units)) < rng.uniform(0.0, 0.6)] = np.nan
    return data


def test_random_data_with_missing_values_matches_krippendorff_package() -> None:
    rng = np.random.default_rng(20240601)
    compared = 0
    for _ in range(300):
        data = random_reliability_data(rng)
        for level in LEVELS:
            ours = alpha(data, level)
            try:
                package = float(krippendorff.alpha(data, level_of_measurement=level))
            except ValueError:  # the package refuses data without two pairable values
                package = float("nan")
            if np.isnan(package):
                assert ours.value is None
                assert ours.reason in (UNDEFINED_TOO_FEW, UNDEFINED_NO_VARIATION)
            else:
                assert ours.value is not None
                assert abs(ours.value - package) < 1e-9
                compared += 1
    assert compared > 800


def test_ratio_random_data_matches_krippendorff_package_and_definition() -> None:
    rng = np.random.default_rng(20240602)
    compared = 0
    for trial in range(300):
        data = np.abs(random_reliability_data(rng))
        if trial % 3 == 0:  # zeros next to positive values: delta2 = 1, and 0/0 counts as 0
            data[rng.random(data.shape) < 0.2] = 0.0
        ours = alpha(data, "ratio")
        try:
            package = float(krippendorff.alpha(data, level_of_measurement="ratio"))
        except ValueError:
            package = float("nan")
        if np.isnan(package):
            assert ours.value is None
        else:
            assert ours.value is not None
            assert abs(ours.value - package) < 1e-9
            compared += 1
        if (
            trial < 40
            and ours.value is not None
            and np.array_equal(data, np.round(data), equal_nan=True)
        ):
            exact = float(by_definition(data.tolist(), "ratio"))
            assert abs(ours.value - exact) < 1e-12
    assert compared > 250


def test_ratio_many_distinct_values_crosses_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(11)
    truth = rng.uniform(0, 1000, 150)
    data = np.round(np.abs(truth[None, :] + rng.normal(0, 30, (4, 150))), 2)
    data[rng.random(data.shape) < 0.15] = np.nan
    data[0, :5] = 0.0
    package = krippendorff.alpha(data, level_of_measurement="ratio")
    whole = alpha(data, "ratio").value
    monkeypatch.setattr("curation.alpha.RATIO_BLOCK_ELEMENTS", 1000)  # many small blocks
    blocked = alpha(data, "ratio").value
    assert whole is not None
    assert blocked is not None
    assert abs(whole - package) < 1e-9
    assert abs(blocked - whole) < 1e-12


def test_ratio_rejects_negative_values() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        alpha([[1.0, -2.0], [1.0, 2.0]], "ratio")


def test_hundreds_of_distinct_values_interval_and_ordinal() -> None:
    rng = np.random.default_rng(7)
    truth = rng.uniform(0, 1000, 120)
    data = np.round(truth[None, :] + rng.normal(0, 40, (4, 120)), 1)
    data[rng.random(data.shape) < 0.2] = np.nan
    assert np.unique(data[~np.isnan(data)]).size > 300
    for level in ("interval", "ordinal"):
        ours = alpha(data, level).value
        assert ours is not None
        assert abs(ours - krippendorff.alpha(data, level_of_measurement=level)) < 1e-9


def test_unit_weights_equal_repeated_units() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        data = random_reliability_data(rng)
        data = np.abs(data)
        weights = rng.integers(0, 5, data.shape[1])
        repeated = np.repeat(data, weights, axis=1)
        for level in ALL_LEVELS:
            weighted = alpha(data, level, unit_weights=weights)
            expanded = alpha(repeated, level) if repeated.shape[1] else None
            if expanded is None or expanded.value is None:
                assert weighted.value is None
            else:
                assert weighted.value is not None
                assert abs(weighted.value - expanded.value) < 1e-12
                assert weighted.pairable_values == expanded.pairable_values


def test_undefined_alpha_is_none_with_reason_never_one() -> None:
    identical = [[4.0, 4.0, 4.0], [4.0, 4.0, 4.0], [4.0, 4.0, np.nan]]
    for level in ALL_LEVELS:
        result = alpha(identical, level)
        assert result.value is None
        assert result.reason == UNDEFINED_NO_VARIATION
        assert not result.is_defined
    lonely = [[1.0, np.nan, 3.0], [np.nan, 2.0, np.nan]]
    for level in ALL_LEVELS:
        result = alpha(lonely, level)
        assert result.value is None
        assert result.reason == UNDEFINED_TOO_FEW
    # a value present only in an unpairable unit does not create variation
    assert alpha([[1.0, 1.0, 7.0], [1.0, 1.0, np.nan]], "nominal").reason == UNDEFINED_NO_VARIATION
    assert alpha(np.empty((3, 0)), "interval").reason == UNDEFINED_TOO_FEW


def test_perfect_agreement_with_variation_is_one() -> None:
    data = [[1.0, 2.0, 3.0, np.nan], [1.0, 2.0, 3.0, 4.0], [1.0, np.nan, 3.0, 4.0]]
    for level in ALL_LEVELS:
        assert alpha(data, level).value == 1.0


def test_alpha_from_labels_matches_numeric_codes() -> None:
    rows = [
        ["happy", "sad", None, "fear", "happy"],
        ["happy", "happy", "sad", "fear", None],
        [None, "sad", "sad", "fear", "happy"],
    ]
    codes = {"happy": 0.0, "sad": 1.0, "fear": 2.0}
    numeric = [[codes[v] if v is not None else np.nan for v in row] for row in rows]
    assert alpha_from_labels(rows).value == pytest.approx(
        krippendorff.alpha(numeric, level_of_measurement="nominal"), abs=1e-12
    )


def test_nominal_coincidences_pool_across_studies() -> None:
    labels = (None, "macro", "micro")
    first = np.array([[3, 0, 0], [1, 2, 0], [0, 1, 2], [2, 0, 1]])
    second = np.array([[0, 3, 0], [1, 1, 1]])
    pooled = nominal_coincidences(first, labels) + nominal_coincidences(
        second[:, [2, 0, 1]], ("micro", None, "macro")
    )
    direct = nominal_coincidences(np.vstack([first, second]), labels)
    assert pooled.alpha().value == pytest.approx(direct.alpha().value, abs=1e-15)
    assert pooled.alpha().pairable_units == 6
    # the same units as a coders x units table, for the package
    table = np.full((3, 6), np.nan)
    for unit, counts in enumerate(np.vstack([first, second])):
        table[:, unit] = np.repeat(np.arange(3), counts)
    assert direct.alpha().value == pytest.approx(
        krippendorff.alpha(table, level_of_measurement="nominal"), abs=1e-12
    )


def test_empty_coincidences_are_undefined() -> None:
    empty = NominalCoincidences.from_array([None, "macro"], np.zeros((2, 2)))
    assert empty.alpha().reason == UNDEFINED_TOO_FEW


def test_bad_input_is_rejected() -> None:
    with pytest.raises(ValueError, match="level"):
        alpha([[1.0, 2.0]], "nominals")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="2-D"):
        alpha([1.0, 2.0], "nominal")
    with pytest.raises(ValueError, match="unit_weights"):
        alpha([[1.0, 2.0], [1.0, 2.0]], "nominal", unit_weights=[1.5, 2.0])
