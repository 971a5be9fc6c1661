"""How a release names its videos and subjects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curation.formats import VideoRecord
from videos.models import Video

#: Subject code of a video filmed without one: each such video is its own subject.
NO_SUBJECT = "video-{id}"


def video_name(video: Video) -> str:
    """The name sheets use for a video: its file name without extension, else its id."""
    stem = Path(video.original_name).stem if video.original_name else ""
    return stem or f"video{video.pk}"


def video_record(video: Video) -> VideoRecord:
    subject = video.subject
    attributes: dict[str, Any] = dict(subject.metadata) if subject is not None else {}
    if subject is not None and subject.source_dataset:
        attributes.setdefault("source", subject.source_dataset)
    return VideoRecord(
        id=video.pk,
        name=video_name(video),
        subject=subject.code if subject is not None else None,
        source=video.source,
        fps_num=video.fps_num or 1,
        fps_den=video.fps_den or 1,
        n_frames=video.n_frames or 0,
        width=video.width or 0,
        height=video.height or 0,
        sha256=video.sha256,
        subject_attributes=attributes,
    )


def subject_of(record: VideoRecord) -> str:
    return record.subject if record.subject is not None else NO_SUBJECT.format(id=record.id)
