"""Reads of curation: the project's agreement, per video and per annotator."""

from __future__ import annotations

from collections import defaultdict
from statistics import median
from typing import Any

from django.db.models import Avg, Count, Q

from annotation.models import Assignment, PassStatus
from core.models import Project
from curation.models import VideoAgreement


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
