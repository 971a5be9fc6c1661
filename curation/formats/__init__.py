"""Writers and readers of benchmark label formats. Pure: no Django import in this package.

The Django side fills a ``ReleaseData`` from a frozen release and calls a writer, which returns
``{relative file name: bytes}`` (always with a ``README.txt`` stating frame base and frame
rates); the manifest with checksums is the caller's. Readers take ``{file name: bytes}`` and the
candidate videos and return an ``ImportResult`` in 0-based frames, or raise ``FormatError``
naming file, row and column: a malformed file imports nothing.

Formats (the design's contract names): ``native``, ``sdfe_lv``, ``casme2``, ``casme3``,
``samm_lv``, ``megc``, ``dfew``, ``activitynet``, ``thumos14``; see ``registry``.
"""

from curation.formats.registry import (
    FORMAT_NAMES,
    READERS,
    WRITERS,
    read_labels,
    write_release,
)
from curation.formats.types import (
    CLIP_TYPE,
    ClipRecord,
    FormatError,
    ImportResult,
    LabelRecord,
    PassRecord,
    ReleaseData,
    SkippedRow,
    VideoRecord,
)

__all__ = [
    "CLIP_TYPE",
    "FORMAT_NAMES",
    "READERS",
    "WRITERS",
    "ClipRecord",
    "FormatError",
    "ImportResult",
    "LabelRecord",
    "PassRecord",
    "ReleaseData",
    "SkippedRow",
    "VideoRecord",
    "read_labels",
    "write_release",
]
