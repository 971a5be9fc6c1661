"""DFEW style clip-classification files.

- ``set_{k}/train.csv`` and ``set_{k}/test.csv`` for each fold (fold index i -> ``set_{i+1}``),
  header ``video_name,label``: single-labelled clips only, ``label`` the class's code in the
  project's schema (DFEW: 1 happy, 2 sad, 3 neutral, 4 angry, 5 surprise, 6 disgust, 7 fear).
  Clips of the fold's test subjects are in ``test.csv``, every other single-labelled clip
  (including clips without a subject) in ``train.csv``.
- ``annotation.xlsx``: the vote distribution, header ``order, 1happy, 2sad, ...`` (code then
  name for each class, by code) and ``label``: the single label's code, or 0 for a clip that is
  not single-labelled. ``order`` is the clip name (written as a number when it is one).

Clips are whole videos here: no frames are written. The reader matches clip names to videos.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from curation.formats.common import (
    Files,
    VideoIndex,
    csv_bytes,
    header_key,
    locate_columns,
    parse_frame,
    read_csv,
    read_xlsx,
    readme,
    text_cell,
    xlsx_bytes,
)
from curation.formats.types import (
    CLIP_TYPE,
    ClipRecord,
    FormatError,
    ImportResult,
    LabelRecord,
    ReleaseData,
    VideoRecord,
)

ANNOTATION_FILE = "annotation.xlsx"
DFEW_CODES = (
    ("happy", 1),
    ("sad", 2),
    ("neutral", 3),
    ("angry", 4),
    ("surprise", 5),
    ("disgust", 6),
    ("fear", 7),
)
_SET_FILE = re.compile(r"^(?:.*/)?set_(\d+)/(train|test)\.csv$")
_VOTE_COLUMN = re.compile(r"^(\d+)\s*([a-z_][a-z0-9_]*)$")


def _codes(label_schema: Mapping[str, Any] | None) -> list[tuple[str, int]]:
    emotions = (label_schema or {}).get("emotions") or []
    pairs = [(str(item["name"]), int(item["code"])) for item in emotions]
    return sorted(pairs or DFEW_CODES, key=lambda pair: pair[1])


def _clip_name(name: str) -> int | str:
    return int(name) if name.isdigit() and not name.startswith("0") else name


def write_dfew(release: ReleaseData) -> dict[str, bytes]:
    if not release.clips:
        raise ValueError(
            "the DFEW format needs clips with their votes (ReleaseData.clips is empty)"
        )
    codes = _codes(release.label_schema)
    code_of = dict(codes)
    for clip in release.clips:
        if clip.label is not None and clip.label not in code_of:
            raise ValueError(f"clip {clip.name!r}: label {clip.label!r} is not in the schema")
        unknown = set(clip.votes) - set(code_of)
        if unknown:
            raise ValueError(f"clip {clip.name!r}: votes for classes not in the schema: {unknown}")
    files: dict[str, bytes] = {}
    single = [clip for clip in release.clips if clip.label is not None]
    for fold in sorted(release.folds, key=lambda item: int(item["index"])):
        test_subjects = {str(subject) for subject in fold["test"]}
        test = [clip for clip in single if clip.subject in test_subjects]
        train = [clip for clip in single if clip.subject not in test_subjects]
        folder = f"set_{int(fold['index']) + 1}"
        for part, clips in (("train", train), ("test", test)):
            files[f"{folder}/{part}.csv"] = csv_bytes(
                ("video_name", "label"),
                [(clip.name, code_of[clip.label]) for clip in clips if clip.label is not None],
            )
    header = ["order", *(f"{code}{name}" for name, code in codes), "label"]
    rows = [
        [
            _clip_name(clip.name),
            *(clip.votes.get(name, 0) for name, _ in codes),
            0 if clip.label is None else code_of[clip.label],
        ]
        for clip in release.clips
    ]
    files[ANNOTATION_FILE] = xlsx_bytes([("annotation", [header, *rows])], release.created_at)
    classes = ", ".join(f"{code} {name}" for name, code in codes)
    files["README.txt"] = readme(
        "DFEW style clip labels (set_k/train.csv, set_k/test.csv, annotation.xlsx)",
        release,
        [
            f"Label codes: {classes}.",
            "set_k: fold k-1 of the release; test.csv holds the clips of the fold's test",
            "subjects, train.csv every other single-labelled clip. Only single-labelled clips.",
            "annotation.xlsx: votes per class per clip; label 0 = not single-labelled.",
            "Clips are whole videos: no frame numbers are written.",
        ],
    )
    return files


def read_dfew(
    files: Files,
    videos: Sequence[VideoRecord],
    *,
    fps: float | None = None,
    label_schema: Mapping[str, Any] | None = None,
) -> ImportResult:
    """Clips (votes from ``annotation.xlsx``, labels from it and the set files) on ``videos``.

    Each single-labelled clip also gives a whole-video label (``type`` ``CLIP_TYPE``, frames
    ``[0, n_frames - 1]``, ``support`` its label's votes, ``n_passes`` all its votes). Label codes
    are the schema's (DFEW's when ``label_schema`` is None). ``fps`` is not used: no frames.
    """
    codes = _codes(label_schema)
    name_of = {code: name for name, code in codes}
    index = VideoIndex(videos)
    votes: dict[str, dict[str, int]] = {}
    labels: dict[str, str | None] = {}
    where: dict[str, tuple[str, int, str]] = {}
    order: list[str] = []

    def settle(clip: str, label: str | None, file: str, row: int, column: str) -> None:
        if clip in labels and labels[clip] != label:
            first = where[clip]
            raise FormatError(
                f"clip {clip!r} is labelled {label or 'not single-labelled'} here but "
                f"{labels[clip] or 'not single-labelled'} in {first[0]} row {first[1]}",
                file=file,
                row=row,
                column=column,
            )
        if clip not in labels:
            labels[clip] = label
            where[clip] = (file, row, column)
            order.append(clip)

    if ANNOTATION_FILE in files:
        sheets = [rows for _, rows in read_xlsx(files[ANNOTATION_FILE], ANNOTATION_FILE) if rows]
        if not sheets:
            raise FormatError("the workbook has no rows", file=ANNOTATION_FILE)
        header_row, header_cells = sheets[0][0]
        keys = [header_key(value) for value in header_cells]
        if not keys or keys[0] != "order":
            raise FormatError(
                f"expected 'order' first, found {text_cell(header_cells[0])!r}",
                file=ANNOTATION_FILE,
                row=header_row,
                column="order",
            )
        if keys[-1] != "label":
            raise FormatError(
                f"expected 'label' last, found {text_cell(header_cells[-1])!r}",
                file=ANNOTATION_FILE,
                row=header_row,
                column="label",
            )
        vote_columns: list[tuple[int, str, str]] = []
        for position, key in enumerate(keys[1:-1], start=1):
            match = _VOTE_COLUMN.match(key.replace(" ", ""))
            column_code = int(match.group(1)) if match else -1
            if match is None or name_of.get(column_code) != match.group(2):
                expected = ", ".join(f"{code}{name}" for name, code in codes)
                raise FormatError(
                    f"{text_cell(header_cells[position])!r} is not one of the schema's classes "
                    f"({expected})",
                    file=ANNOTATION_FILE,
                    row=header_row,
                    column=text_cell(header_cells[position]),
                )
            vote_columns.append((position, match.group(2), text_cell(header_cells[position])))
        for row, values in sheets[0][1:]:
            clip = text_cell(values[0])
            if not clip:
                raise FormatError("no clip name", file=ANNOTATION_FILE, row=row, column="order")
            counts: dict[str, int] = {}
            for position, class_name, column in vote_columns:
                count = parse_frame(
                    values[position] if position < len(values) else None,
                    file=ANNOTATION_FILE,
                    row=row,
                    column=column,
                    what="vote count",
                )
                if count is not None and count < 0:
                    raise FormatError(
                        f"{count} votes", file=ANNOTATION_FILE, row=row, column=column
                    )
                if count:
                    counts[class_name] = int(count)
            code_cell = values[len(keys) - 1] if len(keys) - 1 < len(values) else None
            label_code = parse_frame(
                code_cell, file=ANNOTATION_FILE, row=row, column="label", what="label code"
            )
            label = _label(label_code, name_of, file=ANNOTATION_FILE, row=row, allow_zero=True)
            votes[clip] = counts
            settle(clip, label, ANNOTATION_FILE, row, "label")

    set_files = sorted(
        (int(match.group(1)), match.group(2), name)
        for name in files
        if (match := _SET_FILE.match(name))
    )
    if not set_files and ANNOTATION_FILE not in files:
        raise FormatError(f"missing files: expected {ANNOTATION_FILE} or set_k/train.csv")
    for _, _, name in set_files:
        rows = read_csv(files[name], name)
        if not rows:
            continue
        header_row, csv_header = rows[0]
        columns = locate_columns(csv_header, ("video_name", "label"), file=name, row=header_row)
        for row, fields in rows[1:]:
            clip = text_cell(
                fields[columns["video_name"]] if columns["video_name"] < len(fields) else None
            )
            if not clip:
                raise FormatError("no clip name", file=name, row=row, column="video_name")
            raw = fields[columns["label"]] if columns["label"] < len(fields) else None
            set_code = parse_frame(raw, file=name, row=row, column="label", what="label code")
            label = _label(set_code, name_of, file=name, row=row, allow_zero=False)
            settle(clip, label, name, row, "label")

    clips: list[ClipRecord] = []
    records: list[LabelRecord] = []
    for clip in order:
        file, row, _ = where[clip]
        video = index.find(
            clip,
            None,
            file=file,
            row=row,
            name_column="order" if file == ANNOTATION_FILE else "video_name",
            subject_column=None,
        )
        counts = votes.get(clip, {})
        label = labels[clip]
        clips.append(
            ClipRecord(
                name=clip,
                subject=video.subject,
                video=video.id,
                onset=None,
                offset=None,
                votes=counts,
                label=label,
            )
        )
        if label is not None:
            records.append(
                LabelRecord(
                    video=video.id,
                    onset=0,
                    offset=max(video.n_frames - 1, 0),
                    apex=None,
                    type=CLIP_TYPE,
                    emotion=label,
                    aus=(),
                    support=counts.get(label) if counts else None,
                    n_passes=sum(counts.values()) if counts else None,
                )
            )
    notes = []
    if set_files:
        notes.append(f"{len({number for number, _, _ in set_files})} fold(s) in set_k files")
    return ImportResult(labels=tuple(records), notes=tuple(notes), clips=tuple(clips))


def _label(
    code: int | float | None, name_of: Mapping[int, str], *, file: str, row: int, allow_zero: bool
) -> str | None:
    if code is None or (code == 0 and not allow_zero):
        raise FormatError("no label code", file=file, row=row, column="label")
    if code == 0:
        return None
    if code not in name_of:
        known = ", ".join(f"{value} {name}" for value, name in sorted(name_of.items()))
        raise FormatError(
            f"unknown label code {code} ({known})", file=file, row=row, column="label"
        )
    return name_of[int(code)]
