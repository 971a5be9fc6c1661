"""From per-frame scores to inclusive frame intervals: shared by every spotter. Pure numpy.

Hysteresis: an interval is a run of frames whose (smoothed) score stays at or above ``low`` and
that reaches ``high`` somewhere; runs closer than ``merge_gap_s`` are merged unless invalid
frames (no face) lie between them; runs shorter than ``min_duration_s`` are dropped. Frames
without a face never belong to an interval. Every duration is in seconds, converted with fps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

ExpressionType = Literal["macro", "micro"]

Truth = tuple[int, int, str]
"""``(onset, offset, type)``: an inclusive 0-based frame interval, type ``macro`` or ``micro``."""


@dataclass(frozen=True)
class Proposal:
    """An inclusive 0-based frame interval proposed as an expression, with a confidence."""

    onset: int
    offset: int
    type: ExpressionType
    score: float


@dataclass(frozen=True)
class DecodeParams:
    """Thresholds of :func:`decode_probabilities`; durations in seconds."""

    smooth_s: float = 0.1
    high: float = 0.5
    low: float = 0.3
    merge_gap_s: float = 0.1
    min_duration_s: float = 0.1


def frames(seconds: float, fps: float, minimum: int = 1) -> int:
    """A duration in seconds as a whole number of frames, at least ``minimum``."""
    return max(minimum, round(seconds * fps))


def moving_mean(values: npt.NDArray[np.floating], width: int) -> npt.NDArray[np.float64]:
    """Centred moving mean over ``width`` frames, NaN-aware (NaN frames stay NaN)."""
    array = np.asarray(values, dtype=np.float64)
    if width <= 1:
        return array.copy()
    finite = np.isfinite(array)
    kernel = np.ones(width)
    total = np.convolve(np.where(finite, array, 0.0), kernel, mode="same")
    count = np.convolve(finite.astype(np.float64), kernel, mode="same")
    with np.errstate(invalid="ignore", divide="ignore"):
        out = total / count
    out[~finite] = np.nan
    return out


def hysteresis_runs(
    score: npt.NDArray[np.float64],
    valid: npt.NDArray[np.bool_],
    *,
    high: float,
    low: float,
    merge_gap: int,
    min_length: int,
) -> list[tuple[int, int]]:
    """Inclusive ``(start, end)`` runs of ``score >= low`` that reach ``high``, on valid frames."""
    above = np.isfinite(score) & valid & (np.nan_to_num(score, nan=-np.inf) >= low)
    runs = _runs(above)
    runs = [(a, b) for a, b in runs if float(np.nanmax(score[a : b + 1])) >= high]
    merged: list[tuple[int, int]] = []
    for start, end in runs:
        if merged:
            last_start, last_end = merged[-1]
            gap = start - last_end - 1
            if gap <= merge_gap and bool(valid[last_end + 1 : start].all()):
                merged[-1] = (last_start, end)
                continue
        merged.append((start, end))
    return [(a, b) for a, b in merged if b - a + 1 >= min_length]


def decode_probabilities(
    probabilities: npt.NDArray[np.floating],
    valid: npt.NDArray[np.bool_],
    fps: float,
    params: DecodeParams | None = None,
) -> list[Proposal]:
    """Intervals from per-frame ``[T, 3]`` probabilities of (background, micro, macro).

    The foreground probability (micro + macro), smoothed over ``smooth_s``, is thresholded with
    hysteresis; each interval takes the type of the larger mean class probability over its frames
    and scores the mean foreground probability.
    """
    params = params or DecodeParams()
    probs = np.asarray(probabilities, dtype=np.float64)
    foreground = moving_mean(
        np.where(valid, probs[:, 1] + probs[:, 2], np.nan), frames(params.smooth_s, fps)
    )
    runs = hysteresis_runs(
        foreground,
        valid,
        high=params.high,
        low=params.low,
        merge_gap=frames(params.merge_gap_s, fps, minimum=0),
        min_length=frames(params.min_duration_s, fps),
    )
    proposals = []
    for start, end in runs:
        window = probs[start : end + 1]
        kind: ExpressionType = "macro" if window[:, 2].mean() > window[:, 1].mean() else "micro"
        score = float(np.nanmean(foreground[start : end + 1]))
        proposals.append(Proposal(int(start), int(end), kind, score))
    return proposals


def _runs(mask: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.diff(padded)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]
