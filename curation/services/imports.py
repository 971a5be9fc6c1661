"""Label imports: an existing dataset's sheet becomes a consensus version of the project, so
that it can be re-curated, released and exported like labels made here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotation.models import Assignment, PassStatus
from annotation.models import Segment as PassSegment
from core.errors import SpotlabError
from core.models import Membership, Project
from curation.formats import FormatError, ImportResult, LabelRecord, read_labels
from curation.formats.registry import FORMAT_NAMES
from curation.models import ConsensusMethod, ConsensusSegment, ConsensusVersion
from curation.services.agreement import next_consensus_version
from curation.services.records import video_record
from videos.models import Video, VideoStatus

Files = dict[str, bytes]


def _read(format_name: str, files: Files, project: Project, fps: float | None) -> ImportResult:
    if format_name not in FORMAT_NAMES:
        raise SpotlabError(
            f"Unknown format '{format_name}'; one of {', '.join(FORMAT_NAMES)}.",
            code="unknown_format",
            fields={"format": "Unknown format."},
        )
    videos = [
        video_record(video)
        for video in Video.objects.filter(project=project, status=VideoStatus.READY)
        .select_related("subject")
        .order_by("pk")
    ]
    try:
        return read_labels(format_name, files, videos, fps=fps)
    except FormatError as error:
        where = {
            key: str(value)
            for key, value in (("file", error.file), ("row", error.row), ("column", error.column))
            if value is not None
        }
        raise SpotlabError(
            f"Nothing was imported. {error}", code="malformed_import", fields=where
        ) from error


def _import_passes(
    project: Project, labels: list[LabelRecord], notes: list[str]
) -> dict[tuple[int, int, int, int], int]:
    """Create the submitted passes of members named in the file; returns the new segments' ids
    by ``(video, pass_index, onset, offset)`` so that consensus members can point at them."""
    members = {
        m.user.username: m.user
        for m in Membership.objects.filter(project=project).select_related("user")
    }
    by_pass: dict[tuple[int, int, str], list[LabelRecord]] = {}
    for label in labels:
        assert label.pass_index is not None
        by_pass.setdefault((label.video, label.pass_index, label.annotator or ""), []).append(label)
    ids: dict[tuple[int, int, int, int], int] = {}
    for (video, index, annotator), segments in sorted(by_pass.items()):
        user = members.get(annotator)
        if user is None:
            notes.append(
                f"pass {index} of video {video} by '{annotator}' not imported: "
                "no such member of the project"
            )
            continue
        if Assignment.objects.filter(video_id=video, pass_index=index).exists() or (
            Assignment.objects.filter(video_id=video, annotator=user).exists()
        ):
            notes.append(f"pass {index} of video {video} not imported: the video already has it")
            continue
        assignment = Assignment.objects.create(
            video_id=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
        )
        for number, label in enumerate(segments):
            row = PassSegment.objects.create(
                assignment=assignment, client_id=f"import-{number}", onset=label.onset,
                apex=label.apex, offset=label.offset, type=label.type, emotion=label.emotion,
                aus=list(label.aus),
            )  # fmt: skip
            ids[(video, index, label.onset, label.offset)] = row.pk
    return ids


def _consensus_row(
    version: ConsensusVersion, label: LabelRecord, segment_ids: dict[tuple[int, int, int, int], int]
) -> ConsensusSegment:
    members = ((label.video, index, onset, offset) for index, onset, offset in label.members)
    return ConsensusSegment(
        version=version,
        video_id=label.video,
        onset=label.onset,
        apex=label.apex,
        offset=label.offset,
        type=label.type,
        emotion=label.emotion,
        aus=list(label.aus),
        support=label.support or 0,
        n_passes=label.n_passes or 0,
        member_segment_ids=[segment_ids[key] for key in members if key in segment_ids],
    )


@transaction.atomic
def labels_import(
    *,
    project: Project,
    by: AbstractBaseUser,
    format_name: str,
    files: Files,
    fps: float | None = None,
    source: str = "",
) -> dict[str, Any]:
    """Import a label file: its ground-truth rows become a new consensus version (noted with
    the format and source), its per-pass rows submitted passes of the members they name. A
    malformed file raises ``SpotlabError`` naming file, row and column, and imports nothing;
    rows that are legitimately unusable are skipped and reported with their reason."""
    result = _read(format_name, files, project, fps)
    notes = list(result.notes)
    consensus = [label for label in result.labels if label.pass_index is None]
    pass_labels = [label for label in result.labels if label.pass_index is not None]
    if not consensus and not pass_labels:
        raise SpotlabError(
            "Nothing was imported: the file holds no usable label"
            + (f" ({len(result.skipped)} rows skipped)." if result.skipped else "."),
            code="empty_import",
        )
    segment_ids = _import_passes(project, pass_labels, notes)
    version = None
    if consensus:
        _, number = next_consensus_version(project)
        version = ConsensusVersion.objects.create(
            project=project,
            number=number,
            method=ConsensusMethod.MEDIAN,
            note=f"imported from {format_name}" + (f": {source}" if source else ""),
            created_by_id=by.pk,
        )
        ConsensusSegment.objects.bulk_create(
            [_consensus_row(version, label, segment_ids) for label in consensus]
        )
    return {
        "format": format_name,
        "version": version.number if version is not None else None,
        "segments": len(consensus),
        "passes": len({(label.video, label.pass_index) for label in pass_labels}),
        "pass_segments": len(segment_ids),
        "videos": len({label.video for label in result.labels}),
        "skipped": [
            {"file": row.file, "row": row.row, "reason": row.reason} for row in result.skipped
        ],
        "notes": notes,
        "fps_converted": result.fps_converted,
    }
