"""Regions of interest as fixed fractions of the face box, and the face crop they live in.

The crop is the detector's square box padded by :data:`PAD` of its side on every side (so the
brows and chin stay inside when the box is a little small), resized to ``crop_px`` square.
Regions are rectangles given in fractions ``(u0, v0, u1, v1)`` of the *unpadded* box (``u``
across, ``v`` down), chosen from where OpenCV's frontal-face cascade puts a face in its box
(eyes near ``v = 0.4``, mouth near ``v = 0.75``). "left" and "right" are as seen in the
picture, not the subject's own.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from inference.features.detect import Box, GrayArray
from inference.signals import REGIONS

FloatArray = npt.NDArray[np.float32]

PAD = 0.15

#: ``region: (u0, v0, u1, v1)`` in fractions of the unpadded face box.
REGION_FRACTIONS: dict[str, tuple[float, float, float, float]] = {
    "left_brow": (0.15, 0.16, 0.48, 0.34),
    "right_brow": (0.52, 0.16, 0.85, 0.34),
    "left_eye": (0.18, 0.34, 0.48, 0.48),
    "right_eye": (0.52, 0.34, 0.82, 0.48),
    "mouth": (0.25, 0.64, 0.75, 0.88),
    "nose": (0.38, 0.46, 0.62, 0.62),
}
assert tuple(REGION_FRACTIONS) == REGIONS


def region_slices(crop_px: int, pad: float = PAD) -> list[tuple[slice, slice]]:
    """``(rows, columns)`` of every region in a ``crop_px`` crop, in :data:`REGIONS` order."""
    slices = []
    for name in REGIONS:
        u0, v0, u1, v1 = REGION_FRACTIONS[name]

        def to_px(f: float) -> int:
            return round((pad + f) / (1 + 2 * pad) * crop_px)

        rows = slice(to_px(v0), max(to_px(v0) + 1, to_px(v1)))
        cols = slice(to_px(u0), max(to_px(u0) + 1, to_px(u1)))
        slices.append((rows, cols))
    return slices


def flow_window(
    slices: list[tuple[slice, slice]], crop_px: int, margin: float = 0.07
) -> tuple[tuple[slice, slice], list[tuple[slice, slice]]]:
    """The part of the crop that flow is measured on, and the regions inside it.

    The bounding box of every region plus a margin of ``margin * crop_px`` pixels (context for
    Farneback's pyramid and window at the regions' edges): about 46 % of the crop's pixels, so
    the flow costs about half as much as on the whole crop.
    """
    pad = max(4, round(margin * crop_px))
    top = max(0, min(rows.start for rows, _ in slices) - pad)
    left = max(0, min(cols.start for _, cols in slices) - pad)
    bottom = min(crop_px, max(rows.stop for rows, _ in slices) + pad)
    right = min(crop_px, max(cols.stop for _, cols in slices) + pad)
    local = [
        (slice(rows.start - top, rows.stop - top), slice(cols.start - left, cols.stop - left))
        for rows, cols in slices
    ]
    return (slice(top, bottom), slice(left, right)), local


def face_crop(gray: GrayArray, box: Box, crop_px: int, pad: float = PAD) -> FloatArray:
    """The padded square around ``box``, resized to ``crop_px`` square, as float32.

    Parts of the crop outside the picture repeat the border pixels.
    """
    side = box.side * (1 + 2 * pad)
    scale = crop_px / side
    x0 = box.cx - side / 2
    y0 = box.cy - side / 2
    # One affine warp does the crop, the sub-pixel offset and the resize together.
    matrix = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float32)
    crop = cv2.warpAffine(
        gray, matrix, (crop_px, crop_px), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return crop.astype(np.float32)
