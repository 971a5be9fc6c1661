"""The face pipeline and the spotters on real recordings (``../shared/media`` or
``$SPOTLAB_REAL_MEDIA``, found as ``tests/videos/test_media_real_clips.py`` finds them).

Every test skips, saying why, where a clip is absent. Each clip's motion is computed once per
module, with 112 px crops (the default 224 costs four times as much and changes nothing here:
which frames have a face does not depend on the crop). Expected frame counts are the decoded
truth that the media tests check against ffprobe (``EXPECTED`` there).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch

from inference.features import compute_regional_motion, frames_for
from inference.signals import REGIONS, RegionalMotion
from inference.spotters import ColdStartSpotter
from inference.spotters.network import SpotterConfig, TrainedSpotter, train_spotter
from inference.spotters.synthetic import synthetic_motion
from tests.videos.test_media_real_clips import EXPECTED, real_clip

CROP = 112
DETECT_EVERY_S = 0.5  # compute_regional_motion's default
MAX_MISSES = 2  # FaceTracker's default: a face is lost after two detections find nothing

Motion = Callable[[str], RegionalMotion]


@pytest.fixture(scope="module")
def motion_of() -> Motion:
    cache: dict[str, RegionalMotion] = {}

    def compute(name: str) -> RegionalMotion:
        if name not in cache:
            cache[name] = compute_regional_motion(real_clip(name), crop_px=CROP)
        return cache[name]

    return compute


@pytest.fixture(scope="module")
def trained() -> TrainedSpotter:
    """A small spotter trained on synthetic motion: enough to check it on masked input."""
    torch.set_num_threads(1)
    data = [synthetic_motion(seed, seconds=30.0) for seed in range(3)]
    config = SpotterConfig(seed=3, epochs=5)
    return train_spotter([m for m, _ in data], [t for _, t in data], config, device="cpu")


def _check_contract(motion: RegionalMotion, name: str) -> int:
    """The shape, types and masking every RegionalMotion has; returns k (frames per step)."""
    assert motion.n_frames == EXPECTED[name].n_frames
    assert motion.regions == REGIONS
    assert motion.motion.shape == (motion.n_frames, len(REGIONS))
    assert motion.motion.dtype == np.float32
    assert np.isnan(motion.motion[~motion.valid]).all()
    assert np.isfinite(motion.motion[motion.valid]).all()
    k = frames_for(0.1, motion.fps)
    assert not motion.valid[-k:].any()
    return k


@pytest.mark.parametrize(
    ("name", "min_valid"),
    [
        # Measured: every frame but the last k (no frame t + k) has a face:
        ("single_face.mp4", 0.95),  # 69 of 72 (0.958)
        ("woman2.mp4", 0.95),  # 461 of 464 (0.994)
        ("WolfgangLanger_Pexels.mp4", 0.95),  # 470 of 472 (0.996)
    ],
)
def test_face_clips_give_motion_on_almost_every_frame(
    motion_of: Motion, name: str, min_valid: float
) -> None:
    motion = motion_of(name)
    k = _check_contract(motion, name)
    assert motion.valid.mean() >= min_valid
    assert motion.valid[:-k].mean() >= 0.98
    assert (motion.motion[motion.valid] >= 0).all()
    for proposal in ColdStartSpotter().spot(motion):
        assert motion.valid[proposal.onset : proposal.offset + 1].all()


def test_no_face_clip_is_all_masked_and_gives_no_proposals(
    motion_of: Motion, trained: TrainedSpotter
) -> None:
    motion = motion_of("no_face.mp4")
    _check_contract(motion, "no_face.mp4")
    assert motion.n_frames == 95
    assert not motion.valid.any()
    assert np.isnan(motion.motion).all()
    assert ColdStartSpotter().spot(motion) == []
    assert trained.spot(motion) == []


def test_face_then_cut_to_no_face(motion_of: Motion) -> None:
    motion = motion_of("face_noface.mov")
    k = _check_contract(motion, "face_noface.mov")
    # The Haar cascade finds the face on frames 0-71; frame 72 is the first after the cut.
    cut = 72
    assert motion.valid[: cut - k].all()
    # The tracker holds its box until MAX_MISSES detections in a row find nothing, so frames
    # up to two detection intervals after the cut may still be measured (on the wrong picture).
    # Measured: frames 0-87 valid, 88-168 masked.
    held = MAX_MISSES * frames_for(DETECT_EVERY_S, motion.fps)
    assert not motion.valid[cut + held :].any()
    assert np.isnan(motion.motion[cut + held :]).all()
    assert motion.valid.sum() < cut + held


def test_five_frame_clip_shorter_than_any_window(
    motion_of: Motion, trained: TrainedSpotter
) -> None:
    motion = motion_of("five_frames.mp4")
    _check_contract(motion, "five_frames.mp4")
    assert motion.motion.shape == (5, len(REGIONS))
    # Measured: the cascade finds no face in these five frames (small faces), so none is valid.
    for spotter in (ColdStartSpotter(), trained):
        for proposal in spotter.spot(motion):
            assert motion.valid[proposal.onset : proposal.offset + 1].all()
