"""Per-video facial motion features: face box, stabilised face crop, regional optical flow.

Pure (no Django). The entry point is :func:`compute_regional_motion`; its output type lives in
:mod:`inference.signals`. See ``docs/face-pipeline.md`` for the choices and measured costs.
"""

from inference.features.detect import Box, FaceDetector, FaceTracker, HaarFaceDetector
from inference.features.pipeline import ProgressCallback, compute_regional_motion, frames_for
from inference.features.regions import REGION_FRACTIONS, face_crop, region_slices

__all__ = [
    "REGION_FRACTIONS",
    "Box",
    "FaceDetector",
    "FaceTracker",
    "HaarFaceDetector",
    "ProgressCallback",
    "compute_regional_motion",
    "face_crop",
    "frames_for",
    "region_slices",
]
