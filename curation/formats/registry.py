"""The export and import formats by their contract names (the design's "The contract")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from curation.formats.common import Files
from curation.formats.dfew import read_dfew, write_dfew
from curation.formats.megc import read_megc, write_megc
from curation.formats.native import read_native, write_native
from curation.formats.sdfe_lv import read_sdfe_lv, write_sdfe_lv
from curation.formats.sheets import (
    read_casme2,
    read_casme3,
    read_samm_lv,
    write_casme2,
    write_casme3,
    write_samm_lv,
)
from curation.formats.temporal import (
    read_activitynet,
    read_thumos14,
    write_activitynet,
    write_thumos14,
)
from curation.formats.types import ImportResult, ReleaseData, VideoRecord

Writer = Callable[[ReleaseData], dict[str, bytes]]


class Reader(Protocol):
    def __call__(
        self, files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
    ) -> ImportResult: ...


#: Format name -> writer: ``writer(release) -> {relative file name: content}``.
WRITERS: dict[str, Writer] = {
    "native": write_native,
    "sdfe_lv": write_sdfe_lv,
    "casme2": write_casme2,
    "casme3": write_casme3,
    "samm_lv": write_samm_lv,
    "megc": write_megc,
    "dfew": write_dfew,
    "activitynet": write_activitynet,
    "thumos14": write_thumos14,
}

#: Format name -> reader: ``reader(files, videos, *, fps=None) -> ImportResult``.
READERS: dict[str, Reader] = {
    "native": read_native,
    "sdfe_lv": read_sdfe_lv,
    "casme2": read_casme2,
    "casme3": read_casme3,
    "samm_lv": read_samm_lv,
    "megc": read_megc,
    "dfew": read_dfew,
    "activitynet": read_activitynet,
    "thumos14": read_thumos14,
}

FORMAT_NAMES = tuple(WRITERS)


def write_release(format_name: str, release: ReleaseData) -> dict[str, bytes]:
    """The files of ``release`` in ``format_name``; ``ValueError`` for an unknown name."""
    if format_name not in WRITERS:
        raise ValueError(f"unknown format {format_name!r}; one of {', '.join(FORMAT_NAMES)}")
    return WRITERS[format_name](release)


def read_labels(
    format_name: str,
    files: Files,
    videos: Sequence[VideoRecord],
    *,
    fps: float | None = None,
) -> ImportResult:
    """Labels from ``files`` in ``format_name``; ``ValueError`` for an unknown name,
    ``FormatError`` (a ``ValueError``) for a malformed file."""
    if format_name not in READERS:
        raise ValueError(f"unknown format {format_name!r}; one of {', '.join(FORMAT_NAMES)}")
    return READERS[format_name](files, videos, fps=fps)
