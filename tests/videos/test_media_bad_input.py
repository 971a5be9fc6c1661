"""Files that are not videos to annotate are refused with a reason a person understands."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests import media_factory as factory
from videos.media import FrameReader, MediaError, make_proxy, probe

# Words the reason must contain (lower case), per bad-media maker.
REASONS = {
    "corrupt": ["cannot be read as a video", "damaged"],
    "truncated": ["truncated", "stopped early"],
    "zero_frames": ["no frames"],
    "audio_only": ["no video stream", "only audio"],
    "audio_with_cover_art": ["no video stream", "only audio"],
    "png_as_mp4": ["png image", "not a video"],
    "text_as_mp4": ["text file", "not a video"],
    "absurd_dimensions": ["16000x16000", "8192"],
    "unsupported_codec": ["codec", "not supported"],
    "raw_stream": ["no timestamp", "remux"],
}


def test_every_maker_has_an_expected_reason() -> None:
    assert set(REASONS) == set(factory.BAD_MEDIA)


@pytest.mark.parametrize("kind", sorted(factory.BAD_MEDIA))
def test_bad_media_is_refused_with_a_reason(kind: str, tmp_path: Path) -> None:
    path = factory.BAD_MEDIA[kind](tmp_path)
    with pytest.raises(MediaError) as raised:
        probe(path)
    reason = raised.value.reason
    assert reason == str(raised.value)
    assert reason.endswith(".")
    for word in REASONS[kind]:
        assert word in reason.lower(), reason


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "nothing.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="is empty"):
        probe(empty)


def test_truncated_file_with_its_index_keeps_the_frames_that_decode(tmp_path: Path) -> None:
    """A cut file whose index survived (faststart) is accepted with the frames that decode,
    says so, and probe, reader and proxy agree on which pictures those are.

    The last packet before the cut is partial and cannot be decoded, while two packets after
    it in decode order can: so the timeline is numbered over what decodes and the pictures
    from the cut on are not at their original index. Nobody must number them otherwise.
    """
    path, full_length = factory.make_truncated_faststart(tmp_path)
    result = probe(path)
    assert 0 < result.n_frames < full_length
    assert result.n_frames == factory.ffprobe_frame_count(path)
    assert any("truncated" in warning for warning in result.warnings)
    with FrameReader(path, result) as reader:
        shown = [factory.read_barcode(reader.frame(i)) for i in range(result.n_frames)]
    assert shown[:20] == list(range(20))
    assert shown == sorted(set(shown))
    proxy = make_proxy(path, tmp_path / "proxy.mp4", result)
    assert proxy.n_frames == factory.ffprobe_frame_count(proxy.path) == result.n_frames
    with FrameReader(proxy.path) as reader:
        assert [factory.read_barcode(reader.frame(i)) for i in range(proxy.n_frames)] == shown


def test_proxy_refuses_a_probe_that_does_not_match(tmp_path: Path) -> None:
    """The proxy is checked against the probe: a count that cannot be met leaves no file."""
    path = factory.make_video(tmp_path, "h264_30", n_frames=24)
    result = probe(path)
    wrong = dataclasses.replace(result, n_frames=25, pts=(*result.pts, 10**9))
    target = tmp_path / "proxy.mp4"
    with pytest.raises(MediaError, match="24 frames where the source has 25"):
        make_proxy(path, target, wrong)
    assert not target.exists()
    assert list(tmp_path.glob("*.partial")) == []
