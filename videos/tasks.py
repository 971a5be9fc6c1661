"""Celery entry points of the videos app (routed to the ``media`` queue)."""

from __future__ import annotations

from typing import Any

from core.jobs import JobReporter, job_task
from videos import services


@job_task("videos.tasks.ingest")
def ingest(reporter: JobReporter, *, video_id: int) -> dict[str, Any]:
    return services.video_ingest(video_id=video_id, reporter=reporter)
