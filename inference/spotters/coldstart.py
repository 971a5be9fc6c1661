"""A training-free spotter over regional facial motion: motion peaks with robust thresholds.

Per region: subtract a slow baseline (a moving low percentile over ``baseline_s``), then a
robust z-score (median and MAD over the frames with a face). The expression score of a frame is
the largest weighted z of the brows (mean of both), the mouth and the eyes (mean of both,
down-weighted: blinks), smoothed over ``smooth_s``; it is zeroed where the head moves (the raw
``nose`` motion is an outlier and dominates the expression regions' motion) and where the eyes
blink (the eyes' motion is an outlier and dominates the brows' and the mouth's: a blink spills
into the brows, and into every region through the nose's mean flow that is subtracted, as much
as a micro expression moves them). Peaks at or above
``high`` (``scipy.signal.find_peaks``, at least ``min_peak_distance_s`` apart) grow into the
interval where the score stays at or above ``low``; intervals closer than ``merge_gap_s`` merge
(the rising and falling ramps of one expression); an interval of at most ``micro_max_s`` is a
micro expression, longer a macro; its score is the peak height. Every parameter is in seconds.

:func:`calibrate` picks ``high`` and ``low`` from a project's consensus when it has any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from scipy.ndimage import percentile_filter
from scipy.signal import find_peaks

from curation.evaluation import megc_spotting
from inference.signals import RegionalMotion
from inference.spotters.decode import ExpressionType, Proposal, Truth, frames, moving_mean

BROWS = ("left_brow", "right_brow")
EYES = ("left_eye", "right_eye")
MOUTH = ("mouth",)
NOSE = "nose"


@dataclass(frozen=True)
class ColdStartParams:
    """Thresholds (in robust z units) and durations (in seconds) of :class:`ColdStartSpotter`."""

    baseline_s: float = 4.0
    baseline_percentile: float = 30.0
    smooth_s: float = 0.1
    eye_weight: float = 0.1
    nose_z: float = 4.0
    nose_ratio: float = 2.0
    head_margin_s: float = 0.1
    blink_z: float = 8.0
    blink_ratio: float = 1.5
    high: float = 6.0
    low: float = 2.5
    min_peak_distance_s: float = 0.2
    merge_gap_s: float = 0.6
    min_duration_s: float = 0.1
    micro_max_s: float = 0.5


def robust_z(
    motion: RegionalMotion, params: ColdStartParams | None = None
) -> npt.NDArray[np.float64]:
    """Detrended robust z-score per region, ``[T, R]``; NaN on frames without a face."""
    params = params or ColdStartParams()
    values = np.asarray(motion.motion, dtype=np.float64).copy()
    valid = np.asarray(motion.valid, dtype=bool) & np.isfinite(values).all(axis=1)
    out = np.full_like(values, np.nan)
    if not valid.any():
        return out
    # Only to run the filter: invalid frames take the region's median and are NaN again below.
    fill = np.nanmedian(values[valid], axis=0)
    values[~valid] = fill
    size = min(frames(params.baseline_s, motion.fps, minimum=3), len(values))
    baseline = percentile_filter(values, params.baseline_percentile, size=(size, 1), mode="nearest")
    residual = values - baseline
    centre = np.median(residual[valid], axis=0)
    mad = np.median(np.abs(residual[valid] - centre), axis=0) * 1.4826
    mad = np.maximum(mad, 1e-6)
    out[valid] = (residual[valid] - centre) / mad
    return out


def _columns(motion: RegionalMotion, names: Sequence[str]) -> list[int]:
    return [motion.regions.index(name) for name in names if name in motion.regions]


def expression_score(
    motion: RegionalMotion, params: ColdStartParams | None = None
) -> npt.NDArray[np.float64]:
    """The per-frame expression score (robust z units), NaN on frames without a face."""
    params = params or ColdStartParams()
    z = robust_z(motion, params)
    width = frames(params.smooth_s, motion.fps)
    groups: list[tuple[list[int], float]] = [
        (_columns(motion, BROWS), 1.0),
        (_columns(motion, MOUTH), 1.0),
        (_columns(motion, EYES), params.eye_weight),
    ]
    parts = [weight * z[:, cols].mean(axis=1) for cols, weight in groups if cols]
    score = moving_mean(np.max(np.stack(parts, axis=1), axis=1), width)
    nose = _columns(motion, (NOSE,))
    if nose:
        expression_cols = [c for cols, _ in groups for c in cols]
        raw = np.asarray(motion.motion, dtype=np.float64)
        nose_raw = moving_mean(raw[:, nose[0]], width)
        expr_raw = moving_mean(raw[:, expression_cols].max(axis=1), width)
        head = (moving_mean(z[:, nose[0]], width) > params.nose_z) & (
            nose_raw > params.nose_ratio * expr_raw
        )
        margin = frames(params.head_margin_s, motion.fps, minimum=0)
        if margin:
            head = np.convolve(head.astype(float), np.ones(2 * margin + 1), mode="same") > 0
        score = np.where(head & np.isfinite(score), 0.0, score)
    eyes, others = _columns(motion, EYES), _columns(motion, BROWS + MOUTH)
    if eyes and others:
        raw = np.asarray(motion.motion, dtype=np.float64)
        eye_raw = moving_mean(raw[:, eyes].mean(axis=1), width)
        other_raw = moving_mean(raw[:, others].max(axis=1), width)
        blink = (moving_mean(z[:, eyes].mean(axis=1), width) > params.blink_z) & (
            eye_raw > params.blink_ratio * other_raw
        )
        margin = frames(params.head_margin_s, motion.fps, minimum=0)
        if margin:
            blink = np.convolve(blink.astype(float), np.ones(2 * margin + 1), mode="same") > 0
        score = np.where(blink & np.isfinite(score), 0.0, score)
    return score


class ColdStartSpotter:
    """Training-free spotter; see the module docstring."""

    def __init__(self, params: ColdStartParams | None = None) -> None:
        self.params = params or ColdStartParams()

    def spot(self, motion: RegionalMotion) -> list[Proposal]:
        params = self.params
        fps = motion.fps
        score = expression_score(motion, params)
        valid = np.asarray(motion.valid, dtype=bool) & np.isfinite(score)
        filled = np.where(valid, score, -np.inf)
        peaks, _ = find_peaks(
            np.where(valid, score, -1e9),
            height=params.high,
            distance=frames(params.min_peak_distance_s, fps),
        )
        intervals: list[tuple[int, int, float]] = []
        for peak in peaks:
            start = end = int(peak)
            while start > 0 and filled[start - 1] >= params.low:
                start -= 1
            while end < len(score) - 1 and filled[end + 1] >= params.low:
                end += 1
            intervals.append((start, end, float(score[peak])))
        merged: list[tuple[int, int, float]] = []
        merge_gap = frames(params.merge_gap_s, fps, minimum=0)
        for start, end, height in sorted(intervals):
            if merged:
                last_start, last_end, last_height = merged[-1]
                if start - last_end - 1 <= merge_gap and bool(valid[last_end + 1 : start].all()):
                    merged[-1] = (last_start, max(end, last_end), max(height, last_height))
                    continue
            merged.append((start, end, height))
        proposals = []
        min_length = frames(params.min_duration_s, fps)
        micro_max = params.micro_max_s * fps
        for start, end, height in merged:
            length = end - start + 1
            if length < min_length:
                continue
            kind: ExpressionType = "micro" if length <= micro_max else "macro"
            proposals.append(Proposal(start, end, kind, height))
        return proposals


def calibrate(
    motions: Sequence[RegionalMotion],
    truths: Sequence[Sequence[Truth]],
    base: ColdStartParams | None = None,
    highs: Sequence[float] = (3.0, 4.0, 5.0, 6.0, 8.0, 10.0),
    lows: Sequence[float] = (1.5, 2.0, 2.5, 3.5),
) -> ColdStartParams:
    """``base`` with the ``high``/``low`` pair that maximises MEGC overall F1 on the given truths.

    Ties keep the earlier pair of the grid; with no truth at all, ``base`` is returned unchanged.
    """
    base = base or ColdStartParams()
    if len(motions) != len(truths):
        raise ValueError("calibrate needs one truth list per motion")
    if not any(truths):
        return base
    ground = [(i, on, off, kind) for i, rows in enumerate(truths) for on, off, kind in rows]
    best, best_f1 = base, -1.0
    for high in highs:
        for low in lows:
            if low > high:
                continue
            params = replace(base, high=high, low=low)
            spotter = ColdStartSpotter(params)
            predicted = [
                (i, p.onset, p.offset, p.type)
                for i, motion in enumerate(motions)
                for p in spotter.spot(motion)
            ]
            f1 = float(megc_spotting(ground, predicted)["overall"]["f1"])
            if f1 > best_f1:
                best, best_f1 = params, f1
    return best
