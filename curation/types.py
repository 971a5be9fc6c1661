"""Plain value types shared by the pure agreement, matching and consensus modules.

No Django import here or in any module that uses these types: the Django side converts its
rows into these frozen dataclasses and the results back into rows.

Frames follow the project's rule (see the design's "Frames and time"): 0-based integer indices
on the canonical decoded timeline, and every interval is inclusive, ``[onset, offset]``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

PassId = int | str
AnnotatorId = int | str
SegmentId = int | str


def _is_frame(value: object) -> bool:
    # bool is an int subclass; a True onset is a programming error, not frame 1.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Segment:
    """One marked expression: the inclusive frame interval ``[onset, offset]``.

    Contract: ``0 <= onset <= offset`` and, when ``apex`` is given, ``onset <= apex <= offset``;
    a violation raises ``ValueError`` at construction. ``type`` is the expression type
    (``"macro"``, ``"micro"``, ...), ``emotion`` the emotion class, ``aus`` the set of action
    units coded present (an empty set means "none coded present"). ``segment_id`` is the
    caller's identifier, carried through matching and consensus untouched.
    """

    onset: int
    offset: int
    apex: int | None = None
    type: str | None = None
    emotion: str | None = None
    aus: frozenset[str] = frozenset()
    segment_id: SegmentId | None = None

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
            raise ValueError(
                f"apex ({self.apex}) must be an integer frame in [{self.onset}, {self.offset}]"
            )
        if not isinstance(self.aus, frozenset):
            object.__setattr__(self, "aus", frozenset(self.aus))

    @property
    def length(self) -> int:
        """Number of frames covered, ``offset - onset + 1`` (inclusive interval)."""
        return self.offset - self.onset + 1


@dataclass(frozen=True, slots=True)
class Pass:
    """One annotator's complete, blind pass over one video.

    Contract: a pass covers the whole video (a frame without a segment is a positive statement
    of "no expression"), so an unfinished pass must not be handed to the agreement functions.
    ``segments`` is kept in the caller's order; functions that refer to a segment of a pass
    do so by its index in this tuple.
    """

    pass_id: PassId
    annotator: AnnotatorId
    segments: tuple[Segment, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not isinstance(self.segments, tuple):
            object.__setattr__(self, "segments", tuple(self.segments))


EXPRESSION = "expression"


def type_label(segment: Segment) -> Hashable:
    """The default category of a segment: its type, or ``"expression"`` when it has none."""
    return segment.type if segment.type is not None else EXPRESSION


def check_within_video(passes: tuple[Pass, ...] | list[Pass], n_frames: int) -> None:
    """Raise ``ValueError`` naming the pass and segment if a segment ends at or after ``n_frames``.

    ``n_frames`` is the video's decoded frame count; valid frames are ``0 .. n_frames - 1``.
    """
    if not _is_frame(n_frames) or n_frames < 1:
        raise ValueError(f"n_frames must be a positive integer, got {n_frames!r}")
    for pass_ in passes:
        for index, segment in enumerate(pass_.segments):
            if segment.offset >= n_frames:
                raise ValueError(
                    f"pass {pass_.pass_id!r} segment {index} [{segment.onset}, {segment.offset}] "
                    f"ends outside the video (frames 0..{n_frames - 1})"
                )
