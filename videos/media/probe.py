"""Probe a video file into the facts of its canonical timeline.

The canonical timeline is the video's decoded frames in presentation order, numbered from 0,
exactly as ffmpeg (through PyAV) decodes them: edit lists honoured (frames an edit list cuts
are never presented; a timeline that starts late keeps its first presented frame as frame 0),
B-frames reordered. Every number here comes from decoding the whole stream, never from
container headers, which are routinely wrong (a header counting frames that an edit list cuts,
a frame rate guessed from the first few timestamps).

Decisions, stated once:

* **Frame rate.** ``fps`` is the mean rate over the decoded timestamps, ``(n - 1) / (last pts -
  first pts)``. When the container declares a rate (average or real base rate, with a
  denominator of at most 1001) within 0.1 % of that mean, the declared rational is used, so
  that 29.97 fps stays exactly 30000/1001 even in a millisecond time base. Otherwise the mean
  is reduced to a denominator of at most 1001. For a variable-frame-rate source the mean keeps
  the proxy (frame ``i`` at ``i / fps``) as long as the source, so its audio stays in step
  over the whole video, drifting locally by at most the source's own jitter. A single-frame
  video takes the declared rate, or 25.
* **Variable frame rate.** ``vfr`` is true when some interval between consecutive frames differs
  from the median interval by more than one time-base tick plus 1 %: a millisecond time base
  that rounds 33.37 ms to 33 and 34 is still constant.
* **Rotation.** ``rotation`` is the clockwise angle the stored picture must be turned by to be
  shown upright (the classic ``rotate`` tag; a phone's portrait video reads 90), taken from the
  display matrix and rounded to a multiple of 90. Mirroring in the matrix is ignored.
* **Damaged files.** Packets that fail to decode are skipped, as the ffmpeg binary skips them,
  and a read error ends the stream where it happened: a truncated file whose index survived
  yields the frames before the cut, with a warning. Consistency with the proxy is then checked
  by the proxy itself, which refuses to exist unless it has exactly as many frames. A file with
  no decodable frame, or whose index is gone, is refused.
* **Timestamps.** Frames must carry strictly increasing presentation timestamps; a raw
  elementary stream (no timestamps) or one that repeats a timestamp is refused, because a frame
  that cannot be told apart by its timestamp cannot be found again exactly.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error
from av.codec.context import ThreadType
from av.container import InputContainer
from av.stream import Disposition
from av.video.stream import VideoStream

from videos.media.errors import MediaError

MAX_DIMENSION = 8192
"""The largest width or height accepted, in pixels (8K; beyond it nothing is a face video)."""

_RATE_MATCH = Fraction(1, 1000)
_MAX_FPS_DENOMINATOR = 1001
_FALLBACK_FPS = Fraction(25)

# Demuxers that turn one still picture into a one-frame "video", and text formats that make
# ffmpeg open other files or URLs named inside them: neither is a video to annotate.
_STILL_IMAGE_SUFFIX = "_pipe"
_REFUSED_FORMATS = {"image2": "a still image", "hls": "a playlist", "concat": "a playlist"}

_SNIFF_BYTES = 4096


@dataclass(frozen=True)
class ProbeResult:
    """What a video is, on its canonical timeline.

    ``pts`` holds the presentation timestamp of every frame in ``time_base`` units, frame 0
    first; it is strictly increasing and may start above 0 (an edit list that starts late).
    ``keyframe_pts`` are the timestamps of the stream's keyframe packets, sorted: where a
    decoder can start. They need not be in ``pts``: an edit list can cut a keyframe that the
    frames after it still need.
    ``width``/``height`` are the stored picture; ``display_width``/``display_height`` what a
    viewer sees after ``rotation``. ``duration_s`` is ``n_frames / fps``: the length of the
    timeline as the proxy plays it. ``warnings`` name anything accepted but unusual (frames
    lost to damage), for a person to read.
    """

    container_format: str
    stream_index: int
    video_codec: str
    pixel_format: str | None
    width: int
    height: int
    rotation: int
    display_width: int
    display_height: int
    fps_num: int
    fps_den: int
    time_base_num: int
    time_base_den: int
    n_frames: int
    pts: tuple[int, ...]
    keyframe_pts: tuple[int, ...]
    duration_s: float
    vfr: bool
    has_audio: bool
    audio_codec: str | None
    audio_stream_index: int | None
    warnings: tuple[str, ...] = ()

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @property
    def time_base(self) -> Fraction:
        return Fraction(self.time_base_num, self.time_base_den)

    @property
    def start_time(self) -> Fraction:
        """When frame 0 is presented on the source's clock, in seconds."""
        return self.pts[0] * self.time_base

    def source_time(self, frame: int) -> Fraction:
        """When ``frame`` is presented on the source's clock, in seconds."""
        return self.pts[frame] * self.time_base

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able dict of every field (``pts`` as a list)."""
        return {
            "container_format": self.container_format,
            "stream_index": self.stream_index,
            "video_codec": self.video_codec,
            "pixel_format": self.pixel_format,
            "width": self.width,
            "height": self.height,
            "rotation": self.rotation,
            "display_width": self.display_width,
            "display_height": self.display_height,
            "fps_num": self.fps_num,
            "fps_den": self.fps_den,
            "time_base_num": self.time_base_num,
            "time_base_den": self.time_base_den,
            "n_frames": self.n_frames,
            "pts": list(self.pts),
            "keyframe_pts": list(self.keyframe_pts),
            "duration_s": self.duration_s,
            "vfr": self.vfr,
            "has_audio": self.has_audio,
            "audio_codec": self.audio_codec,
            "audio_stream_index": self.audio_stream_index,
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ProbeResult:
        """The inverse of :meth:`as_dict` (for a probe stored as JSON)."""
        return cls(
            **{
                **data,
                "pts": tuple(data["pts"]),
                "keyframe_pts": tuple(data["keyframe_pts"]),
                "warnings": tuple(data.get("warnings", ())),
            }
        )


def probe(path: str | os.PathLike[str]) -> ProbeResult:
    """Decode the whole video stream of ``path`` and describe its canonical timeline.

    Raises :class:`MediaError` with a reason for a person when the file is not a video that
    can be annotated: unreadable, damaged beyond use, truncated without its index, audio only,
    a still image or text, an unsupported codec, no decodable frame, timestamps that do not
    identify frames, or a picture larger than :data:`MAX_DIMENSION` on either side.
    """
    file_path = Path(path)
    head = _read_head(file_path)
    kind = _non_media_kind(head)
    if kind is not None:
        raise MediaError(f"This is {kind}, not a video.")
    try:
        container = av.open(str(file_path), metadata_errors="ignore")
    except (av.error.FFmpegError, EOFError) as error:
        raise MediaError(_unreadable_reason(file_path, head, error)) from error
    with container:
        return _probe_container(container, file_path, head)


def _probe_container(container: InputContainer, path: Path, head: bytes) -> ProbeResult:
    format_name = container.format.name
    refused = _REFUSED_FORMATS.get(format_name)
    if refused is None and format_name.endswith(_STILL_IMAGE_SUFFIX):
        refused = f"a still image ({format_name.removesuffix(_STILL_IMAGE_SUFFIX).upper()})"
    if refused is not None:
        raise MediaError(f"This is {refused}, not a video.")

    stream = _video_stream(container)
    codec_context = stream.codec_context
    if codec_context is None:
        raise MediaError(
            "The video codec of this file is not supported: no decoder is available for it."
        )
    _check_dimensions(codec_context.width, codec_context.height, allow_unknown=True)

    audio = [s for s in container.streams.audio if s.codec_context is not None]
    timeline = _decode_timeline(container, stream)
    if not timeline.pts:
        raise MediaError(_no_frames_reason(timeline, _iso_bmff_truncated(path, head)))
    _check_dimensions(timeline.width, timeline.height, allow_unknown=False)

    time_base = stream.time_base
    if time_base is None:
        raise MediaError("The video stream has no time base, so its frames cannot be timed.")
    pts = _timestamps(timeline.pts)
    fps = _frame_rate(pts, time_base, _declared_rates(stream))
    rotation = _clockwise_rotation(timeline.rotation)
    turned = rotation in (90, 270)
    warnings = list(timeline.warnings)
    if timeline.damaged and _iso_bmff_truncated(path, head):
        warnings.append(f"The file is truncated: {len(pts)} frames could be read before the cut.")
    return ProbeResult(
        container_format=format_name,
        stream_index=stream.index,
        video_codec=codec_context.name,
        pixel_format=timeline.pixel_format,
        width=timeline.width,
        height=timeline.height,
        rotation=rotation,
        display_width=timeline.height if turned else timeline.width,
        display_height=timeline.width if turned else timeline.height,
        fps_num=fps.numerator,
        fps_den=fps.denominator,
        time_base_num=time_base.numerator,
        time_base_den=time_base.denominator,
        n_frames=len(pts),
        pts=pts,
        keyframe_pts=tuple(sorted(timeline.keyframe_pts)),
        duration_s=float(len(pts) / fps),
        vfr=_is_variable(pts),
        has_audio=bool(audio),
        audio_codec=audio[0].codec_context.name if audio else None,
        audio_stream_index=audio[0].index if audio else None,
        warnings=tuple(warnings),
    )


def _video_stream(container: InputContainer) -> VideoStream:
    """The first video stream that is a moving picture (cover art in audio files is not)."""
    for stream in container.streams.video:
        if not stream.disposition & Disposition.attached_pic:
            return stream
    if container.streams.audio:
        raise MediaError("The file has no video stream: it contains only audio.")
    raise MediaError("The file has no video stream.")


# -- decoding -----------------------------------------------------------------------------------


@dataclass
class _Timeline:
    pts: list[int | None]
    keyframe_pts: set[int] = field(default_factory=set)
    width: int = 0
    height: int = 0
    pixel_format: str | None = None
    rotation: int = 0
    packets: int = 0
    failed_packets: int = 0
    read_error: str | None = None

    @property
    def damaged(self) -> bool:
        return self.failed_packets > 0 or self.read_error is not None

    @property
    def warnings(self) -> list[str]:
        found = []
        if self.failed_packets:
            found.append(
                f"Damaged video data: {self.failed_packets} packet(s) could not be decoded "
                "and were skipped."
            )
        if self.read_error is not None:
            found.append(f"Reading stopped early: {self.read_error}.")
        return found


def _decode_timeline(container: InputContainer, stream: VideoStream) -> _Timeline:
    """Decode every frame of ``stream``; skip undecodable packets, stop at a read error."""
    # Slice threads only: with frame threads a damaged packet can silently take neighbouring
    # frames with it (seen with a truncated H.264 file: 25 frames instead of 27), and the
    # count must not depend on thread timing.
    stream.thread_type = ThreadType.SLICE
    timeline = _Timeline(pts=[])
    packets = container.demux(stream)
    while True:
        try:
            packet = next(packets)
        except StopIteration:
            break
        except (av.error.FFmpegError, EOFError) as error:
            timeline.read_error = _error_text(error)
            break
        if packet.size:
            timeline.packets += 1
            if packet.is_keyframe and packet.pts is not None:
                timeline.keyframe_pts.add(packet.pts)
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            # The ffmpeg binary logs and skips such a packet; so does the timeline.
            timeline.failed_packets += 1
            continue
        for frame in frames:
            if not timeline.pts:
                timeline.width, timeline.height = frame.width, frame.height
                timeline.pixel_format = frame.format.name
                timeline.rotation = frame.rotation
            timeline.pts.append(frame.pts)
    if timeline.read_error is not None:
        # Drain what the decoder still holds: those frames decoded fine before the error.
        with contextlib.suppress(av.error.FFmpegError):
            timeline.pts.extend(frame.pts for frame in stream.decode(None))
    return timeline


def _no_frames_reason(timeline: _Timeline, truncated: bool) -> str:
    if truncated:
        return "The file is truncated: it ends before any video frame could be read."
    if timeline.packets == 0:
        return "The video stream contains no frames."
    return (
        f"None of the {timeline.packets} packets of the video stream could be decoded: "
        "the video data is damaged or its codec is not supported."
    )


def _check_dimensions(width: int, height: int, *, allow_unknown: bool) -> None:
    if allow_unknown and width == 0 and height == 0:
        return
    if not (0 < width <= MAX_DIMENSION and 0 < height <= MAX_DIMENSION):
        raise MediaError(
            f"The video's picture size {width}x{height} is not supported: each side must be "
            f"between 1 and {MAX_DIMENSION} pixels."
        )


def _timestamps(raw: list[int | None]) -> tuple[int, ...]:
    """The frames' timestamps, checked to identify each frame: present, strictly increasing."""
    pts: list[int] = []
    for index, timestamp in enumerate(raw):
        if timestamp is None:
            raise MediaError(
                f"Frame {index} of the video has no timestamp (a raw stream without a "
                "container?); remux it into MP4 or MKV first."
            )
        if pts and timestamp <= pts[-1]:
            raise MediaError(
                f"The video's timestamps go backwards or repeat at frame {index}, so its "
                "frames cannot be told apart; re-encode it."
            )
        pts.append(timestamp)
    return tuple(pts)


# -- rates and rotation ------------------------------------------------------------------------


def _declared_rates(stream: VideoStream) -> list[Fraction]:
    """The container's rates that look declared rather than computed.

    A rate with a denominator above 1001 (519168/19667) is ffmpeg's frames-over-duration
    estimate, not a rate anybody chose; the mean of the real timestamps is better than that.
    """
    rates = [stream.average_rate, stream.base_rate, stream.guessed_rate]
    return [
        rate
        for rate in rates
        if rate is not None and rate > 0 and rate.denominator <= _MAX_FPS_DENOMINATOR
    ]


def _frame_rate(pts: tuple[int, ...], time_base: Fraction, declared: list[Fraction]) -> Fraction:
    """The mean rate of the timestamps, or a declared rate that agrees with it (see module)."""
    if len(pts) < 2:
        return declared[0] if declared else _FALLBACK_FPS
    span = (pts[-1] - pts[0]) * time_base
    mean = Fraction(len(pts) - 1) / span
    # One tick of rounding on the span moves the mean by up to tick/span; never demand more.
    tolerance = max(_RATE_MATCH, 2 * time_base / span)
    for rate in declared:
        if abs(rate - mean) <= tolerance * mean:
            return rate
    return mean.limit_denominator(_MAX_FPS_DENOMINATOR)


def _is_variable(pts: tuple[int, ...]) -> bool:
    if len(pts) < 3:
        return False
    intervals = [later - earlier for earlier, later in itertools.pairwise(pts)]
    median = statistics.median(intervals)
    allowed = 1 + median / 100
    return any(abs(interval - median) > allowed for interval in intervals)


def _clockwise_rotation(counter_clockwise: float) -> int:
    """Normalise a display-matrix angle (counter-clockwise, as ffmpeg reports it)."""
    return round(-counter_clockwise / 90) * 90 % 360


# -- reasons for files ffmpeg cannot open --------------------------------------------------------


def _read_head(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except FileNotFoundError as error:
        raise MediaError("The file does not exist.") from error
    except OSError as error:
        raise MediaError(f"The file cannot be read: {error.strerror}.") from error
    if not head:
        raise MediaError("The file is empty.")
    return head


_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
)


def _non_media_kind(head: bytes) -> str | None:
    """Name well-known kinds of file that are never video, from their first bytes.

    Text is refused before ffmpeg sees it: besides never being a video, a text file can be a
    playlist that makes ffmpeg open other files or URLs named inside it.
    """
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A cut in the middle of a multi-byte character at the end of the sample is fine.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return None
    printable = sum(1 for char in text if char.isprintable() or char in "\t\r\n")
    return "a text file" if printable >= 0.95 * len(text) else None


def _unreadable_reason(path: Path, head: bytes, error: BaseException) -> str:
    if _iso_bmff_truncated(path, head):
        return (
            "The file is truncated: it ends before its media data is complete and its index "
            "is missing (an upload or recording that stopped early)."
        )
    if isinstance(error, EOFError):
        return "The file ends before any video could be read: it is truncated or incomplete."
    return (
        "The file cannot be read as a video: it is damaged or not in a video format "
        f"(ffmpeg: {_error_text(error)})."
    )


def _iso_bmff_truncated(path: Path, head: bytes) -> bool:
    """Whether an MP4/QuickTime file's last top-level box runs past the end of the file.

    Only a chain of well-formed boxes (four-letter types, sane sizes) that overruns at its last
    box counts as truncated; anything else is damage of another kind.
    """
    if head[4:8] not in (b"ftyp", b"wide", b"mdat", b"moov", b"free", b"skip"):
        return False
    size = path.stat().st_size
    offset = 0
    with path.open("rb") as handle:
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(16)
            box_type = header[4:8]
            if not all(chr(byte).isalnum() or byte == 0x20 for byte in box_type):
                return False
            box_size = int.from_bytes(header[:4], "big")
            if box_size == 1 and len(header) >= 16:
                box_size = int.from_bytes(header[8:16], "big")
            elif box_size == 0:
                return False  # "to the end of the file": cannot be too long
            if box_size < 8:
                return False
            offset += box_size
    return offset > size


def _error_text(error: BaseException) -> str:
    if isinstance(error, av.error.FFmpegError) and error.strerror:
        return str(error.strerror).rstrip(".")
    return str(error).rstrip(".")
