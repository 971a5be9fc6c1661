"""Clips cut from a spotting release into a clip-classification project, each carrying its
subject and source video (``ClipOrigin``)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from core.errors import NotFound, SpotlabError
from core.models import CURATING_ROLES, Membership, Project, TaskKind
from curation.models import ClipOrigin, Release
from curation.services.records import NO_SUBJECT
from curation.services.releases import release_load
from curation.services.votes import require_clip_project
from videos.frames import stored_probe
from videos.media.clips import cut_clip
from videos.models import Video
from videos.services import video_import_file
from videos.storage import local_path

Progress = Callable[[float, str], None]


def clips_source_check(*, project: Project, release: Release, user: Any) -> None:
    """``project`` must be a clip project and ``release`` one of a spotting project the caller
    owns or curates (404 otherwise: another project's release is not theirs to see)."""
    require_clip_project(project)
    if not Membership.objects.filter(
        project_id=release.project_id, user_id=user.pk, role__in=CURATING_ROLES
    ).exists():
        raise NotFound("No such release.")
    if release.project.task_kind != TaskKind.SPOTTING:
        raise SpotlabError(
            "Clips are cut from the consensus intervals of a spotting release.",
            code="not_spotting_release",
        )


def clips_from_release(
    *, project_id: int, release_id: int, pad: int, by_id: int | None, progress: Progress
) -> dict[str, Any]:
    """Cut every consensus interval of the release (with ``pad`` frames either side, clamped)
    into a clip of the clip project, carrying its subject and source video; each clip is then
    ingested like an upload. Idempotent: an interval already cut (same release, video, frames
    and padding) is skipped, so a redelivered job adds nothing twice."""
    project = Project.objects.get(pk=project_id)
    require_clip_project(project)
    release = Release.objects.select_related("project").get(pk=release_id)
    data = release_load(release)
    records = {record.id: record for record in data.videos}
    sources = {v.pk: v for v in Video.objects.filter(pk__in=list(records))}
    by = get_user_model().objects.filter(pk=by_id).first() if by_id else None
    done = set(
        ClipOrigin.objects.filter(project=project, release=release, pad=pad).values_list(
            "source_video_id", "onset", "offset"
        )
    )
    created = skipped = 0
    total = max(len(data.consensus), 1)
    with tempfile.TemporaryDirectory(prefix="spotlab-clip-project-") as scratch:
        for number, label in enumerate(data.consensus):
            progress(number / total, f"Cutting clip {number + 1} of {total}")
            if (label.video, label.onset, label.offset) in done:
                skipped += 1
                continue
            source = sources.get(label.video)
            if source is None or not source.file:
                raise SpotlabError(
                    f"The source of video {label.video} is gone; its clips cannot be cut.",
                    code="source_missing",
                )
            record = records[label.video]
            name = f"{record.name}_{label.onset:06d}_{label.offset:06d}"
            target = Path(scratch) / f"{name}.mp4"
            cut = cut_clip(
                local_path(source.file.name), label.onset, label.offset, target,
                fps_num=source.fps_num or 1, fps_den=source.fps_den or 1, pad=pad,
                n_frames=source.n_frames, probe_result=stored_probe(source),
            )  # fmt: skip
            with transaction.atomic():
                received = video_import_file(
                    project=project,
                    path=target,
                    by=by,
                    subject_code=record.subject or NO_SUBJECT.format(id=record.id),
                    source=source.source,
                )
                if ClipOrigin.objects.filter(clip=received.video).exists():
                    skipped += 1  # the same frames were cut before, from another release
                    continue
                ClipOrigin.objects.create(
                    clip=received.video,
                    project=project,
                    release=release,
                    source_video=source,
                    onset=label.onset,
                    offset=label.offset,
                    pad=pad,
                    first_frame=cut.first_frame,
                    last_frame=cut.last_frame,
                    type=label.type,
                    emotion=label.emotion,
                )
            created += 1
    progress(1.0, f"{created} clips cut, {skipped} already there")
    return {
        "project": project.slug,
        "release": release.pk,
        "created": created,
        "skipped": skipped,
        "clips": ClipOrigin.objects.filter(project=project, release=release).count(),
    }
