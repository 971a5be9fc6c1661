"""Stabilisation of face crops and the regional optical flow between two of them.

Stabilisation: :func:`translation` measures the shift of a crop against a reference crop by
phase correlation (a Hann window against edge effects) and :func:`shift` undoes it, so that a
crop's pixels line up with the reference's: slow head drift and the face box's jitter become
(near) zero flow instead of motion.

Flow: :func:`farneback` is OpenCV's dense Farneback flow; :func:`regional_motion` reduces it to
one number per region: the mean over the region's pixels of the magnitude of the flow minus the
nose region's mean flow vector (the head's own movement); the nose column keeps the nose's raw
mean magnitude.
"""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt

from inference.signals import REGIONS

FloatArray = npt.NDArray[np.float32]

NOSE = REGIONS.index("nose")

_windows: dict[tuple[int, int], FloatArray] = {}


def translation(reference: FloatArray, crop: FloatArray) -> tuple[float, float, float]:
    """``(dx, dy, response)``: ``crop`` is ``reference`` moved ``dx`` right and ``dy`` down.

    ``response`` is the height of the phase-correlation peak (1 for a perfect match, near 0
    when the two do not match): how far to trust the shift.
    """
    shape = reference.shape[:2]
    if shape not in _windows:
        hann = cv2.createHanningWindow((shape[1], shape[0]), cv2.CV_32F)
        _windows[shape] = np.asarray(hann, np.float32)
    window = _windows[shape]
    (dx, dy), response = cv2.phaseCorrelate(reference, crop, window)
    return float(dx), float(dy), float(response)


def shift(crop: FloatArray, dx: float, dy: float) -> FloatArray:
    """``crop`` moved by ``dx`` right and ``dy`` down (sub-pixel, borders repeated)."""
    if dx == 0 and dy == 0:
        return crop
    matrix = np.array([[1, 0, dx], [0, 1, dy]], np.float32)
    height, width = crop.shape[:2]
    moved = cv2.warpAffine(
        crop, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return np.asarray(moved, np.float32)


def farneback(first: FloatArray, second: FloatArray) -> FloatArray:
    """Dense flow ``[h, w, 2]`` (x, y) from ``first`` to ``second``, in pixels."""
    a = np.clip(first, 0, 255).astype(np.uint8)
    b = np.clip(second, 0, 255).astype(np.uint8)
    flow = cv2.calcOpticalFlowFarneback(
        a,
        b,
        np.zeros((*a.shape, 2), np.float32),
        pyr_scale=0.5,
        levels=3,
        winsize=15,
        iterations=3,
        poly_n=5,
        poly_sigma=1.2,
        flags=0,
    )
    return np.asarray(flow, dtype=np.float32)


def regional_motion(flow: FloatArray, slices: list[tuple[slice, slice]]) -> FloatArray:
    """One value per region (in :data:`REGIONS` order), as described in the module docstring."""
    nose = flow[slices[NOSE]].reshape(-1, 2)
    head = nose.mean(axis=0)
    values = np.empty(len(slices), np.float32)
    for r, (rows, cols) in enumerate(slices):
        vectors = flow[rows, cols].reshape(-1, 2)
        if r == NOSE:
            values[r] = np.linalg.norm(vectors, axis=1).mean()
        else:
            values[r] = np.linalg.norm(vectors - head, axis=1).mean()
    return values
