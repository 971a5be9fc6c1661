"""Value types the format writers and readers exchange with the Django side. No Django import.

Frames follow the design's "Frames and time": 0-based integer indices on the video's decoded
timeline, every interval inclusive, ``[onset, offset]``. Each format converts to and from its
own frame base at its edge; nothing in these types is ever 1-based.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: ``LabelRecord.type`` of the whole-clip labels that clip-classification readers (DFEW) return.
CLIP_TYPE = "clip"


def _is_frame(value: object) -> bool:
    # bool is an int subclass; True as an onset is a programming error, not frame 1.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class VideoRecord:
    """One video of a release, or one candidate target of an import.

    ``name`` is the file name the benchmark sheets use (``15_0101disgustingteeth``, ``006_1``);
    readers match it exactly, or without its extension. ``fps`` is ``fps_num / fps_den``.
    ``subject_attributes`` holds JSON values only (it is written to ``release.json`` as is).
    """

    id: int
    name: str
    subject: str | None
    source: str
    fps_num: int
    fps_den: int
    n_frames: int
    width: int
    height: int
    sha256: str
    subject_attributes: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fps_num <= 0 or self.fps_den <= 0:
            raise ValueError(f"fps must be positive, got {self.fps_num}/{self.fps_den}")

    @property
    def fps(self) -> float:
        return self.fps_num / self.fps_den


@dataclass(frozen=True, slots=True)
class LabelRecord:
    """One expression on one video: a consensus segment, a pass's segment or an imported row.

    Contract: ``0 <= onset <= offset`` and ``onset <= apex <= offset`` when apex is given;
    violations raise ``ValueError``. ``type`` and ``emotion`` are the schema's lowercase names
    (``emotion`` is ``""`` when none), ``aus`` FACS codes such as ``"AU12"`` or ``"AU4L"``.

    Consensus segments carry ``support`` (passes that marked it), ``n_passes`` (passes of the
    video) and ``members``: one ``(pass_index, onset, offset)`` per pass whose segment was
    matched into this consensus segment, ordered by pass index — what the SDFE-LV sheet writes
    as its per-pass columns. A pass's own segments carry ``pass_index`` and ``annotator``
    instead; ``pass_index`` is the database's 1-based pass number.
    """

    video: int
    onset: int
    offset: int
    apex: int | None
    type: str
    emotion: str
    aus: tuple[str, ...]
    support: int | None = None
    n_passes: int | None = None
    pass_index: int | None = None
    annotator: str | None = None
    members: tuple[tuple[int, int, int], ...] = ()

    def __post_init__(self) -> None:
        if not _is_frame(self.onset) or not _is_frame(self.offset):
            raise ValueError(f"onset and offset must be integer frames, got {self!r}")
        if self.onset < 0:
            raise ValueError(f"onset must be >= 0, got {self.onset}")
        if self.offset < self.onset:
            raise ValueError(f"offset ({self.offset}) must be >= onset ({self.onset})")
        if self.apex is not None and (
            not _is_frame(self.apex) or not self.onset <= self.apex <= self.offset
        ):
            raise ValueError(f"apex ({self.apex}) must lie in [{self.onset}, {self.offset}]")
        if not isinstance(self.aus, tuple):
            object.__setattr__(self, "aus", tuple(self.aus))

    @property
    def length(self) -> int:
        """Frames covered, ``offset - onset + 1``."""
        return self.offset - self.onset + 1


@dataclass(frozen=True, slots=True)
class PassRecord:
    """One annotator's pass over one video (``pass_index`` 1-based) with its segments."""

    video: int
    pass_index: int
    annotator: str
    segments: tuple[LabelRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class ClipRecord:
    """One clip of a clip-classification release (DFEW): its vote count per class name.

    ``label`` is the single label (a class with more than the project's share of the votes) or
    None. ``video``/``onset``/``offset`` locate the clip in a source video when it was cut from
    one (0-based inclusive frames), and are None for clips that are videos of their own.
    """

    name: str
    subject: str | None
    video: int | None
    onset: int | None
    offset: int | None
    votes: dict[str, int]
    label: str | None


@dataclass(frozen=True, slots=True)
class ReleaseData:
    """Everything a writer needs from one frozen release.

    ``split`` is the split spec (``{"kind": "kfold", "k": 5, "seed": 0}``...), ``folds`` one
    dict per fold, ``{"index": 0, "train": [subjects], "test": [subjects]}`` with 0-based
    indexes. ``consensus`` holds consensus segments (see ``LabelRecord.members``), ``passes``
    every pass, ``clips`` the clips of a clip-classification project (empty for spotting).
    Dicts hold JSON values; lists inside them come back from ``release.json`` as lists.
    """

    name: str
    project_slug: str
    task_kind: str
    label_schema: dict[str, Any]
    consensus_version: int
    created_at: str
    software_version: str
    split: dict[str, Any]
    folds: tuple[dict[str, Any], ...]
    videos: tuple[VideoRecord, ...]
    consensus: tuple[LabelRecord, ...]
    passes: tuple[PassRecord, ...] = ()
    clips: tuple[ClipRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class SkippedRow:
    """A row that was legitimately unusable (CAS(ME)^2's offset 0, a missing onset...).

    ``row`` is the row as the file shows it: the worksheet row number for xlsx, the 1-based
    line number for CSV and text files (the header is line 1).
    """

    row: int
    reason: str
    file: str = ""


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What a reader found: labels mapped onto the given videos, in 0-based frames.

    ``labels`` with ``pass_index`` None are ground truth (consensus or the sheet's labels);
    ``clips`` is filled by clip-classification readers (DFEW) only. ``fps_converted`` is True
    when at least one row was converted from the sheet's frame rate to its video's.
    """

    labels: tuple[LabelRecord, ...]
    skipped: tuple[SkippedRow, ...] = ()
    notes: tuple[str, ...] = ()
    fps_converted: bool = False
    clips: tuple[ClipRecord, ...] = ()


class FormatError(ValueError):
    """A malformed file; nothing of it is imported.

    ``file``, ``row`` (as in ``SkippedRow``) and ``column`` (the column's header name) locate
    the fault where known; the message reads
    ``"casme2.xlsx row 7, column Onset: 'l2' is not a frame number"``.
    """

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.row = row
        self.column = column
        where = " ".join(
            part for part in (file, f"row {row}" if row is not None else None) if part is not None
        )
        if column is not None:
            where = f"{where}, column {column}" if where else f"column {column}"
        super().__init__(f"{where}: {reason}" if where else reason)
