"""Celery entry points of curation."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from core.jobs import JobReporter, job_task
from curation import services
from curation.models import ReleaseExport


@shared_task(name="curation.tasks.video_agreement_refresh", acks_late=True, ignore_result=True)
def video_agreement_refresh(video_id: int) -> None:
    """Recompute a video's agreement after one of its passes was submitted (idempotent)."""
    services.video_agreement_refresh(video_id=video_id)


def _export_result(export: ReleaseExport) -> dict[str, Any]:
    return {
        "export": export.pk,
        "release": export.release_id,
        "format": export.format,
        "sha256": export.sha256,
        "bytes": export.size,
        "files": sorted(export.manifest.get("files", {})),
        "download": f"/api/v1/releases/{export.release_id}/exports/{export.format}/",
    }


@job_task("curation.tasks.release_export")
def release_export(reporter: JobReporter, *, release_id: int, format_name: str) -> dict[str, Any]:
    """Write a release in one format into a zip with its manifest (idempotent)."""
    export = services.release_export(
        release_id=release_id, format_name=format_name, progress=reporter.progress
    )
    return _export_result(export)


@job_task("curation.tasks.release_clips")
def release_clips(
    reporter: JobReporter, *, release_id: int, pad: int, frames: bool
) -> dict[str, Any]:
    """Cut every consensus interval of a release into clips or frame folders (media queue)."""
    export = services.release_clips(
        release_id=release_id, pad=pad, frames=frames, progress=reporter.progress
    )
    return _export_result(export)


@job_task("curation.tasks.clips_from_release")
def clips_from_release(
    reporter: JobReporter, *, project_id: int, release_id: int, pad: int, by_id: int | None
) -> dict[str, Any]:
    """Cut a spotting release's consensus intervals into clips of a clip project (media
    queue); idempotent."""
    return services.clips_from_release(
        project_id=project_id,
        release_id=release_id,
        pad=pad,
        by_id=by_id,
        progress=reporter.progress,
    )
