"""Clip-classification votes (the DFEW protocol): the statistics curators read, a clip's
votes on its video page, and the clips and passes a clip-classification release freezes."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from annotation.models import PassStatus, Vote
from core.errors import SpotlabError
from core.label_schema import validate_schema
from core.models import CURATING_ROLES, Project, TaskKind
from curation.clipvotes import UNUSABLE, VoteTable, clip_statistics, single_labels, vote_counts
from curation.formats import CLIP_TYPE, ClipRecord, LabelRecord, PassRecord
from curation.services.records import NO_SUBJECT, video_name
from videos.models import Video, VideoStatus


def require_clip_project(project: Project) -> None:
    if project.task_kind != TaskKind.CLIP_CLASSIFICATION:
        raise SpotlabError(
            f"Project '{project.slug}' is a {project.task_kind} project; this needs a "
            "clip-classification project.",
            code="wrong_task_kind",
        )


def classes_of(project: Project) -> list[str]:
    """The project's classes in schema order (the voting keys 1..n)."""
    return [item["name"] for item in validate_schema(project.label_schema).get("emotions", [])]


def submitted_votes(clips: list[Video]) -> QuerySet[Vote]:
    """The votes of the clips' submitted passes: votes of open passes are drafts and do not
    count."""
    return Vote.objects.filter(assignment__video__in=clips, assignment__status=PassStatus.SUBMITTED)


def vote_table(project: Project, *, videos: list[Video] | None = None) -> VoteTable:
    """The submitted votes of the project's ready clips (or of ``videos``), one row per
    annotator."""
    clips = videos or list(Video.objects.filter(project=project, status=VideoStatus.READY))
    votes = submitted_votes(clips).values_list(
        "assignment__video_id", "assignment__annotator__username", "label"
    )
    return VoteTable.from_votes(votes, classes_of(project), clips=[clip.pk for clip in clips])


def project_clip_statistics(project: Project) -> dict[str, Any]:
    """Distributions, single labels, ambiguous clips, alpha, kappa and the per-annotator
    reports of a clip project (see ``curation.clipvotes``)."""
    require_clip_project(project)
    clips = list(
        Video.objects.filter(project=project, status=VideoStatus.READY)
        .select_related("subject")
        .order_by("pk")
    )
    return clip_statistics(
        vote_table(project, videos=clips),
        threshold=project.single_label_threshold,
        expected=project.passes_per_item,
        names={clip.pk: video_name(clip) for clip in clips},
        subjects={clip.pk: clip.subject.code if clip.subject else None for clip in clips},
    )


def clip_vote_summary(video: Video) -> dict[str, Any]:
    """``votes`` (per class), ``unusable``, ``single_label`` and, for a single-labelled clip,
    its ``label``."""
    project = video.project
    table = vote_table(project, videos=[video])
    counts = vote_counts(table)
    label = int(single_labels(counts, project.single_label_threshold)[0])
    summary: dict[str, Any] = {
        "votes": {name: int(counts[0, j]) for j, name in enumerate(table.classes)},
        "unusable": int((table.codes == UNUSABLE).sum()),
        "single_label": label >= 0,
    }
    if label >= 0:
        summary["label"] = table.classes[label]
    return summary


def video_detail_extras(video: Video, role: str) -> dict[str, Any]:
    """What ``GET /videos/{id}/`` adds for curators of a clip project: the clip's votes.
    Annotators get nothing: a vote distribution would break the blindness of their passes."""
    if role not in CURATING_ROLES or video.project.task_kind != TaskKind.CLIP_CLASSIFICATION:
        return {}
    return clip_vote_summary(video)


# -- releases of clip projects --------------------------------------------------------------


def clip_release_parts(
    project: Project, videos: list[Video]
) -> tuple[tuple[ClipRecord, ...], tuple[PassRecord, ...]]:
    """Each ready clip with its vote distribution and single label, and each submitted pass
    with its vote as one whole-clip label (``type`` ``clip``, the vote as ``emotion``); the
    votes are read once for both."""
    votes = list(
        submitted_votes(videos)
        .select_related("assignment", "assignment__annotator")
        .order_by("assignment__video_id", "assignment__pass_index")
    )
    table = VoteTable.from_votes(
        ((v.assignment.video_id, v.assignment.annotator.username, v.label) for v in votes),
        classes_of(project),
        clips=[video.pk for video in videos],
    )
    counts = vote_counts(table)
    labels = single_labels(counts, project.single_label_threshold)
    column = {clip: index for index, clip in enumerate(table.clips)}
    clips = []
    for video in videos:
        row = column[video.pk]
        pairs = zip(table.classes, counts[row], strict=True)
        clips.append(
            ClipRecord(
                name=video_name(video),
                subject=video.subject.code if video.subject else NO_SUBJECT.format(id=video.pk),
                video=video.pk,
                onset=None,
                offset=None,
                votes={name: int(n) for name, n in pairs if n},
                label=table.classes[labels[row]] if labels[row] >= 0 else None,
            )
        )
    n_frames = {video.pk: video.n_frames or 1 for video in videos}
    passes = tuple(
        PassRecord(
            video=vote.assignment.video_id,
            pass_index=vote.assignment.pass_index,
            annotator=vote.assignment.annotator.username,
            segments=(
                LabelRecord(
                    video=vote.assignment.video_id,
                    onset=0,
                    offset=n_frames[vote.assignment.video_id] - 1,
                    apex=None,
                    type=CLIP_TYPE,
                    emotion=vote.label,
                    aus=(),
                    pass_index=vote.assignment.pass_index,
                    annotator=vote.assignment.annotator.username,
                ),
            ),
        )
        for vote in votes
    )
    return tuple(clips), passes
