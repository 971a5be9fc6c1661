"""Fleiss' kappa for many raters assigning subjects to nominal categories.

Source: J. L. Fleiss, "Measuring nominal scale agreement among many raters", Psychological
Bulletin 76(5), 1971, 378-382. Input is the N subjects x k categories count matrix ``n_ij``
(how many raters put subject ``i`` in category ``j``), every row summing to the same number of
raters ``n >= 2`` (the raters need not be the same people for every subject). With
``p_j = sum_i n_ij / (N n)``:

* per-subject agreement ``P_i = (sum_j n_ij^2 - n) / (n (n - 1))``, ``P_bar = mean_i P_i``;
* chance agreement ``P_e = sum_j p_j^2``;
* ``kappa = (P_bar - P_e) / (1 - P_e)``;
* per category (Fleiss 1971, eq. 10)
  ``kappa_j = 1 - sum_i n_ij (n - n_ij) / (N n (n - 1) p_j (1 - p_j))``.

Kappa is *undefined* — ``kappa=None`` with a reason, never 1.0 — when ``P_e = 1`` (every
rating in one category); ``kappa_j`` is ``None`` when ``p_j`` is 0 or 1. Everything is computed
with whole-matrix numpy operations (no loop over subjects).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

UNDEFINED_ONE_CATEGORY = "undefined: every rating is in one category (P_e = 1)"


@dataclass(frozen=True, slots=True)
class FleissKappa:
    """Fleiss' kappa with its parts.

    ``kappa`` is ``None`` exactly when it is undefined, and then ``reason`` says why.
    ``p_bar`` is the mean observed agreement, ``p_e`` the chance agreement, ``p_j`` the share of
    all ratings in each category and ``kappa_j`` each category's kappa (``None`` where the
    category is used by no rating or by all of them).
    """

    kappa: float | None
    reason: str | None
    p_bar: float
    p_e: float
    p_j: tuple[float, ...]
    kappa_j: tuple[float | None, ...]
    n_subjects: int
    n_raters: int

    @property
    def is_defined(self) -> bool:
        return self.kappa is not None


def fleiss_kappa(counts: npt.ArrayLike) -> FleissKappa:
    """Fleiss' kappa of an N subjects x k categories matrix of rating counts (see module doc).

    Raises ``ValueError`` unless ``counts`` is a non-empty 2-D matrix of non-negative integers
    whose rows all sum to the same number of raters, at least 2.
    """
    raw = np.asarray(counts)
    if raw.ndim != 2 or raw.shape[0] == 0 or raw.shape[1] == 0:
        raise ValueError(f"counts must be a non-empty 2-D matrix, got shape {raw.shape}")
    if not (np.issubdtype(raw.dtype, np.integer) or np.issubdtype(raw.dtype, np.floating)):
        raise ValueError("counts must be numbers of ratings")
    if not np.array_equal(raw, np.round(raw)) or bool((raw < 0).any()):
        raise ValueError("counts must be non-negative integers")
    table = raw.astype(np.int64)
    per_subject = table.sum(axis=1)
    n = int(per_subject[0])
    if bool((per_subject != n).any()):
        raise ValueError("every subject must be rated by the same number of raters")
    if n < 2:
        raise ValueError(f"at least two raters per subject are needed, got {n}")
    n_subjects = int(table.shape[0])
    total = float(n_subjects * n)
    p_j = table.sum(axis=0) / total
    pairs_per_subject = float(n * (n - 1))
    p_i = ((table * table).sum(axis=1) - n) / pairs_per_subject
    p_bar = float(p_i.mean())
    p_e = float((p_j * p_j).sum())
    disagreeing = (table * (n - table)).sum(axis=0) / (n_subjects * pairs_per_subject)
    spread = p_j * (1.0 - p_j)
    kappa_j = tuple(
        None if s == 0.0 else 1.0 - float(d) / float(s)
        for d, s in zip(disagreeing, spread, strict=True)
    )
    p_j_tuple = tuple(float(p) for p in p_j)
    if p_e >= 1.0:
        return FleissKappa(
            None, UNDEFINED_ONE_CATEGORY, p_bar, p_e, p_j_tuple, kappa_j, n_subjects, n
        )
    kappa = (p_bar - p_e) / (1.0 - p_e)
    return FleissKappa(kappa, None, p_bar, p_e, p_j_tuple, kappa_j, n_subjects, n)


def counts_from_ratings(ratings: npt.ArrayLike, n_categories: int | None = None) -> IntArray:
    """The subjects x categories count matrix of a subjects x raters matrix of category codes.

    Codes are integers ``0 .. n_categories - 1`` (``n_categories`` defaults to the largest code
    plus one); counted in one ``bincount``.
    """
    codes = np.asarray(ratings)
    if codes.ndim != 2:
        raise ValueError(f"ratings must be 2-D (subjects x raters), got shape {codes.shape}")
    if codes.size and (not np.issubdtype(codes.dtype, np.integer) or codes.min() < 0):
        raise ValueError("ratings must be non-negative integer category codes")
    codes = codes.astype(np.int64)
    width = int(codes.max()) + 1 if codes.size else 0
    if n_categories is not None:
        if n_categories < width:
            raise ValueError(f"a code is >= n_categories ({n_categories})")
        width = n_categories
    if codes.size == 0:
        return np.zeros((codes.shape[0], width), dtype=np.int64)
    keys = (np.arange(codes.shape[0])[:, None] * width + codes).ravel()
    result: IntArray = np.bincount(keys, minlength=codes.shape[0] * width).reshape(-1, width)
    return result
