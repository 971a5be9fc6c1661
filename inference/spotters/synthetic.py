"""Synthetic regional motion with known expressions, for tests and benchmarks. Pure numpy.

Simulates what the feature pipeline writes (:class:`inference.signals.RegionalMotion`): the
optical-flow magnitude between frame ``t`` and ``t + k`` per facial region, head motion removed
except in ``nose``. An expression is a warp ``w`` that rises from onset to apex, may hold, and
falls back by offset; its flow is ``|w(t + k) - w(t)|``, so the motion is high on the rising and
on the falling ramp and low at the apex (the derivative-like pattern real flow shows).

Distractors: a noisy baseline per region (gamma noise), a slow drift, blinks (eye regions, about
0.15 s, a little leakage into the brows), head jerks (large in ``nose``, with 10-20 % leakage into
the other regions) and short no-face gaps (NaN motion, ``valid`` False).

Every event is drawn in seconds from a generator that does not depend on ``fps`` and the noise
from a second one, so one seed gives the same events at 30 fps and at 200 fps.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from inference.signals import REGIONS, RegionalMotion
from inference.spotters.decode import Truth

_BROWS = (0, 1)
_EYES = (2, 3)
_MOUTH = (4,)
_NOSE = 5


def synthetic_motion(
    seed: int,
    fps: float = 30.0,
    seconds: float = 60.0,
    n_micro: int = 4,
    n_macro: int = 3,
    *,
    blink_every_s: float = 5.0,
    n_head_jerks: int = 2,
    n_gaps: int = 2,
    noise_px: float = 0.08,
    step_s: float = 1 / 30,
    crop_px: int = 224,
) -> tuple[RegionalMotion, list[Truth]]:
    """One synthetic video's regional motion and its true expressions, sorted by onset.

    Micro expressions last 0.2-0.5 s with a peak flow of 0.3-1 px in the brows or the mouth;
    macro expressions 0.6-2 s with 1.5-4 px in brows and mouth (some in the eyes). Events, head
    jerks and gaps do not overlap; blinks fall anywhere. Deterministic under ``seed``.
    """
    events_rng = np.random.default_rng([seed, 0])
    noise_rng = np.random.default_rng([seed, 1])
    n_frames = round(seconds * fps)
    k = max(1, round(step_s * fps))
    times = np.arange(n_frames) / fps
    motion = np.zeros((n_frames, len(REGIONS)), dtype=np.float64)
    occupied: list[tuple[float, float]] = []

    def place(duration: float, margin: float) -> float | None:
        for _ in range(2000):
            start = float(events_rng.uniform(0.5, seconds - duration - 0.5))
            end = start + duration
            if all(end + margin < lo or start - margin > hi for lo, hi in occupied):
                occupied.append((start, end))
                return start
        return None

    truth: list[Truth] = []
    kinds = ["macro"] * n_macro + ["micro"] * n_micro
    for kind in kinds:
        if kind == "micro":
            duration = float(events_rng.uniform(0.2, 0.5))
            amplitude = float(events_rng.uniform(0.3, 1.0))
            hold = 0.0
            gains = _micro_gains(events_rng)
        else:
            duration = float(events_rng.uniform(0.6, 2.0))
            amplitude = float(events_rng.uniform(1.5, 4.0))
            hold = float(events_rng.uniform(0.0, 0.3))
            gains = _macro_gains(events_rng)
        start = place(duration, margin=1.5)
        if start is None:
            continue
        flow = _warp_flow(times, start, duration, hold, k, fps)
        motion += amplitude * flow[:, None] * gains[None, :]
        onset = round(start * fps)
        offset = max(onset, round((start + duration) * fps) - 1)
        truth.append((onset, min(offset, n_frames - 1), kind))

    for _ in range(n_head_jerks):
        duration = float(events_rng.uniform(0.2, 0.6))
        start = place(duration, margin=1.0)
        if start is None:
            continue
        amplitude = float(events_rng.uniform(3.0, 8.0))
        leak = events_rng.uniform(0.1, 0.2, size=len(REGIONS))
        leak[_NOSE] = 1.0
        flow = _warp_flow(times, start, duration, 0.0, k, fps)
        motion += amplitude * flow[:, None] * leak[None, :]

    gaps: list[tuple[float, float]] = []
    for _ in range(n_gaps):
        duration = float(events_rng.uniform(0.3, 1.5))
        start = place(duration, margin=0.5)
        if start is not None:
            gaps.append((start, start + duration))

    n_blinks = int(seconds / blink_every_s) if blink_every_s > 0 else 0
    for _ in range(n_blinks):
        start = float(events_rng.uniform(0.0, seconds - 0.2))
        duration = float(events_rng.uniform(0.1, 0.2))
        amplitude = float(events_rng.uniform(1.0, 3.0))
        gains = np.zeros(len(REGIONS))
        gains[list(_EYES)] = events_rng.uniform(0.8, 1.0, size=2)
        gains[list(_BROWS)] = 0.05
        motion += amplitude * _warp_flow(times, start, duration, 0.0, k, fps)[:, None] * gains

    drift_period = events_rng.uniform(10.0, 30.0, size=len(REGIONS))
    drift_phase = events_rng.uniform(0.0, 2 * np.pi, size=len(REGIONS))
    drift_amp = events_rng.uniform(0.05, 0.2, size=len(REGIONS))
    motion += drift_amp * (1 + np.sin(2 * np.pi * times[:, None] / drift_period + drift_phase))

    motion += noise_rng.gamma(2.0, noise_px / 2.0, size=motion.shape)

    valid = np.ones(n_frames, dtype=bool)
    for start, end in gaps:
        valid[round(start * fps) : round(end * fps)] = False
    motion[~valid] = np.nan
    return (
        RegionalMotion(
            fps=float(fps),
            regions=REGIONS,
            motion=motion.astype(np.float32),
            valid=valid,
            crop_px=crop_px,
            step_s=k / fps,
        ),
        truth,
    )


def _warp_flow(
    times: npt.NDArray[np.float64], start: float, duration: float, hold: float, k: int, fps: float
) -> npt.NDArray[np.float64]:
    """``|w(t + k) - w(t)|`` of a unit warp over ``[start, start + duration)``, peak 1."""
    x = (times - start) / duration
    ramp = (1.0 - hold) / 2.0
    warp = np.where(
        x < ramp,
        np.sin(np.pi / 2 * np.clip(x / ramp, 0.0, 1.0)) ** 2,
        np.where(x <= 1.0 - ramp, 1.0, np.sin(np.pi / 2 * np.clip((1.0 - x) / ramp, 0, 1)) ** 2),
    )
    warp[(x < 0) | (x >= 1)] = 0.0
    later = np.concatenate([warp[k:], np.zeros(k)])
    flow = np.abs(later - warp)
    peak = float(flow.max())
    return flow / peak if peak > 0 else flow


def _micro_gains(rng: np.random.Generator) -> npt.NDArray[np.float64]:
    gains = np.zeros(len(REGIONS))
    if rng.random() < 0.5:
        gains[list(_BROWS)] = rng.uniform(0.6, 1.0, size=2)
    else:
        gains[list(_MOUTH)] = 1.0
    return gains


def _macro_gains(rng: np.random.Generator) -> npt.NDArray[np.float64]:
    gains = np.zeros(len(REGIONS))
    gains[list(_BROWS)] = rng.uniform(0.3, 1.0, size=2)
    gains[list(_MOUTH)] = rng.uniform(0.3, 1.0)
    gains[list(_EYES)] = rng.uniform(0.0, 0.3, size=2)
    return gains
