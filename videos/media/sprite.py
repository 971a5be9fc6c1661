"""Thumbnail strip and poster frame, for timelines and video lists.

The sprite is one JPEG holding ``count`` thumbnails of the same height in a grid, read left to
right, top to bottom; its :class:`SpriteSheet` says where each tile is and which canonical
frame it shows, so a timeline can show the right thumbnail under the cursor. Tiles sample the
video evenly: tile ``k`` of ``count`` shows frame ``floor((k + 1/2) * n_frames / count)``, the
middle of its share of the video, so the first and last tiles never show a fade from black.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from videos.media.errors import MediaError
from videos.media.frames import FrameReader, RgbArray, encode_jpeg
from videos.media.probe import ProbeResult


@dataclass(frozen=True)
class SpriteSheet:
    """Where the tiles of a sprite JPEG are: tile ``k`` is at column ``k % columns``, row
    ``k // columns``, ``tile_width`` x ``tile_height`` pixels, showing frame ``frames[k]``."""

    columns: int
    rows: int
    tile_width: int
    tile_height: int
    frames: tuple[int, ...]

    @property
    def width(self) -> int:
        return self.columns * self.tile_width

    @property
    def height(self) -> int:
        return self.rows * self.tile_height

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able description for the player."""
        return {
            "columns": self.columns,
            "rows": self.rows,
            "tile_width": self.tile_width,
            "tile_height": self.tile_height,
            "width": self.width,
            "height": self.height,
            "frames": list(self.frames),
        }


@dataclass(frozen=True)
class Poster:
    """A poster JPEG: which frame it shows and its size."""

    frame: int
    width: int
    height: int


def sprite_frames(n_frames: int, count: int) -> tuple[int, ...]:
    """The frames that ``count`` evenly spaced tiles show (fewer when the video is shorter)."""
    count = min(count, n_frames)
    return tuple((2 * tile + 1) * n_frames // (2 * count) for tile in range(count))


def make_sprite(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    probe_result: ProbeResult,
    *,
    count: int = 100,
    tile_height: int = 90,
    columns: int = 10,
    quality: int = 80,
) -> SpriteSheet:
    """Write the thumbnail sprite of ``src`` to ``dst`` (JPEG) and describe it.

    Tiles are upright (display orientation) and keep the display aspect ratio.
    """
    if count < 1 or tile_height < 1 or columns < 1:
        raise ValueError("count, tile_height and columns must be positive")
    frames = sprite_frames(probe_result.n_frames, count)
    aspect = probe_result.display_width / probe_result.display_height
    tile_width = max(1, round(tile_height * aspect))
    columns = min(columns, len(frames))
    sheet = SpriteSheet(
        columns=columns,
        rows=math.ceil(len(frames) / columns),
        tile_width=tile_width,
        tile_height=tile_height,
        frames=frames,
    )
    canvas = np.zeros((sheet.height, sheet.width, 3), np.uint8)
    # Each frame is read once, in increasing order: the reader decodes forward from one tile
    # to the next instead of seeking, and a cache would only hold what is never asked again.
    with FrameReader(src, probe_result, cache_bytes=0) as reader:
        for tile, frame in enumerate(frames):
            row, column = divmod(tile, columns)
            thumbnail = _resize(reader.frame(frame), tile_width, tile_height)
            y, x = row * tile_height, column * tile_width
            canvas[y : y + tile_height, x : x + tile_width] = thumbnail
    _write_atomically(Path(dst), encode_jpeg(canvas, quality))
    return sheet


def make_poster(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    probe_result: ProbeResult,
    *,
    frame: int | None = None,
    max_width: int = 640,
    quality: int = 85,
) -> Poster:
    """Write a poster JPEG of ``frame`` (default: the middle frame) of ``src`` to ``dst``.

    The poster is upright and scaled down, never up, to at most ``max_width`` pixels wide.
    """
    index = probe_result.n_frames // 2 if frame is None else frame
    with FrameReader(src, probe_result, cache_bytes=0) as reader:
        picture = reader.frame(index)
    height, width = picture.shape[:2]
    if width > max_width:
        height, width = max(1, round(height * max_width / width)), max_width
        picture = _resize(picture, width, height)
    _write_atomically(Path(dst), encode_jpeg(picture, quality))
    return Poster(frame=index, width=width, height=height)


def _resize(picture: RgbArray, width: int, height: int) -> RgbArray:
    # INTER_AREA averages the pixels a thumbnail covers: no aliasing when shrinking a lot.
    resized = cv2.resize(picture, (width, height), interpolation=cv2.INTER_AREA)
    return np.asarray(resized, dtype=np.uint8)


def _write_atomically(path: Path, data: bytes) -> None:
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise MediaError(f"The image could not be written: {error.strerror}.") from error
