"""Spotting sheets in the layouts of CAS(ME)^2, CAS(ME)^3 and SAMM Long Videos (xlsx).

All three count frames from 1, as their image files are numbered (``img1.jpg`` is frame 0 of
the decoded video); readers convert back to 0-based frames. One row per consensus expression.

- ``casme2.xlsx`` (sheet ``code_final``): ``Subject, Filename, Onset, Apex, Offset, AUs,
  Estimated Emotion, Expression Type, Self-reported Emotion``; types ``macro-expression`` /
  ``micro-expression``; AUs ``4+R12``; apex 0 when not marked (as the original sheet does).
  The reader skips rows whose onset or offset is 0 or blank (the original marks an offset it
  could not determine with 0) and imports apex 0 as "not marked".
- ``casme3.xlsx``: one sheet per expression type, ``MaE`` (macro) and ``ME`` (micro) as Part A
  releases them (other types get a sheet of their own name), header ``Subject, Filename,
  Onset, Apex, Offset, AU, Objective class, Emotion, Type``; apex blank when not marked;
  ``Objective class`` is left blank (Spotlab does not derive it).
- ``samm_lv.xlsx`` (sheet ``FACS_Movement_Only``): three note rows (dataset, frame base, frame
  rates) and a blank row above the header ``Subject, Filename, Inducement Code, Onset, Apex,
  Offset, Duration, Type, Action Units, Notes``; ``Duration = Offset - Onset + 1``; types
  ``Macro`` / ``Micro - 1/2``; apex -1 when not marked; the emotion, which SAMM has no column
  for, goes into Notes as ``emotion: happy``. The reader finds the header row by content,
  rounds a fractional apex half up (noted) and imports apex -1 or blank as not marked.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curation.formats.common import (
    Cell,
    Files,
    Importer,
    au_text,
    cell,
    fps_text,
    header_key,
    locate_columns,
    one_file,
    parse_aus,
    read_xlsx,
    readme,
    round_half_up,
    sorted_consensus,
    text_cell,
    xlsx_bytes,
)
from curation.formats.types import FormatError, ImportResult, ReleaseData, VideoRecord

CASME2_FILE = "casme2.xlsx"
CASME2_HEADER = (
    "Subject",
    "Filename",
    "Onset",
    "Apex",
    "Offset",
    "AUs",
    "Estimated Emotion",
    "Expression Type",
    "Self-reported Emotion",
)
CASME3_FILE = "casme3.xlsx"
CASME3_HEADER = (
    "Subject",
    "Filename",
    "Onset",
    "Apex",
    "Offset",
    "AU",
    "Objective class",
    "Emotion",
    "Type",
)
CASME3_SHEETS = {"macro": "MaE", "micro": "ME"}
SAMM_FILE = "samm_lv.xlsx"
SAMM_SHEET = "FACS_Movement_Only"
SAMM_HEADER = (
    "Subject",
    "Filename",
    "Inducement Code",
    "Onset",
    "Apex",
    "Offset",
    "Duration",
    "Type",
    "Action Units",
    "Notes",
)
SAMM_TYPES = {"macro": "Macro", "micro": "Micro - 1/2"}
_EMOTION_NOTE = re.compile(r"emotion\s*:\s*([A-Za-z_][\w ]*)", re.IGNORECASE)


def _one_based(frame: int | None, missing: int | None) -> int | None:
    return missing if frame is None else frame + 1


def _type_name(value: Cell, *, file: str, row: int, column: str) -> str:
    """A sheet's expression type as the schema's name: ``micro-expression``, ``Micro - 1/2``,
    ``ME`` -> ``micro``; ``macro-expression``, ``Macro``, ``MaE`` -> ``macro``."""
    text = text_cell(value).lower()
    if not text:
        raise FormatError("no expression type", file=file, row=row, column=column)
    if text in {"me", "micro"} or text.startswith(("micro-", "micro ")):
        return "micro"
    if text in {"mae", "macro"} or text.startswith(("macro-", "macro ")):
        return "macro"
    return re.sub(r"[-\s]*expression$", "", text).strip().replace(" ", "_")


def _aus(importer: Importer, row: int, value: Cell) -> tuple[str, ...]:
    aus, unknown = parse_aus(value)
    if unknown:
        importer.note(f"row {row}: action units not understood, left out: {', '.join(unknown)}")
    return aus


def _header(
    rows: list[tuple[int, tuple[Cell, ...]]], file: str
) -> tuple[int, tuple[Cell, ...], list[tuple[int, tuple[Cell, ...]]]]:
    if not rows:
        raise FormatError("the sheet is empty", file=file)
    number, header = rows[0]
    return number, header, rows[1:]


# -- CAS(ME)^2 ---------------------------------------------------------------------------------


def write_casme2(release: ReleaseData) -> dict[str, bytes]:
    rows = [
        (
            video.subject or "",
            video.name,
            label.onset + 1,
            _one_based(label.apex, 0),
            label.offset + 1,
            au_text(label.aus),
            label.emotion,
            f"{label.type}-expression",
            "",
        )
        for video, _, label in sorted_consensus(release)
    ]
    sheet = [CASME2_HEADER, *rows]
    notes = readme(
        "CAS(ME)^2 style spotting sheet (casme2.xlsx, sheet code_final)",
        release,
        [
            "One row per consensus expression. Frames count from 1 (image file numbering):",
            "frame 1 is the first decoded frame. Intervals are inclusive [Onset, Offset].",
            "Apex 0 means not marked. AUs are joined with '+', L/R prefixed (R12).",
            "Self-reported Emotion is left blank.",
        ],
    )
    return {
        CASME2_FILE: xlsx_bytes([("code_final", sheet)], release.created_at),
        "README.txt": notes,
    }


def read_casme2(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """CAS(ME)^2 sheet rows as 0-based labels; rows with offset or onset 0/blank are skipped."""
    name, data = one_file(files, CASME2_FILE, suffix=".xlsx")
    sheets = [rows for _, rows in read_xlsx(data, name) if rows]
    if not sheets:
        raise FormatError("the workbook has no rows", file=name)
    header_row, header, body = _header(sheets[0], name)
    columns = locate_columns(
        header, CASME2_HEADER[:8], CASME2_HEADER[8:], file=name, row=header_row
    )
    importer = Importer(videos, file=name, frame_base=1, fps=fps)
    no_apex: list[int] = []
    for row, values in body:
        video = importer.video(
            row,
            cell(values, columns, "Filename"),
            cell(values, columns, "Subject"),
            name_column="Filename",
            subject_column="Subject",
        )
        onset = importer.frame(cell(values, columns, "Onset"), row, "Onset")
        apex = importer.frame(cell(values, columns, "Apex"), row, "Apex")
        offset = importer.frame(cell(values, columns, "Offset"), row, "Offset")
        type_name = _type_name(
            cell(values, columns, "Expression Type"), file=name, row=row, column="Expression Type"
        )
        if not onset:
            importer.skip(row, f"onset {'0' if onset == 0 else 'missing'}: no interval to import")
            continue
        if not offset:
            importer.skip(
                row,
                "offset 0: CAS(ME)^2 marks an offset it could not determine with 0"
                if offset == 0
                else "offset missing: no interval to import",
            )
            continue
        if not apex:
            no_apex.append(row)
        importer.add(
            row,
            video,
            onset=int(onset),
            offset=int(offset),
            apex=int(apex) if apex else None,
            type=type_name,
            emotion=text_cell(cell(values, columns, "Estimated Emotion")).lower(),
            aus=_aus(importer, row, cell(values, columns, "AUs")),
            onset_column="Onset",
            offset_column="Offset",
            apex_column="Apex",
        )
    if no_apex:
        importer.note(
            f"apex 0 or blank (not marked) in {len(no_apex)} row(s): "
            f"{', '.join(map(str, no_apex[:20]))}{' ...' if len(no_apex) > 20 else ''}"
        )
    return importer.result()


# -- CAS(ME)^3 ---------------------------------------------------------------------------------


def write_casme3(release: ReleaseData) -> dict[str, bytes]:
    schema_types = [item["name"] for item in release.label_schema.get("expression_types", [])]
    consensus = sorted_consensus(release)
    types = list(dict.fromkeys([*schema_types, *(label.type for _, _, label in consensus)]))
    sheets = []
    for type_name in types:
        title = CASME3_SHEETS.get(type_name, type_name[:31])
        rows = [
            (
                video.subject or "",
                video.name,
                label.onset + 1,
                _one_based(label.apex, None),
                label.offset + 1,
                au_text(label.aus),
                "",
                label.emotion,
                title,
            )
            for video, _, label in consensus
            if label.type == type_name
        ]
        sheets.append((title, [CASME3_HEADER, *rows]))
    notes = readme(
        "CAS(ME)^3 style spotting sheet (casme3.xlsx)",
        release,
        [
            "One sheet per expression type: MaE (macro-expressions), ME (micro-expressions),",
            "other types under their own name; the Type column repeats the sheet's name.",
            "Frames count from 1 (image file numbering); intervals are inclusive.",
            "Apex blank means not marked. Objective class is left blank.",
        ],
    )
    return {CASME3_FILE: xlsx_bytes(sheets, release.created_at), "README.txt": notes}


def read_casme3(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Every sheet's rows; the type comes from ``Type`` or else from the sheet name."""
    name, data = one_file(files, CASME3_FILE, suffix=".xlsx")
    importer = Importer(videos, file=name, frame_base=1, fps=fps)
    sheets = [(title, rows) for title, rows in read_xlsx(data, name) if rows]
    if not sheets:
        raise FormatError("the workbook has no rows", file=name)
    for title, rows in sheets:
        where = f"{name}[{title}]" if len(sheets) > 1 else name
        importer.file = where
        header_row, header, body = _header(rows, where)
        columns = locate_columns(
            header,
            ("Subject", "Filename", "Onset", "Apex", "Offset", "AU"),
            ("Objective class", "Emotion", "Type"),
            file=where,
            row=header_row,
        )
        for row, values in body:
            video = importer.video(
                row,
                cell(values, columns, "Filename"),
                cell(values, columns, "Subject"),
                name_column="Filename",
                subject_column="Subject",
            )
            onset = importer.frame(cell(values, columns, "Onset"), row, "Onset")
            apex = importer.frame(cell(values, columns, "Apex"), row, "Apex")
            offset = importer.frame(cell(values, columns, "Offset"), row, "Offset")
            type_value = cell(values, columns, "Type")
            if not text_cell(type_value):
                type_value = title
            type_name = _type_name(type_value, file=where, row=row, column="Type")
            if not onset or not offset:
                importer.skip(row, f"{'onset' if not onset else 'offset'} 0 or missing")
                continue
            importer.add(
                row,
                video,
                onset=int(onset),
                offset=int(offset),
                apex=int(apex) if apex else None,
                type=type_name,
                emotion=text_cell(cell(values, columns, "Emotion")).lower(),
                aus=_aus(importer, row, cell(values, columns, "AU")),
                onset_column="Onset",
                offset_column="Offset",
                apex_column="Apex",
            )
    importer.file = name
    return importer.result()


# -- SAMM Long Videos --------------------------------------------------------------------------


def write_samm_lv(release: ReleaseData) -> dict[str, bytes]:
    rates = sorted({fps_text(video) for video in release.videos})
    rows: list[Sequence[Cell]] = [
        (f"SAMM Long Videos style export: release {release.name} ({release.project_slug})",),
        (
            "Frames count from 1 (image file numbering); intervals are inclusive; "
            "Duration = Offset - Onset + 1; Apex -1 = not marked",
        ),
        (f"Frame rate: {', '.join(rates) or 'n/a'} fps",),
        (),
        SAMM_HEADER,
    ]
    for video, _, label in sorted_consensus(release):
        rows.append(
            (
                video.subject or "",
                video.name,
                "",
                label.onset + 1,
                _one_based(label.apex, -1),
                label.offset + 1,
                label.length,
                SAMM_TYPES.get(label.type, label.type.capitalize()),
                au_text(label.aus),
                f"emotion: {label.emotion}" if label.emotion else "",
            )
        )
    notes = readme(
        "SAMM Long Videos style spotting sheet (samm_lv.xlsx, sheet FACS_Movement_Only)",
        release,
        [
            "One row per consensus expression below three note rows and a blank row.",
            "Frames count from 1 (image file numbering); intervals are inclusive;",
            "Duration = Offset - Onset + 1. Apex -1 means not marked. Types: Macro, Micro - 1/2.",
            "The emotion is in Notes as 'emotion: <name>'. Inducement Code is left blank.",
        ],
    )
    return {SAMM_FILE: xlsx_bytes([(SAMM_SHEET, rows)], release.created_at), "README.txt": notes}


def read_samm_lv(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """SAMM-LV rows below the header row (found by its ``Filename`` cell) as 0-based labels."""
    name, data = one_file(files, SAMM_FILE, suffix=".xlsx")
    sheets = [rows for _, rows in read_xlsx(data, name) if rows]
    if not sheets:
        raise FormatError("the workbook has no rows", file=name)
    rows = sheets[0]
    position = next(
        (
            index
            for index, (_, values) in enumerate(rows)
            if any(header_key(value) == "filename" for value in values)
        ),
        None,
    )
    if position is None:
        raise FormatError(
            f"no header row found (expected {', '.join(SAMM_HEADER)})",
            file=name,
            column="Filename",
        )
    header_row, header = rows[position]
    columns = locate_columns(
        header,
        ("Subject", "Filename", "Inducement Code", "Onset", "Apex", "Offset"),
        ("Duration", "Type", "Action Units", "Notes"),
        file=name,
        row=header_row,
    )
    if "Type" not in columns:
        raise FormatError("expected a column 'Type'", file=name, row=header_row, column="Type")
    importer = Importer(videos, file=name, frame_base=1, fps=fps)
    rounded: list[str] = []
    no_apex = 0
    for row, values in rows[position + 1 :]:
        video = importer.video(
            row,
            cell(values, columns, "Filename"),
            cell(values, columns, "Subject"),
            name_column="Filename",
            subject_column="Subject",
        )
        onset = importer.frame(cell(values, columns, "Onset"), row, "Onset")
        apex = importer.frame(cell(values, columns, "Apex"), row, "Apex", allow_fraction=True)
        offset = importer.frame(cell(values, columns, "Offset"), row, "Offset")
        type_name = _type_name(cell(values, columns, "Type"), file=name, row=row, column="Type")
        if onset is None or onset == -1:
            importer.skip(row, "onset not marked")
            continue
        if offset is None or offset == -1:
            importer.skip(row, "offset not marked (-1 or blank)")
            continue
        apex_frame: int | None
        if apex is None or apex == -1:
            apex_frame = None
            no_apex += 1
        elif isinstance(apex, float):
            apex_frame = round_half_up(apex)
            rounded.append(f"row {row}: {apex:g} -> {apex_frame}")
        else:
            apex_frame = apex
        duration = importer.frame(cell(values, columns, "Duration"), row, "Duration")
        if duration is not None and duration != offset - onset + 1:
            importer.note(
                f"row {row}: Duration {duration} differs from Offset - Onset + 1 = "
                f"{int(offset) - int(onset) + 1}; Onset and Offset used"
            )
        note = _EMOTION_NOTE.search(text_cell(cell(values, columns, "Notes")))
        importer.add(
            row,
            video,
            onset=int(onset),
            offset=int(offset),
            apex=apex_frame,
            type=type_name,
            emotion=note.group(1).strip().lower() if note else "",
            aus=_aus(importer, row, cell(values, columns, "Action Units")),
            onset_column="Onset",
            offset_column="Offset",
            apex_column="Apex",
        )
    if rounded:
        importer.note(f"fractional apex rounded half up: {'; '.join(rounded)}")
    if no_apex:
        importer.note(f"apex -1 or blank (not marked) in {no_apex} row(s)")
    return importer.result()
