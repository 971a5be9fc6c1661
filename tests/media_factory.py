"""Synthetic test videos whose every frame carries its own index, and bad media to reject.

Each frame shows its index twice: as a barcode that survives lossy compression (machine
readable, :func:`read_barcode`) and as digits drawn with OpenCV (human readable, for whoever
opens a failing clip). The barcode is two rows of twelve black or white cells across the top of
the picture: a start pair (white, black), 16 data bits (most significant first), a 4-bit
checksum, and a stop pair (black, white). Cell positions depend only on the picture size, so a
reader needs nothing but the decoded array; a one-pixel pad (the proxy's even dimensions) does
not move them enough to matter because only the middle of each cell is sampled.

Videos are encoded by the ffmpeg binary from raw RGB frames written to its stdin, so every
variant is what the ffmpeg command line produces for a real user (the one file the binary
refuses to write, a video stream without frames, is written with PyAV).
"""

from __future__ import annotations

import json
import struct
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np
import numpy.typing as npt

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

RgbArray = npt.NDArray[np.uint8]

# -- the barcode -------------------------------------------------------------------------------

_COLUMNS = 12
_ROWS = 2
_DATA_BITS = 16
_CHECK_BITS = 4
_START = (1, 0)
_STOP = (0, 1)
MAX_INDEX = 2**_DATA_BITS - 1


@dataclass(frozen=True)
class _Layout:
    left: int
    top: int
    cell_width: int
    cell_height: int


def _layout(width: int, height: int) -> _Layout:
    margin = max(2, width // 40)
    cell_width = (width - 2 * margin) // _COLUMNS
    cell_height = max(8, height // 8)
    if cell_width < 4 or _ROWS * cell_height + margin > height:
        raise ValueError(f"a {width}x{height} picture is too small for the barcode")
    return _Layout(left=margin, top=margin, cell_width=cell_width, cell_height=cell_height)


def _checksum(index: int) -> int:
    # The sum of the four nibbles catches any single flipped cell and most double flips.
    return sum((index >> shift) & 0xF for shift in (0, 4, 8, 12)) & 0xF


def _cells(index: int) -> list[int]:
    data = [(index >> (_DATA_BITS - 1 - bit)) & 1 for bit in range(_DATA_BITS)]
    check = _checksum(index)
    check_bits = [(check >> (_CHECK_BITS - 1 - bit)) & 1 for bit in range(_CHECK_BITS)]
    return [*_START, *data, *check_bits, *_STOP]


def draw_barcode(picture: RgbArray, index: int) -> None:
    """Draw ``index`` as a barcode into the top band of ``picture`` (H x W x 3, in place)."""
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"index {index} does not fit in {_DATA_BITS} bits")
    height, width = picture.shape[:2]
    layout = _layout(width, height)
    for position, bit in enumerate(_cells(index)):
        row, column = divmod(position, _COLUMNS)
        y = layout.top + row * layout.cell_height
        x = layout.left + column * layout.cell_width
        picture[y : y + layout.cell_height, x : x + layout.cell_width] = 255 if bit else 0


def read_barcode(picture: npt.NDArray[Any]) -> int:
    """The frame index drawn by :func:`draw_barcode`; ``ValueError`` if none can be read.

    Each cell is read as the mean brightness of its middle half; the threshold sits halfway
    between the start pair's white and black cells, which makes it indifferent to the level and
    contrast shifts that lossy codecs and colour conversion introduce.
    """
    height, width = picture.shape[:2]
    layout = _layout(width, height)
    gray = picture.astype(np.float32).mean(axis=2) if picture.ndim == 3 else picture
    levels = []
    for position in range(_ROWS * _COLUMNS):
        row, column = divmod(position, _COLUMNS)
        y = layout.top + row * layout.cell_height
        x = layout.left + column * layout.cell_width
        inset_y, inset_x = layout.cell_height // 4, layout.cell_width // 4
        cell = gray[
            y + inset_y : y + layout.cell_height - inset_y,
            x + inset_x : x + layout.cell_width - inset_x,
        ]
        levels.append(float(cell.mean()))
    white, black = levels[0], levels[1]
    if white - black < 60:
        raise ValueError(f"no barcode: start cells {white:.0f}/{black:.0f} lack contrast")
    threshold = (white + black) / 2
    bits = [1 if level > threshold else 0 for level in levels]
    if tuple(bits[:2]) != _START or tuple(bits[-2:]) != _STOP:
        raise ValueError(f"no barcode: start/stop cells read {bits[:2]}/{bits[-2:]}")
    data = bits[2 : 2 + _DATA_BITS]
    index = int("".join(map(str, data)), 2)
    check = int("".join(map(str, bits[2 + _DATA_BITS : 2 + _DATA_BITS + _CHECK_BITS])), 2)
    if check != _checksum(index):
        raise ValueError(f"barcode checksum mismatch (read {index})")
    return index


def read_image(source: Path | bytes) -> RgbArray:
    """A JPEG or PNG file (or its bytes) as an RGB array."""
    data = source if isinstance(source, bytes) else source.read_bytes()
    picture = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if picture is None:
        raise ValueError("not an image OpenCV can read")
    return np.asarray(cv2.cvtColor(picture, cv2.COLOR_BGR2RGB), dtype=np.uint8)


def render_frame(index: int, width: int, height: int) -> RgbArray:
    """A ``height x width`` RGB picture of frame ``index``: barcode, digits and moving shapes.

    The moving bar and disc give encoders real motion to predict (so B-frames and P-frames
    carry something), and make neighbouring frames differ in pixels, not only in the barcode.
    """
    picture = np.empty((height, width, 3), np.uint8)
    ramp = np.linspace(40, 200, width, dtype=np.float32)
    picture[:] = np.stack([ramp, ramp[::-1], np.full_like(ramp, 90)], axis=-1).astype(np.uint8)
    bar_x = (index * 7) % max(1, width - width // 8)
    picture[:, bar_x : bar_x + width // 8] = (200, 60, 60)
    radius = max(4, min(width, height) // 10)
    centre = (
        int(width / 2 + (width / 3) * np.cos(index / 9)),
        int(height * 0.7 + (height / 6) * np.sin(index / 9)),
    )
    cv2.circle(picture, centre, radius, (60, 60, 220), thickness=-1)
    draw_barcode(picture, index)
    layout = _layout(width, height)
    text_y = layout.top + _ROWS * layout.cell_height + max(14, height // 6)
    scale = max(0.4, height / 200)
    cv2.putText(
        picture,
        str(index),
        (layout.left, min(height - 2, text_y)),
        cv2.FONT_HERSHEY_SIMPLEX,
        scale,
        (255, 255, 255),
        thickness=max(1, int(scale * 2)),
        lineType=cv2.LINE_AA,
    )
    return picture


# -- variants ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Variant:
    """How to encode one kind of test video.

    ``width``/``height`` are the display size (what a viewer sees upright); with a rotation the
    stored picture is turned the other way so that honouring the display matrix restores it.
    ``vfr_expression`` is an ffmpeg ``setpts`` time in seconds as a function of ``N``.
    """

    name: str
    suffix: str
    codec: str
    encoder_args: tuple[str, ...]
    fps: Fraction = Fraction(30)
    width: int = 160
    height: int = 120
    rotation: int = 0
    vfr_expression: str | None = None
    audio_args: tuple[str, ...] = ()
    start_offset_s: float = 0.0
    pixel_format: str = "yuv420p"
    output_args: tuple[str, ...] = ()

    @property
    def has_audio(self) -> bool:
        return bool(self.audio_args)


def _args(line: str) -> tuple[str, ...]:
    return tuple(line.split())


_X264 = _args("-c:v libx264 -preset veryfast -crf 18 -g 12")
_AAC = _args("-c:a aac -b:a 64k")

VARIANTS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        Variant("h264_30", "mp4", "h264", _X264, Fraction(30)),
        Variant("h264_25", "mp4", "h264", _X264, Fraction(25)),
        Variant("h264_29_97", "mp4", "h264", _X264, Fraction(30000, 1001)),
        Variant("h264_23_976", "mp4", "h264", _X264, Fraction(24000, 1001)),
        Variant(
            "h264_vfr",
            "mp4",
            "h264",
            _X264,
            Fraction(30),
            # Intervals of 1, 1.25, 1.5 and 1.75 frame periods in an irregular pattern.
            vfr_expression="(N + 0.5*floor(N/3) + 0.25*floor(N/5)) / 30",
            output_args=_args("-enc_time_base 1/90000 -video_track_timescale 90000"),
        ),
        Variant(
            "h264_bframes",
            "mp4",
            "h264",
            _args("-c:v libx264 -preset medium -crf 18 -g 24 -bf 3 -x264-params b-pyramid=normal"),
        ),
        Variant(
            "hevc_mp4",
            "mp4",
            "hevc",
            _args(
                "-c:v libx265 -crf 20 -tag:v hvc1"
                " -x265-params log-level=error:keyint=20:min-keyint=20:bframes=3"
            ),
        ),
        Variant(
            "vp8_webm",
            "webm",
            "vp8",
            _args("-c:v libvpx -crf 8 -b:v 2M -g 15 -auto-alt-ref 1"),
            audio_args=_args("-c:a libopus -b:a 48k"),
        ),
        Variant(
            "mpeg4_part2",
            "mp4",
            "mpeg4",
            _args("-c:v mpeg4 -q:v 3 -g 12 -bf 2"),
            Fraction(25),
        ),
        Variant("mjpeg_avi", "avi", "mjpeg", _args("-c:v mjpeg -q:v 3"), Fraction(25)),
        Variant(
            "rotated_90",
            "mp4",
            "h264",
            _X264,
            width=144,
            height=192,
            rotation=90,
        ),
        Variant(
            "rotated_270",
            "mp4",
            "h264",
            _X264,
            width=144,
            height=192,
            rotation=270,
        ),
        Variant(
            "odd_dims",
            "mp4",
            "h264",
            # 4:2:0 cannot have odd dimensions, 4:4:4 can: H.264 High 4:4:4 it is.
            _X264,
            width=321,
            height=241,
            pixel_format="yuv444p",
        ),
        Variant("h264_audio", "mp4", "h264", _X264, audio_args=_AAC),
        Variant(
            "edit_list_late",
            "mp4",
            "h264",
            (*_X264, "-bf", "2"),
            Fraction(30000, 1001),
            start_offset_s=0.5,
            audio_args=_AAC,
        ),
    )
}


def make_video(directory: Path, variant: str | Variant, n_frames: int = 72) -> Path:
    """Encode ``n_frames`` barcode frames as ``variant`` into ``directory``; returns the file.

    Frame ``i`` of the decoded result shows index ``i`` (the tests check that this holds).
    """
    spec = VARIANTS[variant] if isinstance(variant, str) else variant
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{spec.name}_{n_frames}.{spec.suffix}"
    if spec.rotation % 180:
        stored_width, stored_height = spec.height, spec.width
    else:
        stored_width, stored_height = spec.width, spec.height
    command = [FFMPEG, "-v", "error", "-nostdin", "-y"]
    if spec.start_offset_s:
        command += ["-itsoffset", str(spec.start_offset_s)]
    command += [
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", f"{stored_width}x{stored_height}",
        "-framerate", str(spec.fps), "-i", "pipe:0",
    ]  # fmt: skip
    duration_s = n_frames / float(spec.fps) + 0.2
    if spec.has_audio:
        command += ["-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:d={duration_s}"]
    command += ["-map", "0:v"]
    if spec.has_audio:
        command += ["-map", "1:a", *spec.audio_args]
    if spec.vfr_expression:
        command += ["-vf", f"settb=1/90000,setpts=({spec.vfr_expression})/TB"]
    # Passthrough: without it the ffmpeg binary pads a late start with duplicated frames.
    command += ["-fps_mode", "passthrough"]
    encoded = path.with_name(f"encoded_{path.name}") if spec.rotation else path
    command += [*spec.encoder_args, "-pix_fmt", spec.pixel_format, *spec.output_args]
    frames = b"".join(_stored_frame(i, spec).tobytes() for i in range(n_frames))
    _run([*command, str(encoded)], stdin=frames)
    if spec.rotation:
        _add_display_rotation(encoded, path, spec.rotation)
        encoded.unlink()
    return path


def _add_display_rotation(source: Path, target: Path, clockwise_degrees: int) -> None:
    """Remux ``source`` with a display matrix that turns the picture clockwise for display.

    ffmpeg 5.1 turns a ``rotate`` tag given on a stream copy into a display matrix with
    ``av_display_rotation_set(tag)``, a counter-clockwise angle, while players read the
    classic tag as clockwise; so the tag passed is the negated angle, and the result is
    checked with ffprobe instead of trusting either convention.
    """
    tag = (-clockwise_degrees) % 360
    _run([FFMPEG, "-v", "error", "-y", "-i", str(source), "-c", "copy",
          "-metadata:s:v:0", f"rotate={tag}", str(target)])  # fmt: skip
    out = _run([FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
                "stream_side_data=rotation", "-of", "json", str(target)])  # fmt: skip
    side_data = json.loads(out)["streams"][0].get("side_data_list", [])
    counter_clockwise = int(side_data[0]["rotation"]) if side_data else 0
    if (-counter_clockwise) % 360 != clockwise_degrees % 360:
        raise RuntimeError(f"display matrix says {counter_clockwise} degrees counter-clockwise")


def _stored_frame(index: int, spec: Variant) -> RgbArray:
    picture = render_frame(index, spec.width, spec.height)
    # Stored turned counter-clockwise by the rotation, so that the display matrix (which tells
    # players to turn it clockwise by the same angle) shows it upright.
    return np.ascontiguousarray(np.rot90(picture, k=spec.rotation // 90))


def _run(command: list[str], stdin: bytes | None = None) -> bytes:
    result = subprocess.run(command, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr.decode(errors='replace')}")
    return result.stdout


# -- independent measurements with ffprobe ------------------------------------------------------


def ffprobe_frame_count(path: Path) -> int:
    """Decoded video frames as counted by ``ffprobe -count_frames`` (independent of our code)."""
    out = _run(
        [
            FFPROBE, "-v", "error", "-count_frames", "-select_streams", "v:0",
            "-show_entries", "stream=nb_read_frames", "-of", "json", str(path),
        ]
    )  # fmt: skip
    return int(json.loads(out)["streams"][0]["nb_read_frames"])


def ffprobe_video_stream(path: Path) -> dict[str, str]:
    """ffprobe's header view of the first video stream (codec, size, rates, time base)."""
    out = _run(
        [
            FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
            "stream=codec_name,codec_tag_string,width,height,r_frame_rate,avg_frame_rate,"
            "time_base,pix_fmt", "-of", "json", str(path),
        ]
    )  # fmt: skip
    stream: dict[str, str] = json.loads(out)["streams"][0]
    return stream


def ffprobe_frame_times(path: Path) -> list[Fraction]:
    """Presentation times of the decoded video frames, in seconds, as ffprobe reports them."""
    out = _run(
        [
            FFPROBE, "-v", "error", "-select_streams", "v:0", "-show_entries",
            "stream=time_base:frame=pts", "-of", "json", str(path),
        ]
    )  # fmt: skip
    data = json.loads(out)
    time_base = Fraction(data["streams"][0]["time_base"])
    return [int(frame["pts"]) * time_base for frame in data["frames"]]


def ffmpeg_first_frame(path: Path, width: int, height: int) -> RgbArray:
    """The first frame the ffmpeg binary outputs for ``path``, as RGB (autorotation off)."""
    out = _run(
        [
            FFMPEG, "-v", "error", "-noautorotate", "-i", str(path), "-frames:v", "1",
            "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
        ]
    )  # fmt: skip
    return np.frombuffer(out, np.uint8).reshape(height, width, 3)


# -- bad media ---------------------------------------------------------------------------------


def make_corrupt(directory: Path) -> Path:
    """An mp4 whose header survives but whose boxes are overwritten with random bytes."""
    source = make_video(directory / "src", "h264_30", n_frames=24)
    data = bytearray(source.read_bytes())
    noise = np.random.default_rng(7).integers(0, 256, len(data) - 32, dtype=np.uint8)
    data[32:] = noise.tobytes()
    return _write(directory / "corrupt.mp4", bytes(data))


def make_truncated(directory: Path) -> Path:
    """An mp4 cut at 60 % with its index (moov) at the end: an upload that stopped early."""
    source = make_video(directory / "src", "h264_30", n_frames=48)
    data = source.read_bytes()
    if data.find(b"moov") < data.find(b"mdat"):
        raise RuntimeError("expected the index after the media data (no faststart)")
    return _write(directory / "truncated.mp4", data[: int(len(data) * 0.6)])


def make_truncated_faststart(directory: Path) -> tuple[Path, int]:
    """An mp4 with its index first, cut in the middle of its media data.

    Returns the file and how many frames the full file had. The index survives, so the
    frames before the cut can still be decoded.
    """
    source = make_video(directory / "src", "h264_30", n_frames=60)
    faststart = directory / "faststart.mp4"
    _run([FFMPEG, "-v", "error", "-y", "-i", str(source), "-c", "copy", "-movflags", "+faststart",
          str(faststart)])  # fmt: skip
    data = faststart.read_bytes()
    return _write(directory / "truncated_faststart.mp4", data[: int(len(data) * 0.55)]), 60


def make_zero_frames(directory: Path) -> Path:
    """An AVI that declares a 64x48 MPEG-4 video stream and holds no frame of it.

    The ffmpeg binary writes no file at all when nothing was encoded, and ffmpeg cannot even
    open a Matroska or mp4 file without frames, so this is written with PyAV: header and
    trailer, nothing between. ffmpeg opens it and finds the stream, then decodes nothing.
    """
    path = directory / "zero_frames.avi"
    directory.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=25)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        container.start_encoding()
    return path


def make_audio_only(directory: Path) -> Path:
    """An mp4 with an AAC sine tone and no video stream."""
    path = directory / "audio_only.mp4"
    directory.mkdir(parents=True, exist_ok=True)
    _run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:d=1",
          "-c:a", "aac", str(path)])  # fmt: skip
    return path


def make_audio_with_cover_art(directory: Path) -> Path:
    """An MP3 song with its cover picture: a "video stream" that is one attached picture."""
    directory.mkdir(parents=True, exist_ok=True)
    cover = directory / "cover.png"
    cv2.imwrite(str(cover), render_frame(0, 160, 120))
    path = directory / "song.mp3"
    _run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:d=1",
          "-i", str(cover), "-map", "0", "-map", "1", "-c:a", "libmp3lame", "-c:v", "png",
          "-disposition:v:0", "attached_pic", "-id3v2_version", "3", str(path)])  # fmt: skip
    return path


def make_png_as_mp4(directory: Path) -> Path:
    """A PNG picture renamed ``.mp4``."""
    ok, encoded = cv2.imencode(".png", render_frame(0, 160, 120))
    assert ok
    return _write(directory / "picture.mp4", encoded.tobytes())


def make_text_as_mp4(directory: Path) -> Path:
    """A text file renamed ``.mp4``."""
    text = "onset,offset\n12,40\n55,80\nThese are labels, not a video.\n"
    return _write(directory / "labels.mp4", text.encode())


def make_absurd_dimensions(directory: Path) -> Path:
    """A raw-video AVI whose headers claim 16000x16000 pixels (the data is 16x16).

    16000 rather than 20000: ffmpeg itself refuses pictures above about 16380 pixels square
    and reports no size at all, which would test a different message.
    """
    directory.mkdir(parents=True, exist_ok=True)
    source = directory / "tiny_raw.avi"
    _run([FFMPEG, "-v", "error", "-y", "-f", "lavfi", "-i", "color=gray:s=16x16:r=25",
          "-frames:v", "5", "-c:v", "rawvideo", "-pix_fmt", "bgr24", str(source)])  # fmt: skip
    data = bytearray(source.read_bytes())
    # The main AVI header (avih) holds dwWidth/dwHeight at offsets 32/36 of its payload, the
    # stream format (strf, a BITMAPINFOHEADER) biWidth/biHeight at 4/8.
    avih = data.find(b"avih") + 8
    struct.pack_into("<II", data, avih + 32, 16000, 16000)
    strf = data.find(b"strf") + 8
    struct.pack_into("<ii", data, strf + 4, 16000, 16000)
    return _write(directory / "huge.avi", bytes(data))


def make_unsupported_codec(directory: Path) -> Path:
    """An AVI whose video stream is labelled with a FourCC that no decoder knows (``ZZZZ``)."""
    source = make_video(directory / "src", "mjpeg_avi", n_frames=12)
    data = bytearray(source.read_bytes())
    # strh.fccHandler sits 4 bytes into the stream header, strf.biCompression 16 bytes into the
    # BITMAPINFOHEADER; both name the codec, and ffmpeg reads the latter.
    strh = data.find(b"strh") + 8
    data[strh + 4 : strh + 8] = b"ZZZZ"
    strf = data.find(b"strf") + 8
    data[strf + 16 : strf + 20] = b"ZZZZ"
    return _write(directory / "unknown_codec.avi", bytes(data))


def make_raw_stream(directory: Path) -> Path:
    """A bare H.264 elementary stream (Annex B): frames, but no container and no timestamps."""
    source = make_video(directory / "src", "h264_30", n_frames=12)
    path = directory / "raw.h264"
    _run([FFMPEG, "-v", "error", "-y", "-i", str(source), "-c", "copy", "-f", "h264", str(path)])
    return path


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


BAD_MEDIA: dict[str, Callable[[Path], Path]] = {
    "corrupt": make_corrupt,
    "truncated": make_truncated,
    "zero_frames": make_zero_frames,
    "audio_only": make_audio_only,
    "audio_with_cover_art": make_audio_with_cover_art,
    "png_as_mp4": make_png_as_mp4,
    "text_as_mp4": make_text_as_mp4,
    "absurd_dimensions": make_absurd_dimensions,
    "unsupported_codec": make_unsupported_codec,
    "raw_stream": make_raw_stream,
}
