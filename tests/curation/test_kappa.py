"""Fleiss' kappa against Fleiss (1971), its reproduction on Wikipedia and a plain reference."""

from __future__ import annotations

import numpy as np
import pytest

from curation.alpha import alpha
from curation.kappa import UNDEFINED_ONE_CATEGORY, counts_from_ratings, fleiss_kappa

# Wikipedia, "Fleiss' kappa" (worked example): 10 subjects x 5 categories, 14 raters each.
# Published: P_bar = 0.378, P_e = 0.213, kappa = 0.210, p_j = .143, .200, .279, .150, .229.
WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Fleiss (1971), Table 1: 30 patients, 6 psychiatrists each, 5 diagnoses (depression,
# personality disorder, schizophrenia, neurosis, other); entry = psychiatrists giving that
# diagnosis. Typed from the rater-level form of the same data distributed as ``diagnoses`` in
# R's irr package (converted to counts). Published: p_j = .144, .144, .167, .306, .239,
# kappa_j = .245, .245, .520, .471, .566 and kappa = .430 (irr's kappam.fleiss: 0.4302445).
FLEISS_1971 = [
    [0, 0, 0, 6, 0],
    [0, 3, 0, 0, 3],
    [0, 1, 4, 0, 1],
    [0, 0, 0, 0, 6],
    [0, 3, 0, 3, 0],
    [2, 0, 4, 0, 0],
    [0, 0, 4, 0, 2],
    [2, 0, 3, 1, 0],
    [2, 0, 0, 4, 0],
    [0, 0, 0, 0, 6],
    [1, 0, 0, 5, 0],
    [1, 1, 0, 4, 0],
    [0, 3, 3, 0, 0],
    [1, 0, 0, 5, 0],
    [0, 2, 0, 3, 1],
    [0, 0, 5, 0, 1],
    [3, 0, 0, 1, 2],
    [5, 1, 0, 0, 0],
    [0, 2, 0, 4, 0],
    [1, 0, 2, 0, 3],
    [0, 0, 0, 0, 6],
    [0, 1, 0, 5, 0],
    [0, 2, 0, 1, 3],
    [2, 0, 0, 4, 0],
    [1, 0, 0, 4, 1],
    [0, 5, 0, 1, 0],
    [4, 0, 0, 0, 2],
    [0, 2, 0, 4, 0],
    [1, 0, 5, 0, 0],
    [0, 0, 0, 0, 6],
]


def test_wikipedia_worked_example() -> None:
    result = fleiss_kappa(WIKIPEDIA)
    assert result.kappa is not None
    assert abs(result.kappa - 0.210) < 5e-4
    assert abs(result.p_bar - 0.378) < 5e-4
    assert abs(result.p_e - 0.213) < 5e-4
    assert result.p_j == pytest.approx((0.143, 0.200, 0.279, 0.150, 0.229), abs=5e-4)
    assert (result.n_subjects, result.n_raters) == (10, 14)
    # exact: P_bar = 172/455 (sum of P_i = 3.780), P_e = sum p_j^2 with p_j = column sums / 140
    p_e = sum(c * c for c in (20, 28, 39, 21, 32)) / 140**2
    assert result.p_e == pytest.approx(p_e, abs=1e-15)
    assert result.p_bar == pytest.approx(172 / 455, abs=1e-15)
    assert result.kappa == pytest.approx((172 / 455 - p_e) / (1 - p_e), abs=1e-15)


def test_fleiss_1971_psychiatric_diagnoses() -> None:
    table = np.array(FLEISS_1971)
    assert table.shape == (30, 5)
    assert (table.sum(axis=1) == 6).all()
    assert table.sum(axis=0).tolist() == [26, 26, 30, 55, 43]
    result = fleiss_kappa(table)
    assert result.kappa is not None
    assert abs(result.kappa - 0.430) < 5e-4
    assert abs(result.kappa - 0.4302445) < 1e-7  # irr's kappam.fleiss, seven digits
    assert result.p_j == pytest.approx((0.144, 0.144, 0.167, 0.306, 0.239), abs=5e-4)
    assert result.kappa_j == pytest.approx((0.245, 0.245, 0.520, 0.471, 0.566), abs=5e-4)


def reference_fleiss(table: np.ndarray) -> tuple[float, list[float | None]]:
    """Fleiss (1971) straight from the definitions, with Python loops (a reference)."""
    rows = table.tolist()
    n_subjects, n = len(rows), sum(rows[0])
    k = len(rows[0])
    p = [sum(row[j] for row in rows) / (n_subjects * n) for j in range(k)]
    p_bar = sum((sum(x * x for x in row) - n) / (n * (n - 1)) for row in rows) / n_subjects
    p_e = sum(x * x for x in p)
    kappa_j: list[float | None] = []
    for j in range(k):
        if p[j] in (0.0, 1.0):
            kappa_j.append(None)
            continue
        off = sum(row[j] * (n - row[j]) for row in rows)
        kappa_j.append(1 - off / (n_subjects * n * (n - 1) * p[j] * (1 - p[j])))
    return (p_bar - p_e) / (1 - p_e), kappa_j


def test_random_tables_match_reference() -> None:
    rng = np.random.default_rng(1971)
    for _ in range(200):
        n_subjects = int(rng.integers(1, 80))
        n_raters = int(rng.integers(2, 20))
        k = int(rng.integers(2, 8))
        shares = rng.dirichlet(np.ones(k) * rng.uniform(0.2, 3.0))
        table = rng.multinomial(n_raters, shares, n_subjects)
        result = fleiss_kappa(table)
        if result.p_e >= 1.0:
            assert result.kappa is None
            continue
        kappa, kappa_j = reference_fleiss(table)
        assert result.kappa is not None
        assert abs(result.kappa - kappa) < 1e-12
        for ours, theirs in zip(result.kappa_j, kappa_j, strict=True):
            if theirs is None:
                assert ours is None
            else:
                assert ours is not None
                assert abs(ours - theirs) < 1e-12


def test_kappa_and_nominal_alpha_differ_by_the_small_sample_term() -> None:
    # With a fixed number of raters, nominal alpha = kappa + (1 - kappa) / (N n) exactly.
    rng = np.random.default_rng(5)
    ratings = rng.integers(0, 4, (60, 5))
    agreeing = rng.random(60) < 0.5
    ratings[agreeing, 1:] = ratings[agreeing, :1]
    kappa = fleiss_kappa(counts_from_ratings(ratings, 4)).kappa
    value = alpha(ratings.T.astype(float), "nominal").value
    assert kappa is not None
    assert value is not None
    assert value == pytest.approx(kappa + (1 - kappa) / ratings.size, abs=1e-12)


def test_counts_from_ratings() -> None:
    counts = counts_from_ratings([[0, 0, 2], [1, 2, 2]], n_categories=4)
    assert counts.tolist() == [[2, 0, 1, 0], [0, 1, 2, 0]]
    assert counts_from_ratings([[1, 1]]).tolist() == [[0, 2]]
    with pytest.raises(ValueError, match="n_categories"):
        counts_from_ratings([[0, 3]], n_categories=3)
    with pytest.raises(ValueError, match="non-negative"):
        counts_from_ratings([[0, -1]])


def test_one_category_is_undefined_never_one() -> None:
    result = fleiss_kappa([[3, 0], [3, 0]])
    assert result.kappa is None
    assert result.reason == UNDEFINED_ONE_CATEGORY
    assert not result.is_defined
    assert result.kappa_j == (None, None)
    assert result.p_bar == 1.0


def test_bad_tables_are_rejected() -> None:
    with pytest.raises(ValueError, match="same number of raters"):
        fleiss_kappa([[1, 2], [2, 2]])
    with pytest.raises(ValueError, match="two raters"):
        fleiss_kappa([[1, 0], [0, 1]])
    with pytest.raises(ValueError, match="non-negative integers"):
        fleiss_kappa([[1.5, 0.5], [1.0, 1.0]])
    with pytest.raises(ValueError, match="non-negative integers"):
        fleiss_kappa([[3, -1], [1, 1]])
    with pytest.raises(ValueError, match="2-D"):
        fleiss_kappa([1, 2, 3])
