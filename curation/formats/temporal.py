"""Temporal action localisation layouts: ActivityNet v1.3 JSON and THUMOS14 text files.

Both count time in seconds. A 0-based inclusive frame interval ``[onset, offset]`` covers
``[onset / fps, (offset + 1) / fps)`` seconds, so ``start = onset / fps`` and
``end = (offset + 1) / fps``; back to frames, ``onset = round(start * fps)`` and
``offset = round(end * fps) - 1`` (rounded half up, with each video's own fps). The label is
the expression type.

Subsets follow the release's first fold (lowest index): videos of its test subjects are
``validation`` (ActivityNet) / ``test`` (THUMOS14), every other video ``training`` / ``val``
(THUMOS14 trains on its validation set). Without folds every video is training / ``val``.

- ``activitynet.json``: ``{"version": "VERSION 1.3", "taxonomy": [...], "database": {name:
  {"subset", "duration", "resolution": "WxH", "url": "", "fps", "annotations": [{"segment":
  [start, end], "label", "emotion", "aus", "apex", "frames": [onset, offset]}]}}}``. ``frames``
  (0-based, inclusive) keeps the export lossless; the reader prefers it over ``segment``.
- ``annotation/{Class}_{subset}.txt`` (THUMOS14): lines ``video_name start end`` in seconds with
  one decimal (``f"{t:.1f}"``, as THUMOS14 writes them), ``Class`` the type name capitalised;
  one file per type and subset, empty ones included. The 0.1 s resolution loses frames above
  10 fps; the reader says so in its notes.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from curation.formats.common import (
    Files,
    Importer,
    one_file,
    readme,
    round_half_up,
    sorted_consensus,
    validation_subjects,
)
from curation.formats.types import FormatError, ImportResult, ReleaseData, VideoRecord

ACTIVITYNET_FILE = "activitynet.json"
THUMOS_SUBSETS = {"training": "val", "validation": "test"}
_THUMOS_FILE = re.compile(r"^(?:.*/)?([^/]+)_(val|test|validation|train|training)\.txt$")


def _subset(video: VideoRecord, validation: set[str]) -> str:
    return "validation" if video.subject is not None and video.subject in validation else "training"


def _types(release: ReleaseData) -> list[str]:
    schema = [str(item["name"]) for item in release.label_schema.get("expression_types", [])]
    return list(dict.fromkeys([*schema, *(label.type for label in release.consensus)]))


# -- ActivityNet -------------------------------------------------------------------------------


def write_activitynet(release: ReleaseData) -> dict[str, bytes]:
    validation = validation_subjects(release)
    annotations: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for video, _, label in sorted_consensus(release):
        annotations[video.id].append(
            {
                "segment": [label.onset / video.fps, (label.offset + 1) / video.fps],
                "label": label.type,
                "emotion": label.emotion,
                "aus": list(label.aus),
                "apex": label.apex,
                "frames": [label.onset, label.offset],
            }
        )
    database = {
        video.name: {
            "subset": _subset(video, validation),
            "duration": video.n_frames / video.fps,
            "resolution": f"{video.width}x{video.height}",
            "url": "",
            "fps": video.fps,
            "annotations": annotations.get(video.id, []),
        }
        for video in release.videos
    }
    taxonomy: list[dict[str, Any]] = [
        {"nodeId": 0, "nodeName": "Root", "parentId": None, "parentName": None}
    ]
    taxonomy += [
        {"nodeId": number, "nodeName": name, "parentId": 0, "parentName": "Root"}
        for number, name in enumerate(_types(release), start=1)
    ]
    document = {"version": "VERSION 1.3", "taxonomy": taxonomy, "database": database}
    notes = readme(
        "ActivityNet v1.3 style annotations (activitynet.json)",
        release,
        [
            "segment = [onset / fps, (offset + 1) / fps] seconds for the 0-based inclusive frame",
            "interval [onset, offset], which 'frames' gives exactly. label = expression type.",
            "subset: the first fold's test subjects are 'validation', everyone else 'training'.",
        ],
    )
    text = json.dumps(document, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
    return {ACTIVITYNET_FILE: text.encode("utf-8"), "README.txt": notes}


def _number(value: Any, *, file: str, column: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise FormatError(f"{value!r} is not a number", file=file, column=column)
    return float(value)


def read_activitynet(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Annotations as 0-based labels; ``frames`` when present (converted from the entry's
    ``fps``, or from ``fps`` when given), else ``segment`` seconds at the video's own fps."""
    name, data = one_file(files, ACTIVITYNET_FILE, suffix=".json")
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FormatError(f"not JSON ({error})", file=name) from None
    database = document.get("database") if isinstance(document, dict) else None
    if not isinstance(database, dict):
        raise FormatError("expected an object 'database'", file=name, column="database")
    importer = Importer(videos, file=name, frame_base=0, fps=fps)
    for video_name, entry in database.items():
        path = f"database.{video_name}"
        if not isinstance(entry, dict) or not isinstance(entry.get("annotations", []), list):
            raise FormatError(
                "expected an object with a list 'annotations'", file=name, column=path
            )
        items = entry.get("annotations", [])
        if not items:
            continue
        video = importer.video(None, video_name, name_column=path)
        entry_fps = entry.get("fps")
        file_fps = (
            _number(entry_fps, file=name, column=f"{path}.fps") if entry_fps is not None else None
        )
        for number, item in enumerate(items):
            where = f"{path}.annotations[{number}]"
            if not isinstance(item, dict):
                raise FormatError("expected an object", file=name, column=where)
            frames = item.get("frames")
            rate: float | None
            if (
                isinstance(frames, list)
                and len(frames) == 2
                and all(isinstance(f, int) and not isinstance(f, bool) for f in frames)
            ):
                onset, offset = frames
                rate = fps if fps is not None else file_fps
                onset_column, offset_column = f"{where}.frames[0]", f"{where}.frames[1]"
            else:
                segment = item.get("segment")
                if not isinstance(segment, list) or len(segment) != 2:
                    raise FormatError("expected [start, end]", file=name, column=f"{where}.segment")
                start = _number(segment[0], file=name, column=f"{where}.segment[0]")
                end = _number(segment[1], file=name, column=f"{where}.segment[1]")
                if end < start:
                    raise FormatError(
                        f"end {end} is before start {start}",
                        file=name,
                        column=f"{where}.segment[1]",
                    )
                onset = round_half_up(start * video.fps)
                offset = max(round_half_up(end * video.fps) - 1, onset)
                rate = None
                onset_column, offset_column = f"{where}.segment[0]", f"{where}.segment[1]"
            apex = item.get("apex")
            importer.add(
                None,
                video,
                onset=onset,
                offset=offset,
                apex=apex if isinstance(apex, int) and not isinstance(apex, bool) else None,
                type=str(item.get("label", "")).strip().lower(),
                emotion=str(item.get("emotion", "") or "").strip().lower(),
                aus=tuple(str(au) for au in item.get("aus", []) or []),
                onset_column=onset_column,
                offset_column=offset_column,
                apex_column=f"{where}.apex",
                fps=rate if rate is not None else video.fps,
            )
    return importer.result()


# -- THUMOS14 ----------------------------------------------------------------------------------


def write_thumos14(release: ReleaseData) -> dict[str, bytes]:
    validation = validation_subjects(release)
    lines: dict[tuple[str, str], list[str]] = {
        (type_name, subset): [] for type_name in _types(release) for subset in ("val", "test")
    }
    for video, _, label in sorted_consensus(release):
        subset = THUMOS_SUBSETS[_subset(video, validation)]
        start = label.onset / video.fps
        end = (label.offset + 1) / video.fps
        lines[(label.type, subset)].append(f"{video.name} {start:.1f} {end:.1f}")
    files = {
        f"annotation/{type_name.capitalize()}_{subset}.txt": "".join(
            f"{line}\n" for line in content
        ).encode("utf-8")
        for (type_name, subset), content in lines.items()
    }
    files["README.txt"] = readme(
        "THUMOS14 style temporal annotations (annotation/{Class}_{subset}.txt)",
        release,
        [
            "Lines: video_name start end, in seconds with one decimal (rounded to 0.1 s);",
            "start = onset / fps, end = (offset + 1) / fps for the 0-based inclusive frames.",
            "Class = expression type, capitalised. Subsets: the first fold's test subjects are",
            "'test', every other video 'val'. Above 10 fps, 0.1 s is coarser than a frame:",
            "boundaries are approximate; use the native or ActivityNet export for exact frames.",
        ],
    )
    return files


def read_thumos14(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Every ``{Class}_{subset}.txt`` as labels of type ``class.lower()``, frames from seconds
    at each video's fps (``fps`` is not needed: the times are times)."""
    names = sorted(name for name in files if _THUMOS_FILE.match(name))
    if not names:
        raise FormatError("missing files: expected annotation/{Class}_{subset}.txt")
    importer = Importer(videos, file=names[0], frame_base=0, fps=None)
    coarse: dict[str, float] = {}
    for name in names:
        match = _THUMOS_FILE.match(name)
        assert match is not None
        class_name = match.group(1).lower()
        if class_name == "ambiguous":
            continue
        importer.file = name
        try:
            text = files[name].decode("utf-8-sig")
        except UnicodeDecodeError:
            raise FormatError("not UTF-8 text", file=name) from None
        for line_number, line in enumerate(text.splitlines(), start=1):
            fields = line.split()
            if not fields:
                continue
            if len(fields) != 3:
                raise FormatError(
                    f"expected 'video_name start end', found {len(fields)} field(s)",
                    file=name,
                    row=line_number,
                    column="end" if len(fields) < 3 else "video_name",
                )
            video = importer.video(line_number, fields[0], name_column="video_name")
            times = []
            for column, value in zip(("start", "end"), fields[1:], strict=True):
                try:
                    times.append(float(value))
                except ValueError:
                    raise FormatError(
                        f"{value!r} is not a time in seconds",
                        file=name,
                        row=line_number,
                        column=column,
                    ) from None
            start, end = times
            if start < 0:
                raise FormatError(
                    f"start {start} is negative", file=name, row=line_number, column="start"
                )
            if end < start:
                raise FormatError(
                    f"end {end} is before start {start}", file=name, row=line_number, column="end"
                )
            onset = round_half_up(start * video.fps)
            offset = max(round_half_up(end * video.fps) - 1, onset)
            if video.fps * 0.1 > 1:
                coarse[video.name] = video.fps
            importer.add(
                line_number,
                video,
                onset=onset,
                offset=offset,
                apex=None,
                type=class_name,
                emotion="",
                aus=(),
                onset_column="start",
                offset_column="end",
            )
    importer.file = "annotation"
    if coarse:
        rates = sorted(set(coarse.values()))
        importer.note(
            "times have 0.1 s resolution, coarser than a frame at "
            f"{', '.join(f'{rate:g}' for rate in rates)} fps ({len(coarse)} video(s)): "
            "boundaries are approximate"
        )
    return importer.result()
