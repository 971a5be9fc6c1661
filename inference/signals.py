"""The facial motion signal that the feature pipeline writes and the spotters read. Pure.

One video's regional motion: for every frame ``t`` and facial region ``r``, the magnitude of
the optical flow between frame ``t`` and frame ``t + k`` inside the region, with the nose
region's motion subtracted (head movement), in pixels of a face crop of ``crop_px`` pixels.
Frames without a detected face are masked (``valid[t]`` False) and their motion is NaN: never
invented. Every time parameter elsewhere is in seconds; ``fps`` converts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

#: Regions of interest, in this order in ``RegionalMotion.motion``'s columns.
REGIONS = ("left_brow", "right_brow", "left_eye", "right_eye", "mouth", "nose")


@dataclass(frozen=True, eq=False)
class RegionalMotion:
    """``motion`` is float32 ``[n_frames, len(regions)]``; ``valid`` bool ``[n_frames]``."""

    fps: float
    regions: tuple[str, ...]
    motion: npt.NDArray[np.float32]
    valid: npt.NDArray[np.bool_]
    crop_px: int = 224
    step_s: float = 0.0

    def __post_init__(self) -> None:
        if self.fps <= 0:
            raise ValueError(f"fps must be positive, got {self.fps}")
        if self.motion.ndim != 2 or self.motion.shape[1] != len(self.regions):
            raise ValueError("motion must be [n_frames, n_regions] with one column per region")
        if self.valid.shape != (self.motion.shape[0],):
            raise ValueError("valid must have one flag per frame")

    @property
    def n_frames(self) -> int:
        return int(self.motion.shape[0])

    def save(self, path: str) -> None:
        """Write as one ``.npz`` (arrays plus the scalars), beside the video."""
        np.savez_compressed(
            path,
            motion=self.motion,
            valid=self.valid,
            fps=np.float64(self.fps),
            regions=np.array(self.regions),
            crop_px=np.int64(self.crop_px),
            step_s=np.float64(self.step_s),
        )

    @classmethod
    def load(cls, path: str) -> RegionalMotion:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                fps=float(data["fps"]),
                regions=tuple(str(r) for r in data["regions"]),
                motion=data["motion"].astype(np.float32),
                valid=data["valid"].astype(bool),
                crop_px=int(data["crop_px"]),
                step_s=float(data["step_s"]),
            )
