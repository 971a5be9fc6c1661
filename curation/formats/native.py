"""Spotlab's native format: one ``release.json`` holding every field of a release, losslessly.

Frames are 0-based on each video's decoded timeline, intervals inclusive, exactly as stored.
``write_native`` then ``load_native`` gives back an equal ``ReleaseData`` (dict values inside
``label_schema``, ``split``, ``folds`` and ``subject_attributes`` come back as JSON gives them:
lists, not tuples), and writing that again gives identical bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from curation.formats.common import Files, Importer, VideoIndex, one_file, readme
from curation.formats.types import (
    ClipRecord,
    FormatError,
    ImportResult,
    LabelRecord,
    PassRecord,
    ReleaseData,
    VideoRecord,
)

FILE = "release.json"
FORMAT_NAME = "spotlab-native"
FORMAT_VERSION = 1


def _label(label: LabelRecord) -> dict[str, Any]:
    return {
        "video": label.video,
        "onset": label.onset,
        "offset": label.offset,
        "apex": label.apex,
        "type": label.type,
        "emotion": label.emotion,
        "aus": list(label.aus),
        "support": label.support,
        "n_passes": label.n_passes,
        "pass_index": label.pass_index,
        "annotator": label.annotator,
        "members": [list(member) for member in label.members],
    }


def _video(video: VideoRecord) -> dict[str, Any]:
    return {
        "id": video.id,
        "name": video.name,
        "subject": video.subject,
        "source": video.source,
        "fps_num": video.fps_num,
        "fps_den": video.fps_den,
        "n_frames": video.n_frames,
        "width": video.width,
        "height": video.height,
        "sha256": video.sha256,
        "subject_attributes": video.subject_attributes,
    }


def _clip(clip: ClipRecord) -> dict[str, Any]:
    return {
        "name": clip.name,
        "subject": clip.subject,
        "video": clip.video,
        "onset": clip.onset,
        "offset": clip.offset,
        "votes": clip.votes,
        "label": clip.label,
    }


def write_native(release: ReleaseData) -> dict[str, bytes]:
    """``release.json`` (every field, 0-based inclusive frames) and ``README.txt``."""
    document = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "frame_base": 0,
        "intervals": "inclusive",
        "name": release.name,
        "project_slug": release.project_slug,
        "task_kind": release.task_kind,
        "label_schema": release.label_schema,
        "consensus_version": release.consensus_version,
        "created_at": release.created_at,
        "software_version": release.software_version,
        "split": release.split,
        "folds": list(release.folds),
        "videos": [_video(video) for video in release.videos],
        "consensus": [_label(label) for label in release.consensus],
        "passes": [
            {
                "video": item.video,
                "pass_index": item.pass_index,
                "annotator": item.annotator,
                "segments": [_label(label) for label in item.segments],
            }
            for item in release.passes
        ],
        "clips": [_clip(clip) for clip in release.clips],
    }
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    notes = readme(
        "Spotlab native release (release.json)",
        release,
        [
            "Every field of the release, losslessly. Frames are 0-based on each video's decoded",
            "timeline; intervals are inclusive [onset, offset]; apex null when not marked.",
            "Consensus segments list their members as [pass_index, onset, offset].",
        ],
    )
    return {FILE: text.encode("utf-8"), "README.txt": notes}


# -- reading -----------------------------------------------------------------------------------


class _Doc:
    """Typed access to the parsed JSON; a wrong type is a FormatError naming its path."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def _fail(self, expected: str) -> FormatError:
        return FormatError(
            f"expected {expected}, got {self.value!r:.60}", file=FILE, column=self.path
        )

    def __getitem__(self, key: str) -> _Doc:
        if not isinstance(self.value, dict):
            raise self._fail("an object")
        if key not in self.value:
            raise FormatError("missing", file=FILE, column=f"{self.path}.{key}".lstrip("."))
        return _Doc(self.value[key], f"{self.path}.{key}".lstrip("."))

    def items(self) -> list[_Doc]:
        if not isinstance(self.value, list):
            raise self._fail("a list")
        return [_Doc(item, f"{self.path}[{index}]") for index, item in enumerate(self.value)]

    def as_int(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self._fail("an integer")
        return self.value

    def opt_int(self) -> int | None:
        return None if self.value is None else self.as_int()

    def as_str(self) -> str:
        if not isinstance(self.value, str):
            raise self._fail("a string")
        return self.value

    def opt_str(self) -> str | None:
        return None if self.value is None else self.as_str()

    def as_dict(self) -> dict[str, Any]:
        if not isinstance(self.value, dict):
            raise self._fail("an object")
        return self.value


def _read_label(doc: _Doc) -> LabelRecord:
    members = []
    for member in doc["members"].items():
        parts = member.items()
        if len(parts) != 3:
            raise member._fail("[pass_index, onset, offset]")
        members.append((parts[0].as_int(), parts[1].as_int(), parts[2].as_int()))
    try:
        return LabelRecord(
            video=doc["video"].as_int(),
            onset=doc["onset"].as_int(),
            offset=doc["offset"].as_int(),
            apex=doc["apex"].opt_int(),
            type=doc["type"].as_str(),
            emotion=doc["emotion"].as_str(),
            aus=tuple(item.as_str() for item in doc["aus"].items()),
            support=doc["support"].opt_int(),
            n_passes=doc["n_passes"].opt_int(),
            pass_index=doc["pass_index"].opt_int(),
            annotator=doc["annotator"].opt_str(),
            members=tuple(members),
        )
    except FormatError:
        raise
    except ValueError as error:
        raise FormatError(str(error), file=FILE, column=doc.path) from None


def _read_video(doc: _Doc) -> VideoRecord:
    try:
        return VideoRecord(
            id=doc["id"].as_int(),
            name=doc["name"].as_str(),
            subject=doc["subject"].opt_str(),
            source=doc["source"].as_str(),
            fps_num=doc["fps_num"].as_int(),
            fps_den=doc["fps_den"].as_int(),
            n_frames=doc["n_frames"].as_int(),
            width=doc["width"].as_int(),
            height=doc["height"].as_int(),
            sha256=doc["sha256"].as_str(),
            subject_attributes=doc["subject_attributes"].as_dict(),
        )
    except FormatError:
        raise
    except ValueError as error:
        raise FormatError(str(error), file=FILE, column=doc.path) from None


def _read_clip(doc: _Doc) -> ClipRecord:
    votes = doc["votes"].as_dict()
    for name, count in votes.items():
        _Doc(count, f"{doc.path}.votes.{name}").as_int()
    return ClipRecord(
        name=doc["name"].as_str(),
        subject=doc["subject"].opt_str(),
        video=doc["video"].opt_int(),
        onset=doc["onset"].opt_int(),
        offset=doc["offset"].opt_int(),
        votes=votes,
        label=doc["label"].opt_str(),
    )


def load_native(files: Files) -> ReleaseData:
    """The ``ReleaseData`` in ``release.json``; ``FormatError`` naming the JSON path if bad."""
    name, data = one_file(files, FILE, suffix=".json")
    try:
        parsed = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"not JSON ({error})", file=name) from None
    root = _Doc(parsed, "")
    if root["format"].as_str() != FORMAT_NAME:
        raise FormatError(f"not a {FORMAT_NAME} file", file=name, column="format")
    if root["format_version"].as_int() > FORMAT_VERSION:
        raise FormatError(
            f"format_version {root['format_version'].value} is newer than this reader "
            f"({FORMAT_VERSION})",
            file=name,
            column="format_version",
        )
    release = ReleaseData(
        name=root["name"].as_str(),
        project_slug=root["project_slug"].as_str(),
        task_kind=root["task_kind"].as_str(),
        label_schema=root["label_schema"].as_dict(),
        consensus_version=root["consensus_version"].as_int(),
        created_at=root["created_at"].as_str(),
        software_version=root["software_version"].as_str(),
        split=root["split"].as_dict(),
        folds=tuple(fold.as_dict() for fold in root["folds"].items()),
        videos=tuple(_read_video(video) for video in root["videos"].items()),
        consensus=tuple(_read_label(label) for label in root["consensus"].items()),
        passes=tuple(
            PassRecord(
                video=item["video"].as_int(),
                pass_index=item["pass_index"].as_int(),
                annotator=item["annotator"].as_str(),
                segments=tuple(_read_label(label) for label in item["segments"].items()),
            )
            for item in root["passes"].items()
        ),
        clips=tuple(_read_clip(clip) for clip in root["clips"].items()),
    )
    known = {video.id for video in release.videos}
    for index, label in enumerate(release.consensus):
        if label.video not in known:
            raise FormatError(
                f"video {label.video} is not in videos",
                file=name,
                column=f"consensus[{index}].video",
            )
    for index, item in enumerate(release.passes):
        if item.video not in known or any(seg.video != item.video for seg in item.segments):
            raise FormatError(
                f"video {item.video} is not in videos, or a segment is on another video",
                file=name,
                column=f"passes[{index}].video",
            )
    return release


def read_native(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Consensus labels (``pass_index`` None), then every pass's segments, on ``videos``.

    Release videos are matched to ``videos`` by name (and subject); only videos that carry
    labels, passes or clips must match. Frames are converted from each release video's frame
    rate (or from ``fps`` when given) to its target's.
    """
    release = load_native(files)
    index = VideoIndex(videos)
    source = {video.id: video for video in release.videos}
    position = {video.id: number for number, video in enumerate(release.videos)}
    targets: dict[int, VideoRecord] = {}

    def target(video_id: int) -> VideoRecord:
        if video_id not in targets:
            video = source[video_id]
            number = position[video_id]
            targets[video_id] = index.find(
                video.name,
                video.subject,
                file=FILE,
                row=None,  # JSON has no rows; the column names the path
                name_column=f"videos[{number}].name",
                subject_column=f"videos[{number}].subject",
            )
        return targets[video_id]

    importer = Importer(videos, file=FILE, frame_base=0, fps=fps)
    labelled: list[tuple[str, LabelRecord]] = [
        (f"consensus[{number}]", label) for number, label in enumerate(release.consensus)
    ]
    for pass_number, item in enumerate(release.passes):
        labelled.extend(
            (f"passes[{pass_number}].segments[{number}]", label)
            for number, label in enumerate(item.segments)
        )
    for path, label in labelled:
        video = target(label.video)
        importer.add(
            None,
            video,
            onset=label.onset,
            offset=label.offset,
            apex=label.apex,
            type=label.type,
            emotion=label.emotion,
            aus=label.aus,
            onset_column=f"{path}.onset",
            offset_column=f"{path}.offset",
            apex_column=f"{path}.apex",
            fps=None if fps is not None else source[label.video].fps,
            support=label.support,
            n_passes=label.n_passes,
            members=label.members,
            pass_index=label.pass_index,
            annotator=label.annotator,
        )
    clips = tuple(
        ClipRecord(
            name=clip.name,
            subject=clip.subject,
            video=None if clip.video is None else target(clip.video).id,
            onset=clip.onset,
            offset=clip.offset,
            votes=dict(clip.votes),
            label=clip.label,
        )
        for clip in release.clips
    )
    result = importer.result()
    return ImportResult(
        labels=result.labels,
        skipped=result.skipped,
        notes=result.notes,
        fps_converted=result.fps_converted,
        clips=clips,
    )
