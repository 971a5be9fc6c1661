"""The pure media layer: probe, browser proxy, exact frames, thumbnails. No Django in here.

Every frame number is an index on the video's canonical timeline: its decoded frames in
presentation order, numbered from 0, as :func:`probe` finds them.
"""

from videos.media.errors import MediaError
from videos.media.frames import FrameReader, RgbArray, encode_jpeg, encode_png
from videos.media.probe import MAX_DIMENSION, ProbeResult, probe
from videos.media.proxy import ProgressCallback, ProxyResult, make_proxy
from videos.media.sprite import Poster, SpriteSheet, make_poster, make_sprite, sprite_frames

__all__ = [
    "MAX_DIMENSION",
    "FrameReader",
    "MediaError",
    "Poster",
    "ProbeResult",
    "ProgressCallback",
    "ProxyResult",
    "RgbArray",
    "SpriteSheet",
    "encode_jpeg",
    "encode_png",
    "make_poster",
    "make_proxy",
    "make_sprite",
    "probe",
    "sprite_frames",
]
