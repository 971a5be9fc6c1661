"""Clip cutting and frame export: frame-exact by barcode, atomic, clear about bad requests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests import media_factory as factory
from tests.videos.test_media_real_clips import real_clip
from videos.media import FrameReader, MediaError, probe
from videos.media.clips import cut_clip, export_frames, padded_range

N_FRAMES = 60


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # B-frames and a 24-frame GOP: the cut starts between keyframes, behind reordered frames.
    return factory.make_video(tmp_path_factory.mktemp("clips"), "h264_bframes", N_FRAMES)


def barcodes(path: Path) -> list[int]:
    with FrameReader(path) as reader:
        return [factory.read_barcode(reader.frame(i)) for i in range(reader.n_frames)]


def test_cut_clip_is_frame_exact_with_padding(video: Path, tmp_path: Path) -> None:
    progress: list[tuple[int, int]] = []
    dest = tmp_path / "out" / "clip.mp4"
    result = cut_clip(
        video,
        17,
        41,
        dest,
        fps_num=30,
        fps_den=1,
        pad=3,
        n_frames=N_FRAMES,
        on_progress=lambda done, total: progress.append((done, total)),
    )
    assert (result.first_frame, result.last_frame, result.n_frames) == (14, 44, 31)
    assert (result.width, result.height) == (160, 120)
    assert result.size_bytes == dest.stat().st_size > 0
    assert barcodes(dest) == list(range(14, 45))
    clip_probe = probe(dest)
    assert clip_probe.n_frames == 31 == factory.ffprobe_frame_count(dest)
    assert (clip_probe.fps_num, clip_probe.fps_den) == (30, 1)
    assert factory.ffprobe_video_stream(dest)["pix_fmt"] == "yuv420p"
    assert factory.ffprobe_video_stream(dest)["codec_name"] == "h264"
    assert progress[0] == (1, 31)
    assert progress[-1] == (31, 31)
    assert len(progress) == 31
    # Only the clip is left in the folder: no temporary file.
    assert [path.name for path in dest.parent.iterdir()] == ["clip.mp4"]


def test_cut_clip_clamps_padding_at_both_ends(video: Path, tmp_path: Path) -> None:
    head = cut_clip(video, 2, 10, tmp_path / "head.mp4", fps_num=30, fps_den=1, pad=5)
    assert (head.first_frame, head.last_frame) == (0, 15)
    assert barcodes(head.path) == list(range(16))
    tail = cut_clip(video, 50, 59, tmp_path / "tail.mp4", fps_num=30, fps_den=1, pad=5)
    assert (tail.first_frame, tail.last_frame) == (45, 59)
    assert barcodes(tail.path) == list(range(45, 60))


def test_padded_range() -> None:
    assert padded_range(17, 41, 60, 3) == (14, 44)
    assert padded_range(0, 59, 60, 10) == (0, 59)
    with pytest.raises(MediaError, match=r"outside the video, whose frames are 0\.\.59"):
        padded_range(55, 60, 60)


def test_cut_clip_applies_rotation_and_pads_odd_sizes(tmp_path: Path) -> None:
    rotated = factory.make_video(tmp_path / "src", "rotated_90", n_frames=12)
    result = cut_clip(rotated, 3, 8, tmp_path / "rotated.mp4", fps_num=30, fps_den=1)
    assert (result.width, result.height) == (144, 192)  # upright, as displayed
    assert barcodes(result.path) == list(range(3, 9))
    odd = factory.make_video(tmp_path / "src", "odd_dims", n_frames=12)
    result = cut_clip(odd, 0, 11, tmp_path / "odd.mp4", fps_num=30, fps_den=1)
    assert (result.width, result.height) == (322, 242)
    assert barcodes(result.path) == list(range(12))


@pytest.mark.parametrize(
    "variant", ["edit_list_late", "h264_vfr", "hevc_mp4", "vp8_webm", "mjpeg_avi"]
)
def test_cut_clip_is_frame_exact_across_sources(variant: str, tmp_path: Path) -> None:
    source = factory.make_video(tmp_path / "src", variant, n_frames=40)
    source_probe = probe(source)
    result = cut_clip(
        source,
        19,
        30,
        tmp_path / "clip.mp4",
        fps_num=source_probe.fps_num,
        fps_den=source_probe.fps_den,
        pad=2,
        probe_result=source_probe,
    )
    assert barcodes(result.path) == list(range(17, 33))
    assert (probe(result.path).fps_num, probe(result.path).fps_den) == (
        source_probe.fps_num,
        source_probe.fps_den,
    )


def test_export_frames_png_are_the_exact_frames(video: Path, tmp_path: Path) -> None:
    dest = tmp_path / "frames"
    result = export_frames(video, 20, 24, dest, pad=2, fmt="png", start_number=1)
    assert (result.first_frame, result.last_frame, result.n_frames) == (18, 26, 9)
    assert result.files == tuple(f"img{number:05d}.png" for number in range(1, 10))
    assert sorted(path.name for path in dest.iterdir()) == list(result.files)
    with FrameReader(video) as reader:
        for offset, name in enumerate(result.files):
            picture = factory.read_image(dest / name)
            assert factory.read_barcode(picture) == 18 + offset
            # PNG is lossless: the file is the decoded frame, pixel for pixel.
            assert np.array_equal(picture, reader.frame(18 + offset))
    assert [path.name for path in tmp_path.iterdir()] == ["frames"]


def test_export_frames_jpg_numbering_and_overwrite(video: Path, tmp_path: Path) -> None:
    dest = tmp_path / "jpg"
    result = export_frames(video, 0, 3, dest, pattern="{:03d}.jpg", start_number=0)
    assert result.files == ("000.jpg", "001.jpg", "002.jpg", "003.jpg")
    assert [factory.read_barcode(factory.read_image(dest / n)) for n in result.files] == [
        0,
        1,
        2,
        3,
    ]
    with pytest.raises(MediaError, match="already holds files"):
        export_frames(video, 5, 6, dest, pattern="{:03d}.jpg")
    again = export_frames(video, 5, 6, dest, pattern="{:03d}.jpg", start_number=6, overwrite=True)
    assert sorted(path.name for path in dest.iterdir()) == ["006.jpg", "007.jpg"]
    assert [factory.read_barcode(factory.read_image(dest / n)) for n in again.files] == [5, 6]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["jpg"]


@pytest.mark.parametrize(
    ("first", "last", "pad", "message"),
    [
        (41, 17, 0, r"The last frame \(17\) is before the first \(41\)"),
        (-1, 5, 0, r"first frame must be 0 or later"),
        (10, 60, 0, r"Frames 10\.\.60 are outside the video"),
        (10, 20, -2, r"Padding must be 0 or more"),
    ],
)
def test_bad_range_raises_and_leaves_no_file(
    video: Path, tmp_path: Path, first: int, last: int, pad: int, message: str
) -> None:
    with pytest.raises(MediaError, match=message):
        cut_clip(video, first, last, tmp_path / "clip.mp4", fps_num=30, fps_den=1, pad=pad)
    with pytest.raises(MediaError, match=message):
        export_frames(video, first, last, tmp_path / "frames", pad=pad)
    assert list(tmp_path.iterdir()) == []


def test_unreadable_source_and_bad_arguments_raise(video: Path, tmp_path: Path) -> None:
    text = factory.make_text_as_mp4(tmp_path / "src")
    with pytest.raises(MediaError, match="text file"):
        cut_clip(text, 0, 1, tmp_path / "out" / "clip.mp4", fps_num=30, fps_den=1)
    with pytest.raises(MediaError, match="does not exist"):
        cut_clip(
            tmp_path / "missing.mp4", 0, 1, tmp_path / "out" / "clip.mp4", fps_num=30, fps_den=1
        )
    with pytest.raises(MediaError, match="60 frames where 61 were expected"):
        cut_clip(video, 0, 1, tmp_path / "out" / "clip.mp4", fps_num=30, fps_den=1, n_frames=61)
    with pytest.raises(MediaError, match="not a positive fraction"):
        cut_clip(video, 0, 1, tmp_path / "out" / "clip.mp4", fps_num=0, fps_den=1)
    with pytest.raises(MediaError, match=r"does not end in \.png"):
        export_frames(video, 0, 1, tmp_path / "frames", fmt="png", pattern="img{:05d}.jpg")
    with pytest.raises(MediaError, match="same name"):
        export_frames(video, 0, 1, tmp_path / "frames", pattern="img.jpg")
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "frames").exists()


def test_real_clip_frames_match_the_source(tmp_path: Path) -> None:
    source = real_clip("woman2.mp4")
    source_probe = probe(source)
    first, last = 300, 329
    result = cut_clip(
        source,
        first,
        last,
        tmp_path / "woman2_clip.mp4",
        fps_num=source_probe.fps_num,
        fps_den=source_probe.fps_den,
        crf=10,
        probe_result=source_probe,
    )
    assert result.n_frames == 30 == probe(result.path).n_frames
    assert (result.width, result.height) == (596, 336)

    def mean_abs_diff(a: np.ndarray, b: np.ndarray) -> float:
        return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())

    with FrameReader(source, source_probe) as original, FrameReader(result.path) as clip:
        for k in range(result.n_frames):
            picture = clip.frame(k)
            same = mean_abs_diff(picture, original.frame(first + k))
            # Tolerance: re-encoding at crf 10 changes pixels by under one grey level on
            # average (0.86 at most, measured); a neighbouring frame of this talking head
            # differs by more (the closest pair measured: 0.63 of the neighbour's difference).
            assert same < 1.5, (k, same)
            neighbours = [first + k - 1, first + k + 1]
            assert all(same < mean_abs_diff(picture, original.frame(n)) for n in neighbours), k
