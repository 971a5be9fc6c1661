"""Celery entry points of curation."""

from __future__ import annotations

from celery import shared_task

from curation import services


@shared_task(name="curation.tasks.video_agreement_refresh", acks_late=True, ignore_result=True)
def video_agreement_refresh(video_id: int) -> None:
    """Recompute a video's agreement after one of its passes was submitted (idempotent)."""
    services.video_agreement_refresh(video_id=video_id)
