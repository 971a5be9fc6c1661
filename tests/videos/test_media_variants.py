"""Probe, exact frames, proxy and sprite on every generated variant.

Every frame of a generated video carries its own index as a barcode, so "frame n is frame n"
is checked on pixels, and counts and times are checked against ffprobe, not against our code.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from tests import media_factory as factory
from videos.media import (
    FrameReader,
    ProbeResult,
    ProxyResult,
    make_poster,
    make_proxy,
    make_sprite,
    probe,
)

N_FRAMES = 72


@dataclass(frozen=True)
class Generated:
    variant: factory.Variant
    path: Path
    probe: ProbeResult
    directory: Path


@pytest.fixture(scope="module", params=sorted(factory.VARIANTS))
def video(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    variant = factory.VARIANTS[request.param]
    directory = tmp_path_factory.mktemp(variant.name)
    path = factory.make_video(directory, variant, n_frames=N_FRAMES)
    return Generated(variant, path, probe(path), directory)


@pytest.fixture(scope="module")
def proxy(video: Generated) -> ProxyResult:
    return make_proxy(video.path, video.directory / "proxy.mp4", video.probe)


# -- probe --------------------------------------------------------------------------------------


def test_frame_count_is_ffprobe_decoded_count(video: Generated) -> None:
    assert video.probe.n_frames == factory.ffprobe_frame_count(video.path) == N_FRAMES
    assert len(video.probe.pts) == N_FRAMES


def test_timestamps_are_ffprobes(video: Generated) -> None:
    times = [pts * video.probe.time_base for pts in video.probe.pts]
    assert times == factory.ffprobe_frame_times(video.path)


def test_probe_facts(video: Generated) -> None:
    result, variant = video.probe, video.variant
    stream = factory.ffprobe_video_stream(video.path)
    assert result.video_codec == variant.codec == stream["codec_name"]
    if variant.codec == "hevc":
        assert stream["codec_tag_string"] == "hvc1"  # the tag Apple players require
    assert (result.width, result.height) == (int(stream["width"]), int(stream["height"]))
    assert result.rotation == variant.rotation
    assert (result.display_width, result.display_height) == (variant.width, variant.height)
    assert result.has_audio is variant.has_audio
    assert (result.audio_codec is not None) is variant.has_audio
    assert result.vfr is (variant.vfr_expression is not None)
    assert result.duration_s == pytest.approx(N_FRAMES / float(result.fps))
    assert result.warnings == ()
    assert ProbeResult.from_dict(json.loads(json.dumps(result.as_dict()))) == result


def test_frame_rate(video: Generated) -> None:
    result, variant = video.probe, video.variant
    if variant.vfr_expression is None:
        assert result.fps == variant.fps
    else:
        # The mean rate over the frames, as a rational with a small denominator.
        span = (result.pts[-1] - result.pts[0]) * result.time_base
        assert float(result.fps) == pytest.approx(float((N_FRAMES - 1) / span), rel=1e-3)
        assert result.fps.denominator <= 1001


def test_frame_zero_is_the_first_presented_frame(video: Generated) -> None:
    first_time = factory.ffprobe_frame_times(video.path)[0]
    assert video.probe.start_time == first_time
    if video.variant.start_offset_s:
        # The edit list starts late: frame 0 is shown at 0.5 s, not at 0.
        assert first_time == pytest.approx(video.variant.start_offset_s, abs=0.05)


# -- exact frames -------------------------------------------------------------------------------


def test_random_frames_carry_their_index(video: Generated) -> None:
    indices = random.Random(1234).sample(range(N_FRAMES), 30)
    with FrameReader(video.path, video.probe) as reader:
        read = [factory.read_barcode(reader.frame(index)) for index in indices]
    assert read == indices


def test_every_frame_forwards_then_backwards(video: Generated) -> None:
    order = [*range(N_FRAMES), *reversed(range(N_FRAMES))]
    with FrameReader(video.path, video.probe, cache_bytes=0) as reader:
        read = [factory.read_barcode(reader.frame(index)) for index in order]
    assert read == order


def test_frames_are_upright_and_stored_on_request(video: Generated) -> None:
    variant = video.variant
    with FrameReader(video.path, video.probe) as reader:
        assert reader.frame(5).shape == (variant.height, variant.width, 3)
    with FrameReader(video.path, video.probe, upright=False) as reader:
        stored = reader.frame(5)
    assert stored.shape == (video.probe.height, video.probe.width, 3)
    # Turning the stored picture clockwise by the rotation shows the barcode.
    assert factory.read_barcode(np.rot90(stored, k=-variant.rotation // 90)) == 5


# -- proxy --------------------------------------------------------------------------------------


def test_proxy_has_one_frame_per_source_frame(video: Generated, proxy: ProxyResult) -> None:
    assert proxy.n_frames == factory.ffprobe_frame_count(proxy.path) == N_FRAMES
    fps = video.probe.fps
    assert (proxy.fps_num, proxy.fps_den) == (fps.numerator, fps.denominator)
    assert factory.ffprobe_frame_times(proxy.path) == [Fraction(i) / fps for i in range(N_FRAMES)]


def test_proxy_frame_i_is_source_frame_i(proxy: ProxyResult) -> None:
    with FrameReader(proxy.path) as reader:
        read = [factory.read_barcode(reader.frame(index)) for index in range(N_FRAMES)]
    assert read == list(range(N_FRAMES))


def test_proxy_format(video: Generated, proxy: ProxyResult) -> None:
    stream = factory.ffprobe_video_stream(proxy.path)
    assert stream["codec_name"] == "h264"
    assert stream["pix_fmt"] == "yuv420p"
    result = probe(proxy.path)
    assert result.rotation == 0
    # Upright, padded to even dimensions.
    variant = video.variant
    assert (result.width, result.height) == (
        variant.width + variant.width % 2,
        variant.height + variant.height % 2,
    )
    assert result.has_audio is video.variant.has_audio
    assert result.audio_codec == ("aac" if video.variant.has_audio else None)
    # The index is at the front (faststart): moov before mdat.
    head = proxy.path.read_bytes()[:4096]
    assert 0 <= head.find(b"moov") < 4096
    assert head.find(b"mdat") == -1 or head.find(b"moov") < head.find(b"mdat")


def test_proxy_short_gop_and_no_b_frames(video: Generated, proxy: ProxyResult) -> None:
    with av.open(str(proxy.path)) as container:
        stream = container.streams.video[0]
        packets = [packet for packet in container.demux(stream) if packet.size]
    keyframes = [index for index, packet in enumerate(packets) if packet.is_keyframe]
    gaps = np.diff([*keyframes, len(packets)])
    assert keyframes[0] == 0
    assert gaps.max() <= float(video.probe.fps) * 0.5 + 1
    # Without B-frames, decode order is presentation order.
    pts = [packet.pts for packet in packets if packet.pts is not None]
    assert len(pts) == len(packets)
    assert pts == sorted(pts)


def test_proxy_reports_progress(video: Generated) -> None:
    seen: list[float] = []
    make_proxy(video.path, video.directory / "progress.mp4", video.probe, progress=seen.append)
    assert seen
    assert seen[-1] == 1.0
    assert all(0.0 <= value <= 1.0 for value in seen)
    assert seen == sorted(seen)


# -- sprite and poster --------------------------------------------------------------------------


def test_sprite_tiles_show_their_frames(video: Generated) -> None:
    target = video.directory / "sprite.jpg"
    sheet = make_sprite(video.path, target, video.probe, count=12, tile_height=90, columns=5)
    picture = factory.read_image(target)
    assert picture.shape == (sheet.height, sheet.width, 3)
    assert (sheet.columns, sheet.rows, sheet.tile_height) == (5, 3, 90)
    assert sheet.frames == tuple((2 * k + 1) * N_FRAMES // 24 for k in range(12))
    read = []
    for tile, _ in enumerate(sheet.frames):
        row, column = divmod(tile, sheet.columns)
        y, x = row * sheet.tile_height, column * sheet.tile_width
        read.append(
            factory.read_barcode(picture[y : y + sheet.tile_height, x : x + sheet.tile_width])
        )
    assert tuple(read) == sheet.frames
    assert json.loads(json.dumps(sheet.as_dict()))["frames"] == list(sheet.frames)


def test_poster_is_the_middle_frame(video: Generated) -> None:
    target = video.directory / "poster.jpg"
    poster = make_poster(video.path, target, video.probe)
    picture = factory.read_image(target)
    assert poster.frame == N_FRAMES // 2
    assert picture.shape == (poster.height, poster.width, 3)
    assert (poster.width, poster.height) == (video.variant.width, video.variant.height)
    assert factory.read_barcode(picture) == N_FRAMES // 2
