"""Writes of curation: agreement figures recomputed from the submitted passes of a video."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from annotation.models import Assignment, PassStatus, Segment
from core.errors import Conflict, SpotlabError
from core.label_schema import validate_schema
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


def _modes(passes: list[Pass]) -> dict[Any, str]:
    """Each submitted pass's mode (blind, or assisted by a model's proposals)."""
    return dict(
        Assignment.objects.filter(pk__in=[p.pass_id for p in passes]).values_list("pk", "mode")
    )


def _inputs_hash(video: Video, passes: list[Pass], modes: dict[Any, str]) -> str:
    payload = {
        "n_frames": video.n_frames,
        "fps": [video.fps_num, video.fps_den],
        "passes": to_jsonable(passes),
        "modes": sorted(modes.items()),
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
    modes = _modes(passes)
    digest = _inputs_hash(video, passes, modes)
    stored = VideoAgreement.objects.filter(video=video).first()
    if stored is not None and stored.inputs_sha256 == digest:
        return stored
    n_frames, fps_num, fps_den = video.n_frames or 0, video.fps_num or 0, video.fps_den or 1
    result = video_agreement(passes, n_frames, fps_num, fps_den)
    data: dict[str, Any] = to_jsonable(result)
    # Assisted passes start from the same proposals, which can pull them together: their
    # agreement is reported apart from the blind passes' (each over its own passes only).
    data["by_mode"] = {}
    for mode in sorted(set(modes.values())):
        subset = [p for p in passes if modes.get(p.pass_id) == mode]
        headline: dict[str, Any] = {"n_passes": len(subset), "frame_alpha": None,
                                    "mean_pairwise_f1": None}  # fmt: skip
        if len(subset) >= MIN_PASSES:
            part = result if len(subset) == len(passes) else video_agreement(
                subset, n_frames, fps_num, fps_den
            )  # fmt: skip
            headline["frame_alpha"] = part.frame_label_alpha.value
            headline["mean_pairwise_f1"] = _mean(
                [pair.counts.f1 for pair in part.pairwise_detection]
            )
        data["by_mode"][mode] = headline
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
    _, number = next_consensus_version(project)
    version = ConsensusVersion.objects.create(
        project=project,
        number=number,
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


def next_consensus_version(project: Project) -> tuple[ConsensusVersion | None, int]:
    Project.objects.select_for_update().filter(pk=project.pk).first()
    last = ConsensusVersion.objects.filter(project=project).order_by("-number").first()
    return last, (last.number + 1) if last else 1


@transaction.atomic
def consensus_adjudicate(
    *,
    video: Video,
    by: AbstractBaseUser,
    base_version: int,
    segments: list[dict[str, Any]],
    note: str = "",
) -> ConsensusVersion:
    """A curator's decision on one video's consensus, as a new version.

    ``base_version`` must be the project's latest version (409 otherwise: someone else
    adjudicated meanwhile). The new version carries every other video's segments unchanged
    and ``segments`` for this video; passes and earlier versions are never touched.
    """
    last, number = next_consensus_version(video.project)
    if last is None or last.number != base_version:
        current = last.number if last else "none"
        raise Conflict(
            f"The consensus is at version {current}, not {base_version}; reload and decide again.",
            code="stale_version",
        )
    n_frames = video.n_frames or 0
    types = {t["name"] for t in validate_schema(video.project.label_schema)["expression_types"]}
    errors: dict[str, str] = {}
    for index, segment in enumerate(segments):
        if not 0 <= segment["onset"] <= segment["offset"] < n_frames:
            errors[f"segments.{index}.offset"] = f"Need 0 <= onset <= offset <= {n_frames - 1}."
        if segment["type"] not in types:
            errors[f"segments.{index}.type"] = f"One of {', '.join(sorted(types))}."
    if errors:
        raise SpotlabError(next(iter(errors.values())), fields=errors)
    version = ConsensusVersion.objects.create(
        project=video.project,
        number=number,
        method=last.method,
        min_support=last.min_support,
        iou_threshold=last.iou_threshold,
        based_on=last,
        note=note or f"Adjudicated video {video.pk}",
        created_by_id=by.pk,
    )
    kept = [
        ConsensusSegment(
            version=version,
            **{
                field.name: getattr(row, field.name)
                for field in ConsensusSegment._meta.concrete_fields
                if field.name not in ("id", "version")
            },
        )
        for row in last.segments.exclude(video=video)
    ]
    decided = [
        ConsensusSegment(
            version=version,
            video=video,
            onset=segment["onset"],
            apex=segment.get("apex"),
            offset=segment["offset"],
            type=segment["type"],
            emotion=segment.get("emotion") or "",
            aus=sorted(segment.get("aus") or []),
            support=len(segment.get("member_segment_ids") or []),
            n_passes=Assignment.objects.filter(video=video, status=PassStatus.SUBMITTED).count(),
            needs_curator=False,
            reasons=[],
            member_segment_ids=list(segment.get("member_segment_ids") or []),
            adjudicated_by_id=by.pk,
        )
        for segment in segments
    ]
    ConsensusSegment.objects.bulk_create(kept + decided)
    return version
