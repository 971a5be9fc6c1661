"""SDFE-LV style sheet: consensus expressions with every pass beside them (``sdfe_lv.csv``).

One row per consensus expression: ``video, subject, expression, type, emotion, onset, apex,
offset, aus, support, n_passes``, then for each pass k = 1..N of the release
``pass{k}_annotator, pass{k}_onset, pass{k}_offset``. The pass columns hold the segment of pass
k that was matched into this consensus expression (``LabelRecord.members``); onset and offset
are empty where pass k has no member, the annotator is given whenever the video has a pass k.
``expression`` numbers the expressions of a video from 1 in onset order. Frames count from 1
(image file numbering, as SDFE-LV's frame folders do); intervals are inclusive; apex empty when
not marked; AUs joined with ``+``.

The reader imports the consensus columns as labels and the pass columns as their ``members``
(pass index k, converted to 0-based frames like the rest).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from curation.formats.common import (
    Files,
    Importer,
    au_text,
    cell,
    csv_bytes,
    locate_columns,
    one_file,
    parse_aus,
    parse_frame,
    read_csv,
    readme,
    sorted_consensus,
    text_cell,
)
from curation.formats.types import FormatError, ImportResult, ReleaseData, VideoRecord

FILE = "sdfe_lv.csv"
HEADER = (
    "video",
    "subject",
    "expression",
    "type",
    "emotion",
    "onset",
    "apex",
    "offset",
    "aus",
    "support",
    "n_passes",
)
_PASS_COLUMN = re.compile(r"^pass(\d+)_(annotator|onset|offset)$")


def write_sdfe_lv(release: ReleaseData) -> dict[str, bytes]:
    annotators = {(item.video, item.pass_index): item.annotator for item in release.passes}
    consensus = sorted_consensus(release)
    n_passes = max(
        [
            *(item.pass_index for item in release.passes),
            *(member[0] for _, _, label in consensus for member in label.members),
            0,
        ]
    )
    header = [*HEADER]
    for k in range(1, n_passes + 1):
        header += [f"pass{k}_annotator", f"pass{k}_onset", f"pass{k}_offset"]
    rows = []
    for video, number, label in consensus:
        members = {member[0]: member for member in label.members}
        row: list[object] = [
            video.name,
            video.subject or "",
            number,
            label.type,
            label.emotion,
            label.onset + 1,
            None if label.apex is None else label.apex + 1,
            label.offset + 1,
            au_text(label.aus),
            label.support,
            label.n_passes,
        ]
        for k in range(1, n_passes + 1):
            member = members.get(k)
            row += [
                annotators.get((video.id, k), ""),
                None if member is None else member[1] + 1,
                None if member is None else member[2] + 1,
            ]
        rows.append(row)
    notes = readme(
        "SDFE-LV style sheet: consensus expressions and every pass (sdfe_lv.csv)",
        release,
        [
            "One row per consensus expression; expression numbers a video's expressions from 1.",
            "Frames count from 1 (image file numbering); intervals are inclusive [onset, offset].",
            "support = passes that marked the expression, of n_passes. For each pass k:",
            "pass{k}_annotator, and pass{k}_onset/offset of its matched segment (empty if none).",
        ],
    )
    return {FILE: csv_bytes(header, rows), "README.txt": notes}


def read_sdfe_lv(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Consensus rows as labels with ``support``, ``n_passes`` and ``members`` (0-based)."""
    name, data = one_file(files, FILE, suffix=".csv")
    rows = read_csv(data, name)
    if not rows:
        raise FormatError("the file is empty", file=name)
    header_row, header = rows[0]
    columns = locate_columns(
        header,
        ("video", "subject", "expression", "type", "emotion", "onset"),
        ("apex", "offset", "aus", "support", "n_passes"),
        file=name,
        row=header_row,
    )
    if "offset" not in columns:
        raise FormatError("expected a column 'offset'", file=name, row=header_row, column="offset")
    passes: dict[int, dict[str, int]] = {}
    for index, value in enumerate(header):
        match = _PASS_COLUMN.match(value.strip().lower())
        if match:
            passes.setdefault(int(match.group(1)), {})[match.group(2)] = index
    for k, found in sorted(passes.items()):
        for part in ("onset", "offset"):
            if part not in found:
                raise FormatError(
                    f"pass {k} has no {part} column",
                    file=name,
                    row=header_row,
                    column=f"pass{k}_{part}",
                )
    importer = Importer(videos, file=name, frame_base=1, fps=fps)
    for row, values in rows[1:]:
        video = importer.video(
            row,
            cell(values, columns, "video"),
            cell(values, columns, "subject"),
            name_column="video",
            subject_column="subject",
        )
        onset = importer.frame(cell(values, columns, "onset"), row, "onset")
        apex = importer.frame(cell(values, columns, "apex"), row, "apex")
        offset = importer.frame(cell(values, columns, "offset"), row, "offset")
        counts = {
            column: parse_frame(
                cell(values, columns, column), file=name, row=row, column=column, what="count"
            )
            for column in ("support", "n_passes")
        }
        members = []
        for k, found in sorted(passes.items()):
            pass_onset = importer.frame(_at(values, found["onset"]), row, f"pass{k}_onset")
            pass_offset = importer.frame(_at(values, found["offset"]), row, f"pass{k}_offset")
            if pass_onset is None and pass_offset is None:
                continue
            if pass_onset is None or pass_offset is None:
                missing = "onset" if pass_onset is None else "offset"
                raise FormatError(
                    f"pass {k}: no {missing} where the other boundary is given",
                    file=name,
                    row=row,
                    column=f"pass{k}_{missing}",
                )
            if pass_onset < 1 or pass_offset < pass_onset:
                raise FormatError(
                    f"pass {k}: offset {pass_offset} is before onset {pass_onset}"
                    if pass_onset >= 1
                    else f"pass {k}: onset {pass_onset} is before the first frame (from 1)",
                    file=name,
                    row=row,
                    column=f"pass{k}_offset" if pass_onset >= 1 else f"pass{k}_onset",
                )
            members.append((k, int(pass_onset), int(pass_offset)))
        if onset is None or offset is None:
            importer.skip(row, f"no consensus {'onset' if onset is None else 'offset'}")
            continue
        aus, unknown = parse_aus(cell(values, columns, "aus"))
        if unknown:
            importer.note(f"row {row}: action units not understood, left out: {', '.join(unknown)}")
        support, n_passes = counts["support"], counts["n_passes"]
        importer.add(
            row,
            video,
            onset=int(onset),
            offset=int(offset),
            apex=None if apex is None else int(apex),
            type=text_cell(cell(values, columns, "type")).lower(),
            emotion=text_cell(cell(values, columns, "emotion")).lower(),
            aus=aus,
            onset_column="onset",
            offset_column="offset",
            apex_column="apex",
            support=None if support is None else int(support),
            n_passes=None if n_passes is None else int(n_passes),
            members=tuple(members),
        )
    return importer.result()


def _at(values: Sequence[str], index: int) -> str | None:
    return values[index] if index < len(values) else None
