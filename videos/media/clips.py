"""Cut frame ranges of a source video into clips (H.264 MP4) or folders of images.

Frames are numbered on the source's canonical timeline (0-based, as :func:`probe` and
:class:`FrameReader` number them) and ranges are inclusive. ``pad`` widens the range by that
many frames on each side, clamped to the video: ``[max(0, first - pad), min(n - 1, last + pad)]``
(:func:`padded_range`); the unpadded ``[first, last]`` itself must lie inside the video.

Frame-exactness: every frame is identified by its presentation timestamp (``probe().pts``),
as :class:`FrameReader` does, after one seek to the keyframe at or before the first frame wanted
and decoding forward (from the start of the file if that seek lands past it). So clip frame
``k`` is canonical frame ``start + k``, whatever the source's B-frames, edit lists or variable
rate. Pictures are upright (the display rotation applied), as in the browser proxy. An upright,
even-sized source is encoded from its decoded pictures directly; a detour through RGB would
shift every pixel by about a grey level. Rotated or odd-sized sources go through
:class:`FrameReader`'s RGB pictures, turned or padded.

Clips (:func:`cut_clip`) are re-encoded with libx264 (through PyAV) as yuv420p MP4 with the
index first (faststart), no B-frames and a keyframe every half second; frame ``k`` is presented
at ``k / fps`` (re-timed like the proxy, never dropped or duplicated). An odd width or height is
padded to even by repeating the last column or row. There is no audio track. Frame folders
(:func:`export_frames`) hold one JPEG or lossless PNG per frame.

Nothing half-written is ever left as if good: a clip is written to a hidden temporary file in
the destination folder, checked (frame count and every timestamp) and only then renamed over
``dest``; a frame folder is filled under a hidden temporary name beside ``dest_dir`` and renamed
into place when complete. Failures raise :class:`MediaError` with a reason.
"""

from __future__ import annotations

import contextlib
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import av.error
import numpy as np
from av.codec.context import ThreadType
from av.video.frame import PictureType, VideoFrame
from av.video.stream import VideoStream

from videos.media.errors import MediaError
from videos.media.frames import FrameReader, RgbArray, encode_jpeg, encode_png
from videos.media.probe import ProbeResult

ClipProgress = Callable[[int, int], None]
"""Called as ``on_progress(done, total)`` after each frame written."""

ImageFormat = Literal["jpg", "png"]

KEYFRAME_SECONDS = 0.5
DEFAULT_JPEG_QUALITY = 95
_IMAGE_SUFFIXES: dict[str, tuple[str, ...]] = {"jpg": (".jpg", ".jpeg"), "png": (".png",)}


@dataclass(frozen=True)
class ClipResult:
    """A verified clip at ``path``: canonical frames ``first_frame..last_frame`` of the source.

    Clip frame ``k`` is source frame ``first_frame + k``, presented at ``k / fps``.
    """

    path: Path
    first_frame: int
    last_frame: int
    n_frames: int
    fps_num: int
    fps_den: int
    width: int
    height: int
    size_bytes: int

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)


@dataclass(frozen=True)
class FramesResult:
    """A folder of images: ``files[k]`` is source frame ``first_frame + k``.

    The file for source frame ``f`` is ``pattern.format(start_number + f - first_frame)``.
    """

    directory: Path
    first_frame: int
    last_frame: int
    n_frames: int
    start_number: int
    format: ImageFormat
    files: tuple[str, ...]


def padded_range(first: int, last: int, n_frames: int, pad: int = 0) -> tuple[int, int]:
    """The inclusive range ``[first - pad, last + pad]`` clamped to a video of ``n_frames``.

    Raises :class:`MediaError` unless ``0 <= first <= last < n_frames`` and ``pad >= 0``.
    """
    _check_request(first, last, pad)
    if last >= n_frames:
        raise MediaError(
            f"Frames {first}..{last} are outside the video, whose frames are 0..{n_frames - 1}."
        )
    return max(0, first - pad), min(n_frames - 1, last + pad)


def cut_clip(
    source: str | os.PathLike[str],
    first: int,
    last: int,
    dest: str | os.PathLike[str],
    *,
    fps_num: int,
    fps_den: int,
    pad: int = 0,
    n_frames: int | None = None,
    crf: int = 18,
    preset: str = "veryfast",
    probe_result: ProbeResult | None = None,
    on_progress: ClipProgress | None = None,
) -> ClipResult:
    """Re-encode source frames ``[first - pad, last + pad]`` (clamped) into an MP4 at ``dest``.

    ``fps_num/fps_den`` is the clip's frame rate (the source's, from its probe). Pass the
    stored ``probe_result`` so that the source is not decoded twice; ``n_frames``, when given,
    is the frame count the caller expects of the source, and a source that disagrees is
    refused (it is not the file the caller thinks). ``dest`` is replaced only by a clip whose
    frame count and timestamps were checked. Raises :class:`MediaError` for a bad range, an
    unreadable source or a failed encode.
    """
    _check_request(first, last, pad)
    fps = _rate(fps_num, fps_den)
    if not 0 <= crf <= 51:
        raise MediaError(f"crf must be between 0 and 51, got {crf}.")
    target = Path(dest)
    with _reader(source, probe_result, n_frames) as reader:
        start, end = padded_range(first, last, reader.n_frames, pad)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".part"
        )
        os.close(handle)
        partial = Path(name)
        try:
            width, height = _encode_clip(reader, start, end, partial, fps, crf, preset, on_progress)
            _verify_clip(partial, end - start + 1, fps)
            os.replace(partial, target)
        except OSError as error:
            raise MediaError(
                f"The clip could not be written: {error.strerror or error}."
            ) from error
        finally:
            partial.unlink(missing_ok=True)
    return ClipResult(
        path=target,
        first_frame=start,
        last_frame=end,
        n_frames=end - start + 1,
        fps_num=fps.numerator,
        fps_den=fps.denominator,
        width=width,
        height=height,
        size_bytes=target.stat().st_size,
    )


def export_frames(
    source: str | os.PathLike[str],
    first: int,
    last: int,
    dest_dir: str | os.PathLike[str],
    *,
    pad: int = 0,
    pattern: str | None = None,
    start_number: int = 1,
    fmt: ImageFormat = "jpg",
    quality: int = DEFAULT_JPEG_QUALITY,
    n_frames: int | None = None,
    probe_result: ProbeResult | None = None,
    overwrite: bool = False,
    on_progress: ClipProgress | None = None,
) -> FramesResult:
    """Write source frames ``[first - pad, last + pad]`` (clamped) as images into ``dest_dir``.

    Frame base: the first frame written (source frame ``max(0, first - pad)``) is file number
    ``start_number`` (default 1, as most spotting datasets name their images), the next
    ``start_number + 1``, and so on; pass ``start_number = first_frame + 1`` to name files by the
    source's 1-based frame number instead. ``pattern`` is a ``str.format`` pattern for the number
    (default ``"img{:05d}.jpg"`` or ``".png"`` by ``fmt``); its suffix must match ``fmt``. JPEG at
    ``quality``, PNG lossless. ``dest_dir`` must not exist or be empty unless ``overwrite``, in
    which case it is replaced as a whole once the new folder is complete. Raises
    :class:`MediaError` for a bad range or pattern, an unreadable source or a failed write.
    """
    _check_request(first, last, pad)
    if fmt not in _IMAGE_SUFFIXES:
        raise MediaError(f"Image format must be 'jpg' or 'png', got {fmt!r}.")
    name_pattern = pattern if pattern is not None else f"img{{:05d}}.{fmt}"
    _check_pattern(name_pattern, fmt, start_number)
    directory = Path(dest_dir)
    if directory.exists() and not overwrite and any(directory.iterdir()):
        raise MediaError(f"The folder {directory} already holds files; it was left as it was.")
    with _reader(source, probe_result, n_frames) as reader:
        start, end = padded_range(first, last, reader.n_frames, pad)
        directory.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(
            tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".part")
        )
        try:
            files = _write_images(
                reader, start, end, partial, name_pattern, start_number, fmt, quality, on_progress
            )
            _move_into_place(partial, directory)
        except OSError as error:
            raise MediaError(
                f"The frames could not be written: {error.strerror or error}."
            ) from error
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    return FramesResult(
        directory=directory,
        first_frame=start,
        last_frame=end,
        n_frames=end - start + 1,
        start_number=start_number,
        format=fmt,
        files=files,
    )


# -- checks ----------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _check_request(first: int, last: int, pad: int) -> None:
    if not (_is_int(first) and _is_int(last) and _is_int(pad)):
        raise MediaError(f"Frames and padding must be integers, got {first!r}, {last!r}, {pad!r}.")
    if first < 0:
        raise MediaError(f"The first frame must be 0 or later, got {first}.")
    if last < first:
        raise MediaError(f"The last frame ({last}) is before the first ({first}).")
    if pad < 0:
        raise MediaError(f"Padding must be 0 or more frames, got {pad}.")


def _rate(fps_num: int, fps_den: int) -> Fraction:
    if not (_is_int(fps_num) and _is_int(fps_den)) or fps_num <= 0 or fps_den <= 0:
        raise MediaError(f"The frame rate {fps_num}/{fps_den} is not a positive fraction.")
    return Fraction(int(fps_num), int(fps_den))


def _check_pattern(pattern: str, fmt: str, start_number: int) -> None:
    if not _is_int(start_number) or start_number < 0:
        raise MediaError(f"start_number must be an integer of 0 or more, got {start_number!r}.")
    try:
        names = {pattern.format(start_number), pattern.format(start_number + 1)}
    except (IndexError, KeyError, ValueError) as error:
        raise MediaError(f"The file name pattern {pattern!r} does not take a number.") from error
    if len(names) != 2:
        raise MediaError(f"The file name pattern {pattern!r} gives every frame the same name.")
    if any(os.sep in name or name.startswith(".") for name in names):
        raise MediaError(f"The file name pattern {pattern!r} must name plain visible files.")
    if not pattern.lower().endswith(_IMAGE_SUFFIXES[fmt]):
        raise MediaError(f"The file name pattern {pattern!r} does not end in .{fmt}.")


@contextlib.contextmanager
def _reader(
    source: str | os.PathLike[str], probe_result: ProbeResult | None, n_frames: int | None
) -> Iterator[FrameReader]:
    with FrameReader(source, probe_result) as reader:
        if n_frames is not None and reader.n_frames != n_frames:
            raise MediaError(
                f"The source has {reader.n_frames} frames where {n_frames} were expected: "
                "it is not the video it was taken for."
            )
        yield reader


# -- clips -----------------------------------------------------------------------------------


def _encode_clip(
    reader: FrameReader,
    start: int,
    end: int,
    path: Path,
    fps: Fraction,
    crf: int,
    preset: str,
    on_progress: ClipProgress | None,
) -> tuple[int, int]:
    """Encode frames ``start..end`` into ``path``; returns the clip's width and height."""
    total = end - start + 1
    source = reader.probe
    direct = source.rotation == 0 and source.width % 2 == 0 and source.height % 2 == 0
    if direct:
        width, height = source.width, source.height
        frames = _decoded_frames(reader.path, source, start, end)
    else:
        height, width = reader.frame(start).shape[:2]
        width, height = width + width % 2, height + height % 2
        frames = (
            VideoFrame.from_ndarray(_even(reader.frame(index)), format="rgb24")
            for index in range(start, end + 1)
        )
    one_frame = Fraction(fps.denominator, fps.numerator)
    try:
        with av.open(
            str(path), mode="w", format="mp4", options={"movflags": "+faststart"}
        ) as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            stream.time_base = one_frame
            stream.codec_context.time_base = one_frame
            stream.options = {
                "crf": str(crf),
                "preset": preset,
                "bf": "0",
                "g": str(max(1, math.floor(float(fps) * KEYFRAME_SECONDS))),
            }
            for done, frame in enumerate(frames, start=1):
                frame.pts, frame.time_base = done - 1, one_frame
                # A decoded frame keeps its picture type, which libx264 would obey.
                frame.pict_type = PictureType.NONE
                for packet in stream.encode(frame):
                    container.mux(packet)
                if on_progress is not None:
                    on_progress(done, total)
            for packet in stream.encode(None):
                container.mux(packet)
    except av.error.FFmpegError as error:
        raise MediaError(f"The clip could not be encoded: {error}") from error
    return width, height


def _decoded_frames(path: Path, source: ProbeResult, start: int, end: int) -> Iterator[VideoFrame]:
    """Canonical frames ``start..end`` as the decoder gives them (no conversion), in order.

    Used for upright, even-sized sources, so that the clip is encoded from the decoded
    pictures themselves: a detour through RGB costs about one grey level on every pixel. Frames
    are identified by timestamp, as in :class:`FrameReader`: decoding starts at the last
    keyframe at or before frame ``start`` and, should that seek land past it, again from the
    start of the file.
    """
    index_of_pts = {pts: index for index, pts in enumerate(source.pts)}
    seek_points = [point for point in source.keyframe_pts if point <= source.pts[start]]
    attempts = [seek_points[-1], None] if seek_points else [None]
    for seek_point in attempts:
        expected = start
        for index, frame in _decode_from(path, source, seek_point, index_of_pts):
            if index < expected:
                continue
            if index > expected:
                if expected > start:
                    raise MediaError(f"Frame {expected} of the source could not be decoded.")
                break  # the seek landed past frame ``start``: decode from the beginning
            yield frame
            expected += 1
            if expected > end:
                return
        else:
            if expected > start:
                raise MediaError(f"Frame {expected} of the source could not be decoded.")
    raise MediaError(f"Frame {start} of the source could not be decoded, even from the start.")


def _decode_from(
    path: Path, source: ProbeResult, seek_point: int | None, index_of_pts: dict[int, int]
) -> Iterator[tuple[int, VideoFrame]]:
    """``(canonical index, frame)`` from ``seek_point`` (or the file's start) to the end."""
    try:
        container = av.open(str(path), metadata_errors="ignore")
    except (av.error.FFmpegError, EOFError) as error:
        raise MediaError(f"The video file cannot be opened again: {error}") from error
    with container:
        stream = container.streams[source.stream_index]
        if not isinstance(stream, VideoStream):
            raise MediaError("The video file no longer matches its probe.")
        stream.thread_type = ThreadType.SLICE  # as in probe: no frames lost next to damage
        if seek_point is not None:
            try:
                container.seek(seek_point, stream=stream, backward=True)
            except av.error.FFmpegError:
                return
        for packet in container.demux(stream):
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue  # skipped as probe skipped it, so indices still agree
            for frame in frames:
                if not isinstance(frame, VideoFrame) or frame.pts is None:
                    continue
                index = index_of_pts.get(frame.pts)
                if index is not None:
                    yield index, frame


def _even(picture: RgbArray) -> RgbArray:
    """``picture`` grown to even width and height by repeating its last column and row."""
    height, width = picture.shape[:2]
    if height % 2 == 0 and width % 2 == 0:
        return picture
    padded: RgbArray = np.pad(picture, ((0, height % 2), (0, width % 2), (0, 0)), mode="edge")
    return padded


def _verify_clip(path: Path, n_frames: int, fps: Fraction) -> None:
    """Check that ``path`` holds exactly ``n_frames`` frames, frame ``k`` at ``k / fps``.

    Packets are counted, not decoded frames: without B-frames each packet is one frame.
    """
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            time_base = stream.time_base
            assert time_base is not None
            pts = sorted(p.pts for p in container.demux(stream) if p.pts is not None)
    except (av.error.FFmpegError, EOFError) as error:
        raise MediaError(f"The clip cannot be read back: {error}") from error
    if len(pts) != n_frames:
        raise MediaError(f"The clip has {len(pts)} frames instead of {n_frames}; not kept.")
    for index, timestamp in enumerate(pts):
        if timestamp * time_base != index / fps:
            raise MediaError(
                f"Clip frame {index} is at {float(timestamp * time_base):.6f} s instead of "
                f"{float(index / fps):.6f} s; the clip was not kept."
            )


# -- frame folders ----------------------------------------------------------------------------


def _write_images(
    reader: FrameReader,
    start: int,
    end: int,
    directory: Path,
    pattern: str,
    start_number: int,
    fmt: ImageFormat,
    quality: int,
    on_progress: ClipProgress | None,
) -> tuple[str, ...]:
    total = end - start + 1
    names = []
    for done, index in enumerate(range(start, end + 1), start=1):
        picture = reader.frame(index)
        data = encode_png(picture) if fmt == "png" else encode_jpeg(picture, quality)
        name = pattern.format(start_number + done - 1)
        (directory / name).write_bytes(data)
        names.append(name)
        if on_progress is not None:
            on_progress(done, total)
    return tuple(names)


def _move_into_place(partial: Path, directory: Path) -> None:
    """Rename the complete folder ``partial`` to ``directory``, replacing an old one whole."""
    if directory.exists() and any(directory.iterdir()):
        old = Path(
            tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}.", suffix=".old")
        )
        os.replace(directory, old / directory.name)
        try:
            os.replace(partial, directory)
        except OSError:
            os.replace(old / directory.name, directory)  # put the old folder back
            raise
        finally:
            shutil.rmtree(old, ignore_errors=True)
    else:
        # An empty directory (or none) is replaced by the rename itself.
        os.replace(partial, directory)
