"""The facial motion features on synthetic face videos with movements at known frames."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from inference.features import HaarFaceDetector, compute_regional_motion, frames_for
from inference.signals import REGIONS, RegionalMotion
from tests.inference.face_factory import Event, FaceVideoTruth, make_face_video
from videos.media.frames import FrameReader

Analysed = tuple[FaceVideoTruth, RegionalMotion]

CROP = 112  # small crops keep the suite fast; the default is 224
BROWS = [REGIONS.index("left_brow"), REGIONS.index("right_brow")]
MOUTH = REGIONS.index("mouth")
EXPRESSIVE = [i for i, r in enumerate(REGIONS) if r != "nose"]


def _outside(truth: FaceVideoTruth, n: int, margin: int = 10) -> npt.NDArray[np.bool_]:
    keep = np.ones(n, bool)
    for onset, offset in truth.event_frames() + list(truth.blinks):
        keep[max(0, onset - margin) : offset + margin + 1] = False
    return keep


@pytest.fixture(scope="module")
def events_video(tmp_path_factory: pytest.TempPathFactory) -> Analysed:
    path = tmp_path_factory.mktemp("faces") / "events.mp4"
    truth = make_face_video(
        path,
        seconds=10,
        events=[Event("macro", 60, 90, "mouth"), Event("macro", 170, 200, "brows")],
        blinks=[240],
        drift_px_per_s=2,
        seed=1,
    )
    return truth, compute_regional_motion(path, crop_px=CROP)


def test_haar_detects_the_drawn_face_on_most_frames(events_video: Analysed) -> None:
    truth, _ = events_video
    detector = HaarFaceDetector()
    found = 0
    with FrameReader(truth.path) as reader:
        for i in range(reader.n_frames):
            box = detector.detect(reader.frame(i)[:, :, 1].copy())
            if box is not None:
                cx, cy = truth.frame_centers[i]
                assert abs(box.cx - cx) < 10
                assert abs(box.cy - cy) < 15
                found += 1
        assert found >= 0.9 * reader.n_frames


def test_no_face_gives_no_valid_frame_and_nan(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    make_face_video(path, seconds=2, face=False, noise=8)
    result = compute_regional_motion(path, crop_px=CROP)
    assert result.n_frames == 60
    assert not result.valid.any()
    assert np.isnan(result.motion).all()


def test_macro_mouth_event_shows_in_the_mouth_only(events_video: Analysed) -> None:
    truth, result = events_video
    m = result.motion
    baseline = np.nanmedian(m[_outside(truth, result.n_frames)], axis=0)
    during = m[55:95]
    mouth_peak = np.nanmax(during[:, MOUTH])
    assert mouth_peak > 5 * baseline[MOUTH]
    assert np.nanmax(during[:, BROWS]) < 0.4 * mouth_peak
    # The peaks are where the movement is fastest: between onset and apex, apex and offset.
    assert 58 <= 55 + int(np.nanargmax(during[:, MOUTH])) <= 90


def test_brow_event_shows_in_the_brows(events_video: Analysed) -> None:
    truth, result = events_video
    m = result.motion
    baseline = np.nanmedian(m[_outside(truth, result.n_frames)], axis=0)
    during = m[165:205]
    for column in BROWS:
        assert np.nanmax(during[:, column]) > 5 * baseline[column]
    assert np.nanmax(during[:, MOUTH]) < 0.4 * np.nanmax(during[:, BROWS])


def test_head_drift_alone_is_not_expression(tmp_path: Path) -> None:
    path = tmp_path / "drift.mp4"
    make_face_video(path, seconds=8, drift_px_per_s=4, seed=2)
    result = compute_regional_motion(path, crop_px=CROP)
    assert result.valid.mean() > 0.9
    m = result.motion[result.valid]
    # A 4 px macro movement peaks near 0.5 px per step in these crops; drift stays far below.
    assert np.percentile(m[:, EXPRESSIVE], 95, axis=0).max() < 0.15
    assert m[:, EXPRESSIVE].max() < 0.3


def test_step_in_seconds_covers_the_same_time_at_any_fps(tmp_path: Path) -> None:
    peaks = []
    for fps in (25, 50):
        path = tmp_path / f"fps{fps}.mp4"
        onset, offset = round(1.0 * fps), round(2.0 * fps)
        make_face_video(
            path, fps=fps, seconds=3, events=[Event("macro", onset, offset, "mouth")], seed=3
        )
        result = compute_regional_motion(path, step_s=0.2, crop_px=96)
        k = frames_for(0.2, fps)
        assert k / fps == pytest.approx(0.2)
        assert result.fps == fps
        assert not result.valid[-k:].any()
        assert result.valid[: -k - 1].mean() > 0.9
        peaks.append(float(np.nanmax(result.motion[onset:offset, MOUTH])))
    # The same movement over the same 0.2 s gives about the same motion at both rates.
    assert 0.4 < peaks[0] < 1.0
    assert peaks[1] == pytest.approx(peaks[0], rel=0.25)


def test_regional_motion_contract_and_round_trip(events_video: Analysed, tmp_path: Path) -> None:
    truth, result = events_video
    k = frames_for(0.1, truth.fps)
    assert result.regions == REGIONS
    assert result.motion.shape == (truth.n_frames, len(REGIONS))
    assert result.motion.dtype == np.float32
    assert result.valid.dtype == np.bool_
    assert (result.crop_px, result.step_s, result.fps) == (CROP, 0.1, 30.0)
    assert not result.valid[-k:].any()
    assert np.isnan(result.motion[~result.valid]).all()
    assert np.isfinite(result.motion[result.valid]).all()
    assert (result.motion[result.valid] >= 0).all()
    saved = tmp_path / "motion.npz"
    result.save(str(saved))
    loaded = RegionalMotion.load(str(saved))
    assert loaded.regions == result.regions
    assert (loaded.fps, loaded.crop_px, loaded.step_s) == (result.fps, CROP, 0.1)
    np.testing.assert_array_equal(loaded.valid, result.valid)
    np.testing.assert_array_equal(loaded.motion, result.motion)


def test_progress_is_reported_up_to_one(tmp_path: Path) -> None:
    path = tmp_path / "short.mp4"
    make_face_video(path, seconds=1)
    seen: list[float] = []
    compute_regional_motion(path, crop_px=64, on_progress=seen.append)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_factory_is_deterministic_and_events_rise_then_fall(tmp_path: Path) -> None:
    event = Event("micro", 10, 20, "brows")
    assert event.envelope(9) == event.envelope(21) == 0
    assert event.envelope(15) == 1
    assert 0 < event.envelope(12) < 1
    assert event.amplitude < Event("macro", 10, 40).amplitude
    a = make_face_video(tmp_path / "a.mp4", seconds=1, events=[event], blinks=[3], seed=7)
    b = make_face_video(tmp_path / "b.mp4", seconds=1, events=[event], blinks=[3], seed=7)
    assert a.path.read_bytes() == b.path.read_bytes()
    assert a.event_frames("brows") == [(10, 20)]
    assert a.blinks == ((3, 6),)  # 0.15 s at 30 fps: 4 frames
    with pytest.raises(ValueError, match="onset"):
        Event("macro", 5, 5)
