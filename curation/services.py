"""Writes of curation: agreement figures recomputed from the submitted passes of a video."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotation.models import Assignment, PassStatus, Segment
from core.models import Project
from curation.agreement import video_agreement
from curation.consensus import fuse
from curation.models import ConsensusMethod, ConsensusSegment, ConsensusVersion, VideoAgreement
from curation.serialize import to_jsonable
from curation.types import Pass
from curation.types import Segment as PureSegment
from videos.models import Video, VideoStatus

#: Agreement needs at least two passes to compare.
MIN_PASSES = 2


def submitted_passes(video: Video) -> list[Pass]:
    """The video's submitted passes as the pure modules' dataclasses, in pass order."""
    passes = (
        Assignment.objects.filter(video=video, status=PassStatus.SUBMITTED)
        .select_related("annotator")
        .order_by("pass_index")
    )
    segments: dict[int, list[PureSegment]] = {}
    for row in Segment.objects.filter(assignment__in=passes).order_by("onset", "offset", "id"):
        segments.setdefault(row.assignment_id, []).append(
            PureSegment(
                onset=row.onset,
                offset=row.offset,
                apex=row.apex,
                type=row.type,
                emotion=row.emotion or None,
                aus=frozenset(row.aus),
                segment_id=row.pk,
            )
        )
    return [
        Pass(
            pass_id=assignment.pk,
            annotator=assignment.annotator.username,
            segments=tuple(segments.get(assignment.pk, ())),
        )
        for assignment in passes
    ]


def _inputs_hash(video: Video, passes: list[Pass]) -> str:
    payload = {
        "n_frames": video.n_frames,
        "fps": [video.fps_num, video.fps_den],
        "passes": to_jsonable(passes),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _mean(values: list[float | None]) -> float | None:
    defined = [value for value in values if value is not None]
    return sum(defined) / len(defined) if defined else None


def video_agreement_refresh(*, video_id: int) -> VideoAgreement | None:
    """Recompute the video's agreement from its submitted passes; idempotent, and skipped when
    the passes are unchanged since the last computation. None while fewer than two passes are
    submitted (there is nothing to agree on yet)."""
    video = Video.objects.get(pk=video_id)
    passes = submitted_passes(video)
    if len(passes) < MIN_PASSES:
        VideoAgreement.objects.filter(video=video).delete()
        return None
    digest = _inputs_hash(video, passes)
    stored = VideoAgreement.objects.filter(video=video).first()
    if stored is not None and stored.inputs_sha256 == digest:
        return stored
    n_frames, fps_num, fps_den = video.n_frames or 0, video.fps_num or 0, video.fps_den or 1
    result = video_agreement(passes, n_frames, fps_num, fps_den)
    data: dict[str, Any] = to_jsonable(result)
    with transaction.atomic():
        agreement, _ = VideoAgreement.objects.update_or_create(
            video=video,
            defaults={
                "inputs_sha256": digest,
                "n_passes": len(passes),
                "frame_alpha": result.frame_label_alpha.value,
                "mean_pairwise_f1": _mean([pair.counts.f1 for pair in result.pairwise_detection]),
                "data": data,
            },
        )
    return agreement


@transaction.atomic
def consensus_build(
    *,
    project: Project,
    by: AbstractBaseUser,
    method: str = ConsensusMethod.MEDIAN,
    min_support: int | None = None,
) -> ConsensusVersion:
    """A new consensus version over every video with at least two submitted passes.

    Clusters supported by ``min_support`` passes (default: a majority) become consensus
    segments; boundaries by ``method``; type, emotion and AUs by vote, ties flagged for a
    curator. Earlier versions stay as they were.
    """
    # Version numbers are decided under the project's row lock.
    Project.objects.select_for_update().filter(pk=project.pk).first()
    last = ConsensusVersion.objects.filter(project=project).order_by("-number").first()
    version = ConsensusVersion.objects.create(
        project=project,
        number=(last.number + 1) if last else 1,
        method=method,
        min_support=min_support,
        created_by_id=by.pk,
    )
    rows: list[ConsensusSegment] = []
    for video in Video.objects.filter(project=project, status=VideoStatus.READY).order_by("id"):
        passes = submitted_passes(video)
        if len(passes) < MIN_PASSES:
            continue
        if min_support is not None and min_support > len(passes):
            continue
        for fused in fuse(passes, min_support=min_support, method=method):  # type: ignore[arg-type]
            rows.append(
                ConsensusSegment(
                    version=version,
                    video=video,
                    onset=fused.onset,
                    apex=fused.apex,
                    offset=fused.offset,
                    type=fused.type or "",
                    emotion=fused.emotion or "",
                    aus=sorted(fused.aus),
                    support=fused.support,
                    n_passes=fused.n_passes,
                    needs_curator=fused.needs_curator,
                    reasons=list(fused.reasons),
                    member_segment_ids=[member.segment.segment_id for member in fused.members],
                    spread={
                        "onset_std": fused.onset_std,
                        "offset_std": fused.offset_std,
                        "onset_range": fused.onset_range,
                        "offset_range": fused.offset_range,
                    },
                )
            )
    ConsensusSegment.objects.bulk_create(rows)
    return version
