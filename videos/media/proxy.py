"""The browser proxy: what the annotation player plays instead of the source.

Contract (DESIGN, "Frames and time"): H.264 yuv420p in MP4 with the index first (faststart),
a keyframe at least every half second and no B-frames (cheap, exact seeks in the browser),
upright (the display rotation applied to the pixels), even dimensions, AAC audio when the
source has audio, and exactly one proxy frame per source frame: proxy frame ``i`` is canonical
frame ``i``, presented at ``i / fps`` — re-timed, never dropped or duplicated, whatever the
source's timestamps did (variable rate, an edit list that starts late).

How: the ffmpeg binary decodes (honouring edit lists and the display matrix, as PyAV does for
the probe), then ``settb=1/fps,setpts=N`` numbers the frames in a time base of one frame, and
``-fps_mode passthrough`` with ``-r fps`` keeps ffmpeg from adding or dropping any. Audio is
shifted so that the sound at frame 0's source time plays at 0 and resampled against its own
timestamps, so it stays in step. The result is then checked packet by packet (count and every
timestamp) before it replaces ``dst``; a proxy that is not exactly right is never written.
"""

from __future__ import annotations

import math
import os
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import IO, Any

import av
import av.error
import ffmpeg

from videos.media.errors import MediaError
from videos.media.probe import ProbeResult

ProgressCallback = Callable[[float], None]
"""Called with the fraction of frames encoded so far, from 0.0 to 1.0."""

FFMPEG_BINARY = "ffmpeg"
KEYFRAME_SECONDS = 0.5
AUDIO_BITRATE = "128k"


@dataclass(frozen=True)
class ProxyResult:
    """The proxy written to ``path``: its frame grid and size as verified after encoding."""

    path: Path
    n_frames: int
    fps_num: int
    fps_den: int
    width: int
    height: int
    keyframe_interval: int
    has_audio: bool
    size_bytes: int

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)


def make_proxy(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    probe_result: ProbeResult,
    *,
    progress: ProgressCallback | None = None,
    crf: int = 20,
    preset: str = "veryfast",
) -> ProxyResult:
    """Transcode ``src`` (described by ``probe_result``) into the browser proxy at ``dst``.

    ``dst`` is replaced only by a verified proxy: ``probe_result.n_frames`` frames, frame ``i``
    at ``i / fps``. Raises :class:`MediaError` when ffmpeg fails or the check does not hold.
    """
    source, target = Path(src), Path(dst)
    fps = probe_result.fps
    keyframe_interval = max(1, math.floor(float(fps) * KEYFRAME_SECONDS))
    partial = target.with_name(f".{target.name}.partial")
    command = _command(source, partial, probe_result, keyframe_interval, crf, preset)
    try:
        _run(command, probe_result.n_frames, progress)
        width, height = _verify(partial, probe_result)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    if progress is not None:
        progress(1.0)
    return ProxyResult(
        path=target,
        n_frames=probe_result.n_frames,
        fps_num=fps.numerator,
        fps_den=fps.denominator,
        width=width,
        height=height,
        keyframe_interval=keyframe_interval,
        has_audio=probe_result.has_audio,
        size_bytes=target.stat().st_size,
    )


def _command(
    source: Path,
    target: Path,
    probe_result: ProbeResult,
    keyframe_interval: int,
    crf: int,
    preset: str,
) -> list[str]:
    fps = probe_result.fps
    one_frame = f"{fps.denominator}/{fps.numerator}"
    # -copyts keeps the source clock in the audio filter, so the shift below is exact; the
    # video ignores it (setpts=N). Autorotation stays on: ffmpeg turns the picture by the
    # display matrix and writes an identity matrix.
    source_node = ffmpeg.input(str(source))
    video = (
        source_node[str(probe_result.stream_index)]
        .filter("settb", one_frame)
        .filter("setpts", "N")
        .filter("pad", "ceil(iw/2)*2", "ceil(ih/2)*2")
        .filter("format", "yuv420p")
    )
    streams: list[Any] = [video]
    options: dict[str, Any] = {
        "c:v": "libx264",
        "preset": preset,
        "crf": crf,
        "profile:v": "high",
        "g": keyframe_interval,
        "bf": 0,
        "fps_mode": "passthrough",
        "r": f"{fps.numerator}/{fps.denominator}",
        "movflags": "+faststart",
        "f": "mp4",
        "progress": "pipe:1",
    }
    if probe_result.audio_stream_index is not None:
        start = probe_result.start_time
        audio = (
            source_node[str(probe_result.audio_stream_index)]
            .filter("asetpts", f"PTS-{start.numerator}/{start.denominator}/TB")
            # first_pts=0 pads with silence or trims so the sound starts exactly at 0.
            .filter("aresample", **{"async": 1, "first_pts": 0})
        )
        streams.append(audio)
        options.update({"c:a": "aac", "b:a": AUDIO_BITRATE, "ac": 2})
    output = ffmpeg.output(*streams, str(target), **options).global_args(
        "-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-copyts"
    )
    command: list[str] = ffmpeg.compile(output, cmd=FFMPEG_BINARY, overwrite_output=True)
    return command


def _run(command: list[str], n_frames: int, progress: ProgressCallback | None) -> None:
    # stderr goes to a file, not a pipe: a damaged source can make ffmpeg log more than a pipe
    # holds while we are busy reading progress from stdout.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
        assert process.stdout is not None
        _follow_progress(process.stdout, n_frames, progress)
        returncode = process.wait()
        if returncode != 0:
            raise MediaError(f"The browser proxy could not be made: {_tail(log)}")


def _follow_progress(lines: IO[str], n_frames: int, progress: ProgressCallback | None) -> None:
    """Read ffmpeg's ``-progress`` key=value blocks and report the ``frame=`` count."""
    for line in lines:
        key, _, value = line.strip().partition("=")
        if progress is not None and key == "frame" and value.isdigit() and n_frames:
            progress(min(1.0, int(value) / n_frames))


def _tail(log: IO[bytes]) -> str:
    log.seek(0)
    lines = log.read().decode(errors="replace").strip().splitlines()
    return " / ".join(lines[-3:]) or "ffmpeg failed without a message"


def _verify(path: Path, probe_result: ProbeResult) -> tuple[int, int]:
    """Check frame count and every timestamp of the proxy; returns its width and height.

    Packets, not decoded frames, are counted: the proxy has no B-frames, so each packet is one
    frame at its own timestamp, and reading packets costs a fraction of decoding.
    """
    fps = probe_result.fps
    try:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            width, height = stream.codec_context.width, stream.codec_context.height
            time_base = stream.time_base
            assert time_base is not None
            pts = sorted(packet.pts for packet in container.demux(stream) if packet.pts is not None)
    except (av.error.FFmpegError, EOFError) as error:
        raise MediaError(f"The browser proxy cannot be read back: {error}") from error
    if len(pts) != probe_result.n_frames:
        raise MediaError(
            f"The browser proxy has {len(pts)} frames where the source has "
            f"{probe_result.n_frames}; it was not kept."
        )
    for index, timestamp in enumerate(pts):
        if timestamp * time_base != index / fps:
            raise MediaError(
                f"Proxy frame {index} is at {float(timestamp * time_base):.6f} s instead of "
                f"{float(index / fps):.6f} s; the proxy was not kept."
            )
    return width, height
