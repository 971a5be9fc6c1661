"""Reads of curation: the project's agreement, per video and per annotator."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from django.db.models import Avg, Count, Q

from annotation.models import Assignment, PassStatus
from core.errors import NotFound
from core.models import Project
from curation.models import VideoAgreement
from videos.models import Video


def _f1(tp: int, fp: int, fn: int) -> float | None:
    denominator = 2 * tp + fp + fn
    return 2 * tp / denominator if denominator else None


def annotator_summary(*, project: Project) -> list[dict[str, Any]]:
    """Per annotator, pooled over the project's videos: detection counts and F1 against the
    other passes (pairwise) and against the leave-one-out consensus, the mean of the
    frame-label alpha computed without them, their signed boundary bias in frames (median:
    negative marks early), and their passes and time per submitted pass."""
    pooled: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "pairwise": [0, 0, 0],
            "leave_one_out": [0, 0, 0],
            "alpha_without": [],
            "onset_bias": [],
            "offset_bias": [],
        }
    )
    for data in VideoAgreement.objects.filter(video__project=project).values_list(
        "data", flat=True
    ):
        for row in data.get("annotators", []):
            entry = pooled[row["annotator"]]
            for key, counts in (
                ("pairwise", row["pooled_pairwise"]),
                ("leave_one_out", row["against_leave_one_out"]),
            ):
                entry[key] = [
                    a + b
                    for a, b in zip(
                        entry[key], (counts["tp"], counts["fp"], counts["fn"]), strict=True
                    )
                ]
            if row["frame_alpha_without"]["value"] is not None:
                entry["alpha_without"].append(row["frame_alpha_without"]["value"])
        for deviation in data.get("boundaries", {}).get("deviations", []):
            entry = pooled[deviation["annotator"]]
            entry["onset_bias"].append(deviation["onset_frames"])
            entry["offset_bias"].append(deviation["offset_frames"])
    effort = {
        row["annotator__username"]: row
        for row in Assignment.objects.filter(video__project=project)
        .values("annotator__username")
        .annotate(
            passes=Count("id"),
            submitted=Count("id", filter=Q(status=PassStatus.SUBMITTED)),
            mean_time_s=Avg("time_spent_s", filter=Q(status=PassStatus.SUBMITTED)),
        )
    }
    names = sorted(set(pooled) | set(effort))
    summary = []
    for name in names:
        entry = pooled[name]
        work = effort.get(name, {})
        summary.append(
            {
                "annotator": name,
                "passes": work.get("passes", 0),
                "submitted": work.get("submitted", 0),
                "mean_time_per_pass_s": work.get("mean_time_s"),
                "pairwise_f1": _f1(*entry["pairwise"]),
                "leave_one_out_f1": _f1(*entry["leave_one_out"]),
                "mean_frame_alpha_without": (
                    sum(entry["alpha_without"]) / len(entry["alpha_without"])
                    if entry["alpha_without"]
                    else None
                ),
                "median_onset_bias_frames": median(entry["onset_bias"])
                if entry["onset_bias"]
                else None,
                "median_offset_bias_frames": median(entry["offset_bias"])
                if entry["offset_bias"]
                else None,
            }
        )
    return summary


#: Krippendorff's tentative floor: data below alpha 0.667 should not be relied on.
DEFAULT_AGREEMENT_FLOOR = 0.667
#: Boundary deviations beyond this many frames are counted in the outermost bins.
HISTOGRAM_CLIP = 15


def _progress(project: Project) -> dict[str, Any]:
    rows = (
        Assignment.objects.filter(video__project=project)
        .values("pass_index")
        .annotate(total=Count("id"), submitted=Count("id", filter=Q(status=PassStatus.SUBMITTED)))
        .order_by("pass_index")
    )
    by_pass = [
        {"pass_index": row["pass_index"], "total": row["total"], "submitted": row["submitted"]}
        for row in rows
    ]
    return {
        "videos": project.videos.count(),
        "total": sum(row["total"] for row in by_pass),
        "submitted": sum(row["submitted"] for row in by_pass),
        "by_pass": by_pass,
    }


def _histogram(deviations: list[tuple[int, int]]) -> dict[str, Any]:
    """Counts of signed onset and offset deviations per frame, clipped to ``±HISTOGRAM_CLIP``."""
    onset = [0] * (2 * HISTOGRAM_CLIP + 1)
    offset = [0] * (2 * HISTOGRAM_CLIP + 1)
    for onset_frames, offset_frames in deviations:
        onset[max(-HISTOGRAM_CLIP, min(HISTOGRAM_CLIP, onset_frames)) + HISTOGRAM_CLIP] += 1
        offset[max(-HISTOGRAM_CLIP, min(HISTOGRAM_CLIP, offset_frames)) + HISTOGRAM_CLIP] += 1
    return {
        "clip": HISTOGRAM_CLIP,
        "bins": [
            {"deviation": index - HISTOGRAM_CLIP, "onset": onset[index], "offset": offset[index]}
            for index in range(2 * HISTOGRAM_CLIP + 1)
        ],
    }


def project_agreement(
    *, project: Project, floor: float = DEFAULT_AGREEMENT_FLOOR
) -> dict[str, Any]:
    """The curators' dashboard: per video headline figures (lowest frame-label alpha first,
    undefined last), the queue of videos below ``floor``, per-annotator figures pooled over the
    project, progress per pass and the distribution of boundary deviations."""
    rows = list(
        VideoAgreement.objects.filter(video__project=project)
        .select_related("video")
        .only("video__original_name", "n_passes", "frame_alpha", "mean_pairwise_f1", "data")
    )
    rows.sort(key=lambda row: (row.frame_alpha is None, row.frame_alpha or 0.0, row.video_id))
    videos = [
        {
            "video": row.video_id,
            "name": row.video.original_name,
            "n_passes": row.n_passes,
            "frame_alpha": row.frame_alpha,
            "mean_pairwise_f1": row.mean_pairwise_f1,
            "below_floor": row.frame_alpha is not None and row.frame_alpha < floor,
        }
        for row in rows
    ]
    deviations = [
        (deviation["onset_frames"], deviation["offset_frames"])
        for row in rows
        for deviation in row.data.get("boundaries", {}).get("deviations", [])
    ]
    alphas = [row.frame_alpha for row in rows if row.frame_alpha is not None]
    f1s = [row.mean_pairwise_f1 for row in rows if row.mean_pairwise_f1 is not None]
    by_mode: dict[str, dict[str, Any]] = {}
    for row in rows:
        for mode, figures in row.data.get("by_mode", {}).items():
            pooled = by_mode.setdefault(mode, {"videos": 0, "compared": 0, "alphas": [], "f1s": []})
            pooled["videos"] += 1
            pooled["compared"] += figures["n_passes"] >= 2
            if figures["frame_alpha"] is not None:
                pooled["alphas"].append(figures["frame_alpha"])
            if figures["mean_pairwise_f1"] is not None:
                pooled["f1s"].append(figures["mean_pairwise_f1"])
    return {
        "videos": videos,
        "annotators": annotator_summary(project=project),
        "mean_frame_alpha": _average(alphas),
        "mean_pairwise_f1": _average(f1s),
        "floor": floor,
        "below_floor": [video["video"] for video in videos if video["below_floor"]],
        "progress": _progress(project),
        "boundary_histogram": _histogram(deviations),
        # Blind and assisted passes apart: means over the videos with two passes of the mode.
        "by_mode": {
            mode: {
                "videos": pooled["videos"],
                "videos_with_two_passes": pooled["compared"],
                "mean_frame_alpha": _average(pooled["alphas"]),
                "mean_pairwise_f1": _average(pooled["f1s"]),
            }
            for mode, pooled in sorted(by_mode.items())
        },
    }


def _average(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _slope_per_10(values: list[float]) -> float | None:
    """Least-squares slope of ``values`` against their order, per 10 passes (4 points or more)."""
    if len(values) < 4:
        return None
    n = len(values)
    mean_x = (n - 1) / 2
    mean_y = sum(values) / n
    sxx = sum((x - mean_x) ** 2 for x in range(n))
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in enumerate(values))
    return 10 * sxy / sxx


def _halves_mean(values: list[float]) -> tuple[float | None, float | None]:
    if len(values) < 2:
        return None, None
    half = len(values) // 2
    first, second = values[:half], values[half:]
    return sum(first) / len(first), sum(second) / len(second)


def annotator_timeline(*, project: Project, username: str) -> dict[str, Any]:
    """One annotator's figures per submitted pass, in submission order, and their drift: the
    least-squares slope (per 10 passes) of leave-one-out F1 and of the median onset/offset bias,
    and the mean F1 over the first and second half of their passes. Raises NotFound for someone
    with no pass in the project."""
    passes = list(
        Assignment.objects.filter(
            video__project=project, annotator__username=username, status=PassStatus.SUBMITTED
        )
        .select_related("video")
        .order_by("submitted_at", "pk")
    )
    if not passes and not project.memberships.filter(user__username=username).exists():
        raise NotFound(f"No annotator '{username}' in this project.")
    stored = {
        row.video_id: row.data
        for row in VideoAgreement.objects.filter(video_id__in=[p.video_id for p in passes])
    }
    timeline: list[dict[str, Any]] = []
    for assignment in passes:
        data = stored.get(assignment.video_id, {})
        mine = next(
            (row for row in data.get("annotators", []) if row["pass_id"] == assignment.pk), None
        )
        deviations = [
            d
            for d in data.get("boundaries", {}).get("deviations", [])
            if d["pass_id"] == assignment.pk
        ]
        timeline.append(
            {
                "assignment": assignment.pk,
                "video": assignment.video_id,
                "name": assignment.video.original_name,
                "pass_index": assignment.pass_index,
                "submitted_at": assignment.submitted_at,
                "time_spent_s": assignment.time_spent_s,
                "leave_one_out_f1": mine["against_leave_one_out"]["f1"] if mine else None,
                "frame_alpha_without": mine["frame_alpha_without"]["value"] if mine else None,
                "onset_bias_frames": median(d["onset_frames"] for d in deviations)
                if deviations
                else None,
                "offset_bias_frames": median(d["offset_frames"] for d in deviations)
                if deviations
                else None,
            }
        )
    f1 = [row["leave_one_out_f1"] for row in timeline if row["leave_one_out_f1"] is not None]
    onset = [row["onset_bias_frames"] for row in timeline if row["onset_bias_frames"] is not None]
    offset = [
        row["offset_bias_frames"] for row in timeline if row["offset_bias_frames"] is not None
    ]
    first_half, second_half = _halves_mean(f1)
    summary = next(
        (row for row in annotator_summary(project=project) if row["annotator"] == username),
        None,
    )
    return {
        "annotator": username,
        "summary": summary,
        "passes": timeline,
        "drift": {
            "n": len(timeline),
            "f1_slope_per_10_passes": _slope_per_10(f1),
            "onset_bias_slope_per_10_passes": _slope_per_10(onset),
            "offset_bias_slope_per_10_passes": _slope_per_10(offset),
            "first_half_f1": first_half,
            "second_half_f1": second_half,
        },
    }


def video_passes(*, video: Video) -> list[dict[str, Any]]:
    """Every pass of the video with its segments (curators only: the caller checks)."""
    passes = (
        Assignment.objects.filter(video=video)
        .select_related("annotator")
        .prefetch_related("segments")
        .order_by("pass_index")
    )
    return [
        {
            "assignment": assignment.pk,
            "pass_index": assignment.pass_index,
            "annotator": assignment.annotator.username,
            "status": assignment.status,
            "mode": assignment.mode,
            "submitted_at": assignment.submitted_at,
            "segments": [
                {
                    "id": segment.pk,
                    "onset": segment.onset,
                    "apex": segment.apex,
                    "offset": segment.offset,
                    "type": segment.type,
                    "emotion": segment.emotion,
                    "aus": segment.aus,
                }
                for segment in sorted(assignment.segments.all(), key=lambda s: (s.onset, s.pk))
            ],
        }
        for assignment in passes
    ]
