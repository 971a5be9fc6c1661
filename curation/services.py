"""Writes of curation: agreement figures recomputed from the submitted passes of a video."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import transaction

from annotation.models import Assignment, PassStatus, Segment
from curation.agreement import video_agreement
from curation.models import VideoAgreement
from curation.serialize import to_jsonable
from curation.types import Pass
from curation.types import Segment as PureSegment
from videos.models import Video

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
