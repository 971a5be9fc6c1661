"""One video in, its :class:`~inference.signals.RegionalMotion` out.

For every frame ``t`` the pipeline finds the face (:class:`~inference.features.detect.FaceTracker`),
cuts frames ``t`` and ``t + k`` with the *same* box (frame ``t``'s), aligns both crops to the
reference crop of the current anchor (:mod:`inference.features.flow`), and measures Farneback
flow between them in every region. The reference is the crop of the first frame with a face,
re-anchored every ``reanchor_s`` seconds so that it stays close in appearance to the frames it
aligns. Frames are decoded once, in order; only the last ``k + 1`` grey frames are kept.

Every time parameter is in seconds and converted with the video's fps from the probe:
``k = max(1, round(step_s * fps))``.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from inference.features.detect import Box, FaceDetector, FaceTracker, GrayArray, HaarFaceDetector
from inference.features.flow import FloatArray, farneback, regional_motion, shift, translation
from inference.features.regions import face_crop, flow_window, region_slices
from inference.signals import REGIONS, RegionalMotion
from videos.media.frames import FrameReader

#: Phase-correlation peaks below this are not trusted (a clean shift of the same face gives
#: about 0.3 to 0.9; an unrelated picture about 0.05).
MIN_RESPONSE = 0.1

ProgressCallback = Callable[[float], None]
"""Called with the fraction of frames processed so far, from 0.0 to 1.0."""


def frames_for(seconds: float, fps: float) -> int:
    """A duration in seconds as a whole number of frames, at least one."""
    return max(1, round(seconds * fps))


@dataclass(frozen=True)
class _Anchor:
    """The reference: a whole grey frame, re-cut with each pair's box so scales always match."""

    frame: int
    gray: GrayArray


def _aligned_pair(
    anchor: _Anchor, first: GrayArray, second: GrayArray, box: Box, crop_px: int
) -> tuple[FloatArray, FloatArray]:
    """Frames ``t`` and ``t + k`` cut with ``box`` and moved onto the anchor's crop.

    A shift that phase correlation cannot vouch for (a weak peak, or more than a quarter of
    the crop) is replaced by the other frame's, or by none, so a pair is never torn apart.
    """
    reference = face_crop(anchor.gray, box, crop_px)
    crops = (face_crop(first, box, crop_px), face_crop(second, box, crop_px))
    shifts = [translation(reference, crop) for crop in crops]
    good = [
        response >= MIN_RESPONSE and np.hypot(dx, dy) <= crop_px / 4 for dx, dy, response in shifts
    ]
    if not good[0] and not good[1]:
        return crops
    if not good[0]:
        shifts[0] = shifts[1]
    elif not good[1]:
        shifts[1] = shifts[0]
    return (
        shift(crops[0], -shifts[0][0], -shifts[0][1]),
        shift(crops[1], -shifts[1][0], -shifts[1][1]),
    )


def compute_regional_motion(
    path: str | Path,
    *,
    step_s: float = 0.1,
    reanchor_s: float = 2.0,
    detect_every_s: float = 0.5,
    crop_px: int = 224,
    on_progress: ProgressCallback | None = None,
    detector: FaceDetector | None = None,
) -> RegionalMotion:
    """The regional facial motion of the video at ``path`` (see :mod:`inference.signals`).

    ``detector`` defaults to :class:`HaarFaceDetector`. Frames without a face, and the last
    ``k`` frames (which have no frame ``t + k``), are ``valid`` False with NaN motion.
    """
    if step_s <= 0 or reanchor_s <= 0 or detect_every_s <= 0:
        raise ValueError("step_s, reanchor_s and detect_every_s must be positive seconds")
    if crop_px < 32:
        raise ValueError(f"crop_px must be at least 32, got {crop_px}")
    with FrameReader(Path(os.fspath(path)), cache_bytes=0) as reader:
        fps = float(reader.probe.fps)
        n_frames = reader.n_frames
        k = frames_for(step_s, fps)
        reanchor = frames_for(reanchor_s, fps)
        tracker = FaceTracker(
            detector if detector is not None else HaarFaceDetector(),
            detect_every=frames_for(detect_every_s, fps),
        )
        window, slices = flow_window(region_slices(crop_px), crop_px)
        motion = np.full((n_frames, len(REGIONS)), np.nan, np.float32)
        valid = np.zeros(n_frames, bool)
        grays: deque[GrayArray] = deque(maxlen=k + 1)
        boxes: deque[Box | None] = deque(maxlen=k + 1)
        anchors: deque[_Anchor | None] = deque(maxlen=k + 1)
        anchor: _Anchor | None = None
        report_every = max(1, n_frames // 100)
        for i in range(n_frames):
            gray = np.asarray(cv2.cvtColor(reader.frame(i), cv2.COLOR_RGB2GRAY), np.uint8)
            box = tracker.update(gray)
            if box is None:
                anchor = None
            elif anchor is None or i - anchor.frame >= reanchor:
                anchor = _Anchor(i, gray)
            grays.append(gray)
            boxes.append(box)
            anchors.append(anchor)
            t = i - k
            if t >= 0:
                first_box, first_anchor = boxes[0], anchors[0]
                if first_box is not None and first_anchor is not None and box is not None:
                    first, second = _aligned_pair(first_anchor, grays[0], gray, first_box, crop_px)
                    flow = farneback(first[window], second[window])
                    motion[t] = regional_motion(flow, slices)
                    valid[t] = True
            if on_progress is not None and ((i + 1) % report_every == 0 or i + 1 == n_frames):
                on_progress((i + 1) / n_frames)
    return RegionalMotion(
        fps=fps,
        regions=REGIONS,
        motion=motion,
        valid=valid,
        crop_px=crop_px,
        step_s=step_s,
    )
