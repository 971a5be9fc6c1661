"""MEGC / STRS spotting ground truth (``megc.csv``).

Header ``subject,video,onset,offset,emotion,type``: the five columns of the MEGC ground-truth
CSV in their order, plus ``type`` (``macro``/``micro``), which MEGC's evaluation needs to score
macro- and micro-expressions separately; readers that know only the five columns can ignore it.
One row per consensus expression. Frames count from 1 (image file numbering), intervals are
inclusive ``[onset, offset]``. The reader accepts files without the ``type`` column.
"""

from __future__ import annotations

from collections.abc import Sequence

from curation.formats.common import (
    Files,
    Importer,
    cell,
    csv_bytes,
    locate_columns,
    one_file,
    read_csv,
    readme,
    sorted_consensus,
    text_cell,
)
from curation.formats.types import FormatError, ImportResult, ReleaseData, VideoRecord

FILE = "megc.csv"
HEADER = ("subject", "video", "onset", "offset", "emotion")


def write_megc(release: ReleaseData) -> dict[str, bytes]:
    rows = [
        (
            video.subject or "",
            video.name,
            label.onset + 1,
            label.offset + 1,
            label.emotion,
            label.type,
        )
        for video, _, label in sorted_consensus(release)
    ]
    notes = readme(
        "MEGC/STRS spotting ground truth (megc.csv)",
        release,
        [
            "Columns subject,video,onset,offset,emotion as MEGC's ground truth, plus type",
            "(macro/micro). Frames count from 1 (image file numbering); intervals inclusive.",
        ],
    )
    return {FILE: csv_bytes([*HEADER, "type"], rows), "README.txt": notes}


def read_megc(
    files: Files, videos: Sequence[VideoRecord], *, fps: float | None = None
) -> ImportResult:
    """Rows as 0-based labels; rows without onset or offset are skipped."""
    name, data = one_file(files, FILE, suffix=".csv")
    rows = read_csv(data, name)
    if not rows:
        raise FormatError("the file is empty", file=name)
    header_row, header = rows[0]
    columns = locate_columns(header, HEADER, ("type",), file=name, row=header_row)
    importer = Importer(videos, file=name, frame_base=1, fps=fps)
    if "type" not in columns:
        importer.note("no type column: labels imported with an empty type")
    for row, values in rows[1:]:
        video = importer.video(
            row,
            cell(values, columns, "video"),
            cell(values, columns, "subject"),
            name_column="video",
            subject_column="subject",
        )
        onset = importer.frame(cell(values, columns, "onset"), row, "onset")
        offset = importer.frame(cell(values, columns, "offset"), row, "offset")
        if onset is None or offset is None:
            importer.skip(row, f"no {'onset' if onset is None else 'offset'}")
            continue
        importer.add(
            row,
            video,
            onset=int(onset),
            offset=int(offset),
            apex=None,
            type=text_cell(cell(values, columns, "type")).lower(),
            emotion=text_cell(cell(values, columns, "emotion")).lower(),
            aus=(),
            onset_column="onset",
            offset_column="offset",
        )
    return importer.result()
