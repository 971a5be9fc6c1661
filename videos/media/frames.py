"""Exact frames of a source video by their index on the canonical timeline.

:class:`FrameReader` finds frame ``n`` by its presentation timestamp (``probe().pts[n]``), not
by counting frames after a seek, so a seek that lands somewhere unexpected cannot shift the
answer by a frame: it can only cost time. To decode frame ``n`` it seeks to the last keyframe
whose timestamp is at or before frame ``n``'s and decodes forward; if the decoder then shows a
frame later than the target first (demuxers that seek by decode time, files whose index is
coarse) it steps back one keyframe at a time, and finally decodes from the start of the file.
Forward requests that no keyframe separates from the decoder's position (stepping through a
video frame by frame) continue decoding instead of seeking.
"""

from __future__ import annotations

import bisect
import os
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Literal

import av
import av.error
import cv2
import numpy as np
import numpy.typing as npt
from av.codec.context import ThreadType
from av.container import InputContainer
from av.video.frame import VideoFrame
from av.video.stream import VideoStream

from videos.media.errors import MediaError
from videos.media.probe import ProbeResult, probe

RgbArray = npt.NDArray[np.uint8]
"""A decoded picture: ``height x width x 3``, RGB, uint8."""

DEFAULT_CACHE_BYTES = 64 * 2**20

# Continue decoding forward rather than seek when the target is at most this many frames past
# the nearest keyframe after the decoder's position: a seek costs about as much as decoding
# a couple of frames, because the decoder restarts with empty reference buffers.
_SEEK_COST_FRAMES = 2


class FrameReader:
    """Decoded frames of one video file, addressed by canonical frame index.

    ``frame(n)`` returns frame ``n`` as an RGB array, upright (the display rotation applied)
    unless ``upright=False``. Arrays are read-only: they may be shared with the cache. Decoded
    frames are kept in a least-recently-used cache bounded by ``cache_bytes``. The reader holds
    the file open until :meth:`close` (or the end of a ``with`` block); it is not thread-safe,
    so use one per thread.

    Pass the :class:`ProbeResult` of the ingest (``ProbeResult.from_dict`` of what was stored)
    so that opening a reader costs nothing: without it the reader probes the file, which
    decodes every frame once.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        probe_result: ProbeResult | None = None,
        *,
        upright: bool = True,
        cache_bytes: int = DEFAULT_CACHE_BYTES,
    ) -> None:
        self.path = Path(path)
        self.probe = probe_result if probe_result is not None else probe(self.path)
        self.upright = upright
        self._cache: OrderedDict[int, RgbArray] = OrderedDict()
        self._cache_bytes = cache_bytes
        self._cached_bytes = 0
        self._index_of_pts = {pts: index for index, pts in enumerate(self.probe.pts)}
        self._seek_points, self._keyframe_after = self._keyframe_index()
        self._container, self._stream = self._open()
        self._decoder: Iterator[VideoFrame] | None = self._frames()
        self._position = -1  # index of the last frame the decoder produced; -1: none yet
        self._target_pts = self.probe.pts[0]

    # -- public ---------------------------------------------------------------------------------

    @property
    def n_frames(self) -> int:
        return self.probe.n_frames

    def frame(self, index: int) -> RgbArray:
        """Frame ``index`` (0-based on the canonical timeline) as a read-only RGB array.

        Raises ``IndexError`` outside ``0 <= index < n_frames`` and :class:`MediaError` if the
        frame cannot be decoded even from the start of the file.
        """
        if not 0 <= index < self.n_frames:
            raise IndexError(f"frame {index} is outside 0..{self.n_frames - 1}")
        cached = self._cache.get(index)
        if cached is not None:
            self._cache.move_to_end(index)
            return cached
        picture = self._to_rgb(self._decode(index))
        self._remember(index, picture)
        return picture

    def close(self) -> None:
        self._decoder = None
        self._container.close()

    def __enter__(self) -> FrameReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- finding a frame ------------------------------------------------------------------------

    def _decode(self, index: int) -> VideoFrame:
        target_pts = self.probe.pts[index]
        point = bisect.bisect_right(self._seek_points, target_pts) - 1
        continued = self._can_continue_to(index, point)
        if not continued:
            point = self._seek(point)
        while True:
            found = self._decode_forward(index)
            if found is not None:
                return found
            # The decoder showed a later frame first (or ended): the seek landed past the
            # target, or decoding on from an earlier request missed it. Step back.
            if continued:
                continued = False
                point = self._seek(point)
            elif point < 0:
                raise MediaError(f"Frame {index} could not be decoded, even from the start.")
            else:
                point = self._seek(point - 1)

    def _can_continue_to(self, index: int, point: int) -> bool:
        if self._decoder is None or self._position >= index:
            return False
        if point < 0:
            return True  # no keyframe to seek to before the target: decoding on is all there is
        next_keyframe = self._keyframe_after[point]
        return self._position + 1 + _SEEK_COST_FRAMES >= next_keyframe

    def _seek(self, point: int) -> int:
        """Seek to seek point ``point`` (or the start of the file below 0); returns the point."""
        if point < 0:
            self._restart()
            return -1
        try:
            self._container.seek(self._seek_points[point], stream=self._stream, backward=True)
        except av.error.FFmpegError:
            self._restart()
            return -1
        self._decoder = self._frames()
        self._position = -1
        return point

    def _decode_forward(self, index: int) -> VideoFrame | None:
        """Decode on until frame ``index``; None if a later frame or the end comes first."""
        assert self._decoder is not None
        self._target_pts = self.probe.pts[index]
        for frame in self._decoder:
            found = self._index_of_pts.get(frame.pts) if frame.pts is not None else None
            if found is None:
                continue  # not on the timeline: a leading picture of an open GOP after a seek
            if found < self._position:
                continue
            self._position = found
            if found == index:
                return frame
            if found > index:
                return None
        self._decoder = None
        return None

    def _frames(self) -> Iterator[VideoFrame]:
        codec_context = self._stream.codec_context
        for packet in self._container.demux(self._stream):
            # A frame that nothing references and that precedes the target need not be
            # decoded at all. Frames after the target are decoded: the next request is
            # usually the next frame.
            before_target = packet.pts is not None and packet.pts < self._target_pts
            codec_context.skip_frame = "NONREF" if before_target else "DEFAULT"
            try:
                frames = packet.decode()
            except av.error.FFmpegError:
                continue  # skipped as probe skipped it, so indices still agree
            yield from frames

    def _restart(self) -> None:
        """Reopen the file: decoding from its very start is the one seek that cannot miss."""
        self._container.close()
        self._container, self._stream = self._open()
        self._decoder = self._frames()
        self._position = -1

    # -- setup ---------------------------------------------------------------------------------

    def _open(self) -> tuple[InputContainer, VideoStream]:
        try:
            container = av.open(str(self.path), metadata_errors="ignore")
        except (av.error.FFmpegError, EOFError) as error:
            raise MediaError(f"The video file cannot be opened again: {error}") from error
        stream = container.streams[self.probe.stream_index]
        if not isinstance(stream, VideoStream):
            container.close()
            raise MediaError("The video file no longer matches its probe.")
        # Slice threads only, as in probe: frame threads add a frame of latency per thread to
        # every seek, and may drop frames next to damaged packets.
        stream.thread_type = ThreadType.SLICE
        return container, stream

    def _keyframe_index(self) -> tuple[list[int], list[int]]:
        """Seek points (keyframe timestamps) and, for each, the first frame at or after it.

        A keyframe need not be on the timeline (an edit list can cut it, as in a file whose
        only keyframe precedes its first shown frame): seeking to it still starts the decoder
        where it must start. Without any, every frame is decoded from the start of the file.
        """
        seek_points = list(self.probe.keyframe_pts)
        keyframe_after = [bisect.bisect_left(self.probe.pts, point) for point in seek_points]
        return seek_points, keyframe_after

    # -- pictures -------------------------------------------------------------------------------

    def _to_rgb(self, frame: VideoFrame) -> RgbArray:
        picture: RgbArray = np.asarray(frame.to_ndarray(format="rgb24"), dtype=np.uint8)
        if self.upright and self.probe.rotation:
            # np.rot90 turns counter-clockwise for positive k; the rotation is clockwise.
            picture = np.ascontiguousarray(np.rot90(picture, k=-self.probe.rotation // 90))
        picture.setflags(write=False)
        return picture

    def _remember(self, index: int, picture: RgbArray) -> None:
        self._cache[index] = picture
        self._cached_bytes += picture.nbytes
        while self._cached_bytes > self._cache_bytes and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_bytes -= evicted.nbytes


def encode_jpeg(picture: RgbArray, quality: int = 90) -> bytes:
    """``picture`` (RGB) as JPEG bytes at ``quality`` (1-100)."""
    return _encode(".jpg", picture, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])


def encode_png(picture: RgbArray) -> bytes:
    """``picture`` (RGB) as lossless PNG bytes (fast compression: frames are served live)."""
    return _encode(".png", picture, [cv2.IMWRITE_PNG_COMPRESSION, 1])


def _encode(extension: Literal[".jpg", ".png"], picture: RgbArray, params: list[int]) -> bytes:
    # OpenCV writes BGR; the arrays of this module are RGB.
    ok, encoded = cv2.imencode(extension, cv2.cvtColor(picture, cv2.COLOR_RGB2BGR), params)
    if not ok:
        raise MediaError(f"The frame could not be encoded as {extension.lstrip('.').upper()}.")
    return bytes(encoded.tobytes())
