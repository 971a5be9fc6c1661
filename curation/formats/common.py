"""Shared plumbing of the writers and readers: file I/O, cell parsing, video matching, frames.

Readers parse every row before they return, and raise ``FormatError`` at the first malformed
one, so that a bad file imports nothing. Rows are numbered as the file shows them: worksheet row
numbers for xlsx, 1-based line numbers for CSV and text (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import math
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]

from curation.formats.types import (
    FormatError,
    ImportResult,
    LabelRecord,
    ReleaseData,
    SkippedRow,
    VideoRecord,
)

Cell = Any
Files = Mapping[str, bytes]

_INT = re.compile(r"^[+-]?\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)$")
_AU_TOKEN = re.compile(r"^(?:AU)?\s*([LRB]?)\s*(\d{1,2})\s*([LR]?)\s*([A-E]?)$", re.IGNORECASE)
# A fixed zip timestamp keeps xlsx bytes identical between runs (the manifest hashes them).
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_CORE_MODIFIED = re.compile(rb"<dcterms:modified([^>]*)>[^<]*</dcterms:modified>")
_CORE_CREATED = re.compile(rb"<dcterms:created([^>]*)>[^<]*</dcterms:created>")


def round_half_up(value: float) -> int:
    """Nearest integer, halves away from zero for positives (1234.5 -> 1235)."""
    return math.floor(value + 0.5)


# -- files -------------------------------------------------------------------------------------


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with ``\\n`` line ends; None is written as an empty field."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8")


def read_csv(data: bytes, file: str) -> list[tuple[int, list[str]]]:
    """``(line number, fields)`` per non-blank row, header included; a BOM is accepted."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(f"not UTF-8 text ({error.reason})", file=file) from None
    reader = csv.reader(io.StringIO(text))
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        for fields in reader:
            if any(value.strip() for value in fields):
                rows.append((line, fields))
            line = reader.line_num + 1
    except csv.Error as error:
        raise FormatError(f"not a CSV file ({error})", file=file, row=line) from None
    return rows


def xlsx_bytes(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]], created_at: str) -> bytes:
    """An xlsx workbook with one sheet per ``(title, rows)``; identical input, identical bytes."""
    workbook = Workbook()
    default = workbook.active
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
    if default is not None:
        workbook.remove(default)
    raw = io.BytesIO()
    workbook.save(raw)
    # openpyxl stamps the save time into docProps/core.xml and the zip entries; pin both.
    stamp = _iso_utc(created_at)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _pin_core_dates(content, stamp.encode())
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, content)
    return out.getvalue()


def _iso_utc(created_at: str) -> str:
    """``created_at`` as the ``YYYY-MM-DDTHH:MM:SSZ`` that core.xml holds (1980 if unparsable)."""
    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return "1980-01-01T00:00:00Z"
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _pin_core_dates(content: bytes, stamp: bytes) -> bytes:
    for pattern, tag in (
        (_CORE_MODIFIED, b"dcterms:modified"),
        (_CORE_CREATED, b"dcterms:created"),
    ):
        content = pattern.sub(b"<" + tag + rb"\1>" + stamp + b"</" + tag + b">", content)
    return content


def read_xlsx(data: bytes, file: str) -> list[tuple[str, list[tuple[int, tuple[Cell, ...]]]]]:
    """``(sheet title, [(row number, cells)])`` per worksheet, blank rows left out."""
    try:
        # Not read-only: read-only mode trusts the file's stated dimensions, which some
        # generators get wrong, and then drops cells; row numbers must be exact for errors.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as error:  # openpyxl raises zip, XML and key errors alike for a bad file
        raise FormatError(f"not an xlsx workbook ({type(error).__name__})", file=file) from None
    try:
        sheets = []
        for sheet in workbook.worksheets:
            rows = [
                (number, tuple(values))
                for number, values in enumerate(
                    sheet.iter_rows(min_row=1, values_only=True), start=1
                )
                if any(value is not None and str(value).strip() for value in values)
            ]
            sheets.append((sheet.title, rows))
        return sheets
    finally:
        workbook.close()


def one_file(files: Files, *names: str, suffix: str | None = None) -> tuple[str, bytes]:
    """The first of ``names`` present, else the only file ending with ``suffix``."""
    for name in names:
        if name in files:
            return name, files[name]
    if suffix is not None:
        matches = sorted(name for name in files if name.lower().endswith(suffix))
        if len(matches) == 1:
            return matches[0], files[matches[0]]
        if len(matches) > 1:
            raise FormatError(f"several {suffix} files ({', '.join(matches)}); name one of them")
    raise FormatError(f"missing file: expected {' or '.join(names)}")


def readme(title: str, release: ReleaseData, lines: Sequence[str]) -> bytes:
    """The README.txt every writer adds: what the files are, frame base and frame rates."""
    by_fps: dict[str, list[str]] = defaultdict(list)
    for video in release.videos:
        by_fps[fps_text(video)].append(video.name)
    rates = [
        f"  {fps} fps: {len(names)} video(s) "
        f"({', '.join(names[:5])}{', ...' if len(names) > 5 else ''})"
        for fps, names in sorted(by_fps.items())
    ]
    text = [
        title,
        "",
        f"Release: {release.name} (project {release.project_slug}, "
        f"consensus version {release.consensus_version})",
        f"Created: {release.created_at}; software {release.software_version}",
        "",
        *lines,
        "",
        "Frame rates:",
        *(rates or ["  (no videos)"]),
    ]
    return ("\n".join(text) + "\n").encode("utf-8")


def fps_text(video: VideoRecord) -> str:
    if video.fps_den == 1:
        return str(video.fps_num)
    return f"{video.fps_num}/{video.fps_den} (= {video.fps:.6g})"


# -- release helpers for writers ---------------------------------------------------------------


def videos_by_id(release: ReleaseData) -> dict[int, VideoRecord]:
    return {video.id: video for video in release.videos}


def sorted_consensus(release: ReleaseData) -> list[tuple[VideoRecord, int, LabelRecord]]:
    """``(video, 1-based index within its video, label)``, in video order then onset order."""
    by_id = videos_by_id(release)
    position = {video.id: index for index, video in enumerate(release.videos)}
    for label in release.consensus:
        if label.video not in by_id:
            raise ValueError(f"consensus label on video {label.video}, which is not in the release")
    ordered = sorted(
        release.consensus, key=lambda lab: (position[lab.video], lab.onset, lab.offset, lab.type)
    )
    out: list[tuple[VideoRecord, int, LabelRecord]] = []
    counts: dict[int, int] = defaultdict(int)
    for label in ordered:
        counts[label.video] += 1
        out.append((by_id[label.video], counts[label.video], label))
    return out


def validation_subjects(release: ReleaseData) -> set[str]:
    """The test subjects of the first fold (lowest index); empty without folds."""
    if not release.folds:
        return set()
    first = min(release.folds, key=lambda fold: int(fold["index"]))
    return {str(subject) for subject in first["test"]}


def au_text(aus: Sequence[str]) -> str:
    """``("AU4", "AU12R")`` -> ``"4+R12"``: the spotting sheets' notation."""
    parts = []
    for au in aus:
        match = _AU_TOKEN.match(au)
        if match is None:
            parts.append(au)
            continue
        prefix, number, side, _ = match.groups()
        parts.append(f"{(prefix or side).upper()}{int(number)}")
    return "+".join(parts)


def parse_aus(value: Cell) -> tuple[tuple[str, ...], list[str]]:
    """``"4+R12"`` -> ``(("AU4", "AU12R"), [])``; tokens not understood come back second."""
    if value is None:
        return (), []
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not text or text in {"-", "?", "/"}:
        return (), []
    aus: list[str] = []
    unknown: list[str] = []
    for token in re.split(r"[+,;\s]+", text):
        if not token:
            continue
        match = _AU_TOKEN.match(token)
        if match is None:
            unknown.append(token)
            continue
        prefix, number, side, _ = match.groups()
        side = (side or prefix).upper()
        side = "" if side == "B" else side  # B(ilateral) is the plain code
        au = f"AU{int(number)}{side}"
        if au not in aus:
            aus.append(au)
    return tuple(aus), unknown


def text_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def header_key(value: Cell) -> str:
    return re.sub(r"\s+", " ", text_cell(value)).lower()


# -- reading rows ------------------------------------------------------------------------------


def locate_columns(
    header: Sequence[Cell],
    required: Sequence[str],
    optional: Sequence[str] = (),
    *,
    file: str,
    row: int,
) -> dict[str, int]:
    """Column index per expected name (matched case- and space-insensitively).

    A missing required column raises ``FormatError`` naming it and what its usual position
    holds instead.
    """
    keys = [header_key(value) for value in header]
    found: dict[str, int] = {}
    for position, name in enumerate([*required, *optional]):
        key = name.lower()
        if key in keys:
            found[name] = keys.index(key)
        elif name in required:
            usual = position if position < len(header) else None
            seen = f"found {text_cell(header[usual])!r}" if usual is not None else "not found"
            raise FormatError(
                f"expected a column {name!r} ({seen}); the header must read {', '.join(required)}",
                file=file,
                row=row,
                column=name,
            )
    return found


def cell(values: Sequence[Cell], columns: Mapping[str, int], name: str) -> Cell:
    index = columns.get(name)
    if index is None or index >= len(values):
        return None
    return values[index]


class VideoIndex:
    """Finds the video a row names: by name, by name without extension, then by subject."""

    def __init__(self, videos: Sequence[VideoRecord]) -> None:
        self._by_key: dict[str, list[VideoRecord]] = defaultdict(list)
        for video in videos:
            keys = {video.name.lower(), _stem(video.name).lower()}
            for key in keys:
                self._by_key[key].append(video)

    def find(
        self,
        name: Cell,
        subject: Cell,
        *,
        file: str,
        row: int | None,
        name_column: str,
        subject_column: str | None,
    ) -> VideoRecord:
        text = text_cell(name)
        if not text:
            raise FormatError("no video name", file=file, row=row, column=name_column)
        candidates = self._by_key.get(text.lower()) or self._by_key.get(_stem(text).lower(), [])
        subject_text = text_cell(subject)
        if subject_text and len(candidates) > 1:
            candidates = [
                video
                for video in candidates
                if _subject_key(video.subject) == _subject_key(subject_text)
            ]
        if not candidates:
            raise FormatError(f"unknown video {text!r}", file=file, row=row, column=name_column)
        if len(candidates) > 1:
            raise FormatError(
                f"video name {text!r} matches {len(candidates)} videos; give the subject",
                file=file,
                row=row,
                column=name_column,
            )
        video = candidates[0]
        if (
            subject_column is not None
            and subject_text
            and video.subject is not None
            and _subject_key(video.subject) != _subject_key(subject_text)
        ):
            raise FormatError(
                f"video {video.name!r} belongs to subject {video.subject!r}, not {subject_text!r}",
                file=file,
                row=row,
                column=subject_column,
            )
        return video


def _stem(name: str) -> str:
    head, dot, tail = name.rpartition(".")
    return head if dot and head and 1 <= len(tail) <= 4 and tail.isalnum() else name


def _subject_key(subject: str | None) -> str:
    text = (subject or "").strip().lower()
    match = re.match(r"^[a-z]*0*(\d+)$", text)
    return match.group(1) if match else text


def parse_frame(
    value: Cell,
    *,
    file: str,
    row: int,
    column: str,
    allow_fraction: bool = False,
    what: str = "frame number",
) -> int | float | None:
    """A frame number as the sheet wrote it: int, None when blank, float only when allowed."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise FormatError(f"{value!r} is not a {what}", file=file, row=row, column=column)
    number: int | float
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if math.isnan(value):
            return None
        number = int(value) if value.is_integer() else value
    else:
        text = str(value).strip()
        if not text:
            return None
        if _INT.match(text):
            number = int(text)
        elif _DECIMAL.match(text):
            as_float = float(text)
            number = int(as_float) if as_float.is_integer() else as_float
        else:
            raise FormatError(f"{text!r} is not a {what}", file=file, row=row, column=column)
    if isinstance(number, float) and not allow_fraction:
        raise FormatError(f"{number!r} is not a whole {what}", file=file, row=row, column=column)
    return number


class Importer:
    """Collects the labels of one import; converts frame base and frame rate; checks ranges.

    ``frame_base`` is the sheet's number of the first frame (1 for image-file numbering);
    ``fps`` the frame rate the sheet was annotated at, None for "each video's own".
    """

    def __init__(
        self, videos: Sequence[VideoRecord], *, file: str, frame_base: int, fps: float | None
    ) -> None:
        if fps is not None and not fps > 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self.index = VideoIndex(videos)
        self.file = file
        self.frame_base = frame_base
        self.fps = fps
        self.labels: list[LabelRecord] = []
        self.skipped: list[SkippedRow] = []
        self.notes: list[str] = []
        self.fps_converted = False

    def video(
        self,
        row: int | None,
        name: Cell,
        subject: Cell = None,
        *,
        name_column: str,
        subject_column: str | None = None,
    ) -> VideoRecord:
        return self.index.find(
            name,
            subject,
            file=self.file,
            row=row,
            name_column=name_column,
            subject_column=subject_column,
        )

    def frame(
        self, value: Cell, row: int, column: str, *, allow_fraction: bool = False
    ) -> int | float | None:
        return parse_frame(
            value, file=self.file, row=row, column=column, allow_fraction=allow_fraction
        )

    def skip(self, row: int, reason: str) -> None:
        self.skipped.append(SkippedRow(row=row, reason=reason, file=self.file))

    def note(self, text: str) -> None:
        self.notes.append(f"{self.file}: {text}")

    def to_video(self, video: VideoRecord, sheet_frame: int, *, fps: float | None = None) -> int:
        """A sheet frame (in the sheet's base) as a 0-based frame of ``video``."""
        frame = sheet_frame - self.frame_base
        rate = fps if fps is not None else self.fps
        if rate is None or math.isclose(rate, video.fps, rel_tol=1e-9):
            return frame
        self.fps_converted = True
        return round_half_up(frame * video.fps / rate)

    def add(
        self,
        row: int | None,
        video: VideoRecord,
        *,
        onset: int,
        offset: int,
        apex: int | None,
        type: str,
        emotion: str,
        aus: tuple[str, ...],
        onset_column: str,
        offset_column: str,
        apex_column: str | None = None,
        fps: float | None = None,
        support: int | None = None,
        n_passes: int | None = None,
        members: tuple[tuple[int, int, int], ...] = (),
        pass_index: int | None = None,
        annotator: str | None = None,
    ) -> None:
        """Check one row's frames (sheet base) and keep it as a 0-based label of ``video``."""
        base = self.frame_base
        if onset < base:
            raise FormatError(
                f"onset {onset} is before the first frame (frames count from {base})",
                file=self.file,
                row=row,
                column=onset_column,
            )
        if offset < onset:
            raise FormatError(
                f"offset {offset} is before onset {onset}",
                file=self.file,
                row=row,
                column=offset_column,
            )
        first = self.to_video(video, onset, fps=fps)
        last = self.to_video(video, offset, fps=fps)
        if video.n_frames > 0 and last > video.n_frames - 1:
            raise FormatError(
                f"offset {offset} is past the end of video {video.name!r} "
                f"({video.n_frames} frames, counted from {base})",
                file=self.file,
                row=row,
                column=offset_column,
            )
        apex_frame = None
        if apex is not None:
            apex_frame = self.to_video(video, apex, fps=fps)
            if not first <= apex_frame <= last:
                self.note(f"row {row}: apex {apex} lies outside [{onset}, {offset}]; apex dropped")
                apex_frame = None
        converted_members = tuple(
            (pass_index, self.to_video(video, on, fps=fps), self.to_video(video, off, fps=fps))
            for pass_index, on, off in members
        )
        self.labels.append(
            LabelRecord(
                video=video.id,
                onset=first,
                offset=last,
                apex=apex_frame,
                type=type,
                emotion=emotion,
                aus=aus,
                support=support,
                n_passes=n_passes,
                members=converted_members,
                pass_index=pass_index,
                annotator=annotator,
            )
        )

    def result(self) -> ImportResult:
        if self.fps_converted:
            source = f"{self.fps:g} fps" if self.fps is not None else "the file's frame rates"
            self.notes.append(
                f"{self.file}: frames converted from {source} to each video's frame rate "
                "(rounded half up)"
            )
        return ImportResult(
            labels=tuple(self.labels),
            skipped=tuple(self.skipped),
            notes=tuple(self.notes),
            fps_converted=self.fps_converted,
        )
