"""Synthetic face videos with facial movements at known frames, for the feature pipeline and the
spotters.

A face is drawn once with OpenCV (a shaded skin ellipse with hair, eye sockets darker than the
cheeks, eyes, thick brows, a shadowed nose and a mouth, and a fixed skin texture so that optical
flow has something to follow) and then animated frame by frame:

- an :class:`Event` moves the brows (raised) or the mouth corners (pulled up and out) by a smooth
  local warp (``cv2.remap`` with a Gaussian bump), so the motion is sub-pixel where asked. Its
  amplitude rises from ``onset`` to the event's middle (the apex) and falls back to zero at
  ``offset``: a *micro* event defaults to 0.8 px at the apex, a *macro* event to 4 px;
- a blink closes both eyelids over ``BLINK_S`` seconds (down then up) from the given frame;
- head drift moves the whole face along a slow ellipse whose largest speed is
  ``drift_px_per_s`` (pixels of the output video per second);
- ``noise`` is the standard deviation of Gaussian noise added to every frame (0..255 scale);
- the frames are then encoded as H.264 (``libx264``, ``yuv420p``) at ``crf`` by the ffmpeg
  binary.

Everything random comes from ``numpy.random.default_rng(seed)``: the same arguments give the
same pixels before encoding. The drawn face is detected by OpenCV's frontal-face Haar cascade
(``tests/inference/test_features.py`` checks it on every frame).
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import cv2
import numpy as np
import numpy.typing as npt

FFMPEG = "ffmpeg"

#: How long a blink lasts, in seconds (4 frames at 30 fps).
BLINK_S = 0.15

MICRO_PX = 0.8
MACRO_PX = 4.0

EventKind = Literal["micro", "macro"]
EventRegion = Literal["brows", "mouth"]


@dataclass(frozen=True)
class Event:
    """A facial movement from frame ``onset`` to frame ``offset`` (inclusive), apex in between.

    ``amplitude_px`` is the displacement at the apex in pixels of the output video; ``None``
    means the default of its kind (:data:`MICRO_PX` or :data:`MACRO_PX`).
    """

    kind: EventKind
    onset: int
    offset: int
    region: EventRegion = "mouth"
    amplitude_px: float | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.onset < self.offset:
            raise ValueError(f"need 0 <= onset < offset, got {self.onset}..{self.offset}")

    @property
    def apex(self) -> int:
        return (self.onset + self.offset) // 2

    @property
    def amplitude(self) -> float:
        if self.amplitude_px is not None:
            return self.amplitude_px
        return MICRO_PX if self.kind == "micro" else MACRO_PX

    def envelope(self, frame: int) -> float:
        """0 outside the event, rising smoothly to 1 at the apex and back to 0 at the offset."""
        if not self.onset <= frame <= self.offset:
            return 0.0
        phase = (frame - self.onset) / (self.offset - self.onset)
        return float(np.sin(np.pi * phase) ** 2)


@dataclass(frozen=True)
class FaceVideoTruth:
    """What :func:`make_face_video` drew: the events and blinks at their frames, and the face."""

    path: Path
    fps: float
    n_frames: int
    size: int
    events: tuple[Event, ...]
    blinks: tuple[tuple[int, int], ...]  # (first frame, last frame) of each blink
    face_box: tuple[int, int, int, int]  # x, y, width, height of the face ellipse at rest
    drift_px_per_s: float
    seed: int
    frame_centers: npt.NDArray[np.float64] = field(repr=False)  # [n_frames, 2] face centre x, y

    def event_frames(self, region: EventRegion | None = None) -> list[tuple[int, int]]:
        """``(onset, offset)`` of every event, optionally only those of one region."""
        return [(e.onset, e.offset) for e in self.events if region is None or e.region == region]


def make_face_video(
    path: str | Path,
    *,
    fps: float = 30,
    seconds: float = 10,
    size: int = 160,
    events: list[Event] | tuple[Event, ...] = (),
    blinks: list[int] | tuple[int, ...] = (),
    drift_px_per_s: float = 0.0,
    noise: float = 2.0,
    crf: int = 18,
    face: bool = True,
    seed: int = 0,
) -> FaceVideoTruth:
    """Write a ``size`` x ``size`` H.264 MP4 of a face at ``path`` and return its ground truth.

    ``face=False`` writes the same background and noise without a face (for "no face" tests).
    """
    path = Path(path)
    rng = np.random.default_rng(seed)
    n_frames = round(fps * seconds)
    background = _background(size, rng)
    face_img, face_mask, layout = _draw_face(size, rng)
    blink_len = max(2, round(BLINK_S * fps))
    blink_spans = tuple((b, min(n_frames - 1, b + blink_len - 1)) for b in blinks)
    radius = 0.05 * size
    omega = drift_px_per_s / radius if radius > 0 else 0.0
    centers = np.zeros((n_frames, 2))
    frames = []
    for i in range(n_frames):
        t = i / fps
        dx = radius * np.sin(omega * t)
        dy = 0.6 * radius * (1 - np.cos(omega * t))
        centers[i] = (layout.cx + dx, layout.cy + dy)
        if face:
            img = _animate(face_img, layout, events, blink_spans, i)
            frame = _composite(background, img, face_mask, dx, dy)
        else:
            frame = background.astype(np.float32)
        if noise > 0:
            frame = frame + rng.normal(0.0, noise, frame.shape).astype(np.float32)
        frames.append(np.clip(frame, 0, 255).astype(np.uint8))
    _encode(path, frames, fps, crf)
    return FaceVideoTruth(
        path=path,
        fps=float(fps),
        n_frames=n_frames,
        size=size,
        events=tuple(events),
        blinks=blink_spans,
        face_box=layout.box,
        drift_px_per_s=drift_px_per_s,
        seed=seed,
        frame_centers=centers,
    )


# -- drawing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Layout:
    cx: float
    cy: float
    rx: float
    ry: float
    eye_y: float
    eye_dx: float
    brow_y: float
    mouth_y: float
    mouth_w: float

    @property
    def box(self) -> tuple[int, int, int, int]:
        return (
            round(self.cx - self.rx),
            round(self.cy - self.ry),
            round(2 * self.rx),
            round(2 * self.ry),
        )


_SKIN = np.array([150, 180, 215], np.float32)  # RGB, light skin


def _background(size: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    base = rng.normal(0, 1, (size // 8 + 1, size // 8 + 1)).astype(np.float32)
    blob = np.asarray(cv2.resize(base, (size, size), interpolation=cv2.INTER_CUBIC), np.float32)
    gray = 70 + 12 * blob
    tint = np.array([0.9, 1.0, 1.1], np.float32)
    return np.asarray(np.repeat(gray[:, :, None], 3, axis=2) * tint, np.float32)


def _draw_face(
    size: int, rng: np.random.Generator
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], _Layout]:
    s = size / 160
    lay = _Layout(
        cx=size / 2,
        cy=size / 2 + 4 * s,
        rx=38 * s,
        ry=50 * s,
        eye_y=size / 2 - 6 * s,
        eye_dx=16 * s,
        brow_y=size / 2 - 17 * s,
        mouth_y=size / 2 + 28 * s,
        mouth_w=15 * s,
    )
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    # Skin shaded like a lit sphere: brighter in the middle, darker towards the rim.
    r2 = ((xx - lay.cx) / lay.rx) ** 2 + ((yy - lay.cy) / lay.ry) ** 2
    shade = np.clip(1.05 - 0.35 * r2, 0.5, 1.1)
    gray = 200 * shade
    texture = cv2.GaussianBlur(rng.normal(0, 1, (size, size)).astype(np.float32), (0, 0), 1.0)
    gray = gray + 10 * texture

    def darken(
        center: tuple[float, float], axes: tuple[float, float], amount: float, blur: float
    ) -> npt.NDArray[np.float32]:
        layer = np.zeros((size, size), np.float32)
        cv2.ellipse(
            layer,
            (round(center[0] * 16), round(center[1] * 16)),
            (round(axes[0] * 16), round(axes[1] * 16)),
            0,
            0,
            360,
            1.0,
            -1,
            cv2.LINE_AA,
            4,
        )
        if blur > 0:
            layer = np.asarray(cv2.GaussianBlur(layer, (0, 0), blur), np.float32)
        return layer * amount

    dark = np.zeros((size, size), np.float32)
    for side in (-1, 1):
        ex = lay.cx + side * lay.eye_dx
        dark += darken((ex, lay.eye_y), (10 * s, 7 * s), 60, 3 * s)  # socket
        dark += darken((ex, lay.eye_y), (6 * s, 3 * s), 90, 0.6 * s)  # eye
        dark += darken((ex, lay.eye_y), (2.5 * s, 2.5 * s), 40, 0.3 * s)  # pupil
        dark += darken((ex, lay.brow_y), (11 * s, 2.5 * s), 110, 0.8 * s)  # brow
        dark += darken((lay.cx + side * 4 * s, lay.cy + 10 * s), (2 * s, 1.5 * s), 70, 0.6 * s)
    dark += darken((lay.cx + 5 * s, lay.cy + 2 * s), (2.5 * s, 10 * s), 35, 2 * s)  # nose side
    dark += darken((lay.cx, lay.mouth_y), (lay.mouth_w, 3.5 * s), 110, 0.8 * s)  # mouth
    dark += darken((lay.cx, lay.mouth_y + 7 * s), (10 * s, 2 * s), 25, 2 * s)  # lip shadow
    gray = gray - dark
    # Hair across the top of the head.
    hair = darken((lay.cx, lay.cy - lay.ry * 0.85), (lay.rx * 1.05, lay.ry * 0.35), 1.0, 1.5 * s)
    gray = gray * (1 - hair) + 45 * hair
    rgb = gray[:, :, None] / 200 * _SKIN[None, None, :]
    mask = np.zeros((size, size), np.float32)
    cv2.ellipse(
        mask,
        (round(lay.cx * 16), round(lay.cy * 16)),
        (round(lay.rx * 16), round(lay.ry * 16)),
        0,
        0,
        360,
        1.0,
        -1,
        cv2.LINE_AA,
        4,
    )
    mask = np.maximum(mask, hair)
    mask = np.asarray(cv2.GaussianBlur(mask, (0, 0), 1.0), np.float32)
    return rgb.astype(np.float32), mask, lay


def _bump(
    size: int, center: tuple[float, float], sigma: tuple[float, float]
) -> npt.NDArray[np.float32]:
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    return np.exp(
        -(((xx - center[0]) / sigma[0]) ** 2 + ((yy - center[1]) / sigma[1]) ** 2) / 2
    ).astype(np.float32)


def _animate(
    face: npt.NDArray[np.float32],
    lay: _Layout,
    events: list[Event] | tuple[Event, ...],
    blinks: tuple[tuple[int, int], ...],
    frame: int,
) -> npt.NDArray[np.float32]:
    size = face.shape[0]
    s = size / 160
    flow_x = np.zeros((size, size), np.float32)
    flow_y = np.zeros((size, size), np.float32)
    for event in events:
        a = event.amplitude * event.envelope(frame)
        if a == 0:
            continue
        if event.region == "brows":
            for side in (-1, 1):
                bump = _bump(size, (lay.cx + side * lay.eye_dx, lay.brow_y), (10 * s, 5 * s))
                flow_y -= a * bump  # raise
        else:
            for side in (-1, 1):
                corner = (lay.cx + side * lay.mouth_w, lay.mouth_y)
                bump = _bump(size, corner, (5 * s, 4 * s))
                flow_y -= a * bump  # up
                flow_x += side * 0.5 * a * bump  # and out
    img = face
    if flow_x.any() or flow_y.any():
        yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
        # Backward map: the pixel at x shows what was at x - displacement.
        img = np.asarray(
            cv2.remap(
                face, xx - flow_x, yy - flow_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            ),
            np.float32,
        )
    for first, last in blinks:
        if first <= frame <= last:
            half = (last - first) / 2 or 1
            closed = 1 - abs(frame - first - half) / half  # 0 -> 1 -> 0
            img = img.copy()
            for side in (-1, 1):
                ex = lay.cx + side * lay.eye_dx
                top = lay.eye_y - 7 * s
                bottom = top + closed * 14 * s
                x0, x1 = round(ex - 10 * s), round(ex + 10 * s)
                y0, y1 = round(top), round(bottom)
                if y1 > y0:
                    img[y0:y1, x0:x1] = _SKIN * 0.8
    return img


def _composite(
    background: npt.NDArray[np.float32],
    face: npt.NDArray[np.float32],
    mask: npt.NDArray[np.float32],
    dx: float,
    dy: float,
) -> npt.NDArray[np.float32]:
    size = background.shape[0]
    shift = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
    moved = cv2.warpAffine(face, shift, (size, size), flags=cv2.INTER_LINEAR)
    moved_mask = cv2.warpAffine(mask, shift, (size, size), flags=cv2.INTER_LINEAR)[:, :, None]
    return background * (1 - moved_mask) + moved * moved_mask


# -- encoding ----------------------------------------------------------------------------------


def _encode(path: Path, frames: list[npt.NDArray[np.uint8]], fps: float, crf: int) -> None:
    height, width = frames[0].shape[:2]
    command = [
        FFMPEG,
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        str(fps),
        "-i",
        "-",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        str(crf),
        "-pix_fmt",
        "yuv420p",
        "-threads",
        "1",
        str(path),
    ]
    subprocess.run(command, input=b"".join(f.tobytes() for f in frames), check=True)
