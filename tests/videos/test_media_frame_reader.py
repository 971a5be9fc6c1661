"""FrameReader's contract beyond exactness (which the variant tests cover), and image encoding."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests import media_factory as factory
from videos.media import FrameReader, encode_jpeg, encode_png, probe


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return factory.make_video(tmp_path_factory.mktemp("reader"), "h264_bframes", n_frames=48)


def test_reader_probes_by_itself(video: Path) -> None:
    with FrameReader(video) as reader:
        assert reader.n_frames == 48 == reader.probe.n_frames
        assert factory.read_barcode(reader.frame(47)) == 47


def test_frames_outside_the_timeline_raise_index_error(video: Path) -> None:
    with FrameReader(video) as reader:
        for index in (-1, 48):
            with pytest.raises(IndexError, match=r"outside 0\.\.47"):
                reader.frame(index)


def test_frames_are_read_only_and_cached(video: Path) -> None:
    with FrameReader(video) as reader:
        first = reader.frame(10)
        assert not first.flags.writeable
        assert reader.frame(10) is first
        assert first.dtype == np.uint8
        assert first.shape == (120, 160, 3)


def test_cache_is_bounded_by_bytes(video: Path) -> None:
    one_frame = 120 * 160 * 3
    with FrameReader(video, cache_bytes=3 * one_frame) as reader:
        kept = [reader.frame(index) for index in range(5)]
        assert reader.frame(4) is kept[4]  # recent: cached
        assert reader.frame(0) is not kept[0]  # evicted, decoded again
        assert np.array_equal(reader.frame(0), kept[0])


def test_same_frames_in_any_order(video: Path) -> None:
    result = probe(video)
    with FrameReader(video, result, cache_bytes=0) as reader:
        in_order = [reader.frame(index).copy() for index in range(48)]
    order = np.random.default_rng(3).permutation(48)
    with FrameReader(video, result, cache_bytes=0) as reader:
        for index in order:
            assert np.array_equal(reader.frame(int(index)), in_order[index])


def test_png_is_lossless_and_jpeg_close() -> None:
    picture = factory.render_frame(321, 160, 120)
    assert np.array_equal(factory.read_image(encode_png(picture)), picture)
    jpeg_bytes = encode_jpeg(picture, quality=90)
    assert jpeg_bytes[:3] == b"\xff\xd8\xff"
    jpeg = factory.read_image(jpeg_bytes)
    assert np.abs(jpeg.astype(int) - picture).mean() < 4
    assert factory.read_barcode(jpeg) == 321
