"""Finding the face: one small interface, OpenCV's frontal-face Haar cascade behind it.

The cascade ships inside ``opencv-python-headless`` (``cv2.data.haarcascades``), so nothing is
downloaded. :class:`FaceTracker` runs a detector every few frames (a time in seconds, converted
with the video's fps), keeps the largest face, and smooths the box over time so that the crop
does not jitter with the detector's few-pixel noise; between detections it holds the smoothed
box (the stabilisation step of the pipeline absorbs the small drift that this leaves).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np
import numpy.typing as npt

GrayArray = npt.NDArray[np.uint8]
"""A picture in grey levels: ``height x width``, uint8."""

HAAR_FRONTAL_FACE = "haarcascade_frontalface_default.xml"


@dataclass(frozen=True)
class Box:
    """A face box in pixels of the full frame: top-left corner, width and height."""

    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def side(self) -> float:
        return max(self.w, self.h)

    @classmethod
    def square(cls, cx: float, cy: float, side: float) -> Box:
        return cls(cx - side / 2, cy - side / 2, side, side)


class FaceDetector(Protocol):
    """Finds the (largest) face in a grey picture, or ``None``."""

    def detect(self, gray: GrayArray) -> Box | None: ...


class HaarFaceDetector:
    """OpenCV's Viola-Jones frontal-face cascade; returns the largest face.

    Pictures larger than ``max_side`` pixels are downscaled first (detection cost grows with
    the area; a face smaller than ``min_face`` of the picture's short side is ignored).
    """

    def __init__(
        self,
        *,
        max_side: int = 320,
        min_face: float = 0.15,
        scale_factor: float = 1.1,
        min_neighbors: int = 4,
        cascade: str | Path | None = None,
    ) -> None:
        haar_folder = cv2.data.haarcascades  # type: ignore[attr-defined]
        path = Path(cascade) if cascade else Path(haar_folder) / HAAR_FRONTAL_FACE
        self._cascade = cv2.CascadeClassifier(str(path))
        if self._cascade.empty():
            raise RuntimeError(f"cannot load the Haar cascade {path}")
        self.max_side = max_side
        self.min_face = min_face
        self.scale_factor = scale_factor
        self.min_neighbors = min_neighbors

    def detect(self, gray: GrayArray) -> Box | None:
        height, width = gray.shape[:2]
        scale = min(1.0, self.max_side / max(height, width))
        small = gray
        if scale < 1.0:
            size = (max(1, round(width * scale)), max(1, round(height * scale)))
            small = np.asarray(cv2.resize(gray, size, interpolation=cv2.INTER_AREA), np.uint8)
        smallest = max(20, int(self.min_face * min(small.shape[:2])))
        found = self._cascade.detectMultiScale(
            small,
            scaleFactor=self.scale_factor,
            minNeighbors=self.min_neighbors,
            minSize=(smallest, smallest),
        )
        if len(found) == 0:
            return None
        x, y, w, h = max((tuple(int(v) for v in f) for f in found), key=lambda f: f[2] * f[3])
        return Box(x / scale, y / scale, w / scale, h / scale)


class FaceTracker:
    """A detector run every ``detect_every`` frames, with a smoothed square box in between.

    The box is an exponential moving average of the detections (``smoothing`` is the weight of
    the old box); a detection far from the current box (its centre moved by more than half a
    side, or its size changed by more than half) replaces it instead. After ``max_misses``
    detections in a row find nothing the face is lost, and until it is found again the detector
    runs on every frame.
    """

    def __init__(
        self,
        detector: FaceDetector,
        *,
        detect_every: int,
        smoothing: float = 0.5,
        max_misses: int = 2,
    ) -> None:
        if detect_every < 1:
            raise ValueError("detect_every must be at least one frame")
        self.detector = detector
        self.detect_every = detect_every
        self.smoothing = smoothing
        self.max_misses = max_misses
        self.box: Box | None = None
        self.detections = 0
        self._since_detect = 0
        self._misses = 0

    def update(self, gray: GrayArray) -> Box | None:
        """The face box for the next frame of the video (frames must come in order)."""
        if self.box is not None and self._since_detect < self.detect_every:
            self._since_detect += 1
            return self.box
        self._since_detect = 1
        self.detections += 1
        found = self.detector.detect(gray)
        if found is None:
            self._misses += 1
            if self._misses >= self.max_misses:
                self.box = None
            return self.box
        self._misses = 0
        self.box = self._smooth(found)
        return self.box

    def _smooth(self, found: Box) -> Box:
        old = self.box
        if old is None:
            return Box.square(found.cx, found.cy, found.side)
        moved = math.hypot(found.cx - old.cx, found.cy - old.cy) > old.side / 2
        resized = not 2 / 3 < found.side / old.side < 3 / 2
        if moved or resized:
            return Box.square(found.cx, found.cy, found.side)
        a = self.smoothing
        return Box.square(
            a * old.cx + (1 - a) * found.cx,
            a * old.cy + (1 - a) * found.cy,
            a * old.side + (1 - a) * found.side,
        )
