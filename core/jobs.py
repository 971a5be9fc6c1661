"""Long work runs as Celery tasks driven by a ``Job`` row.

``job_enqueue`` creates the row and sends the task after the transaction commits, so a worker
never sees a Job that does not exist yet. ``job_task`` turns a function into such a task: it
re-fetches the Job by id, skips it when it already finished (a redelivered message changes
nothing twice), marks it running, hands the function a ``JobReporter`` for progress, and records
success or the failure's reason.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core.errors import SpotlabError
from core.models import Job, JobState, Project

logger = logging.getLogger(__name__)


class JobReporter:
    """Progress reporting for a running Job; writes are throttled to keep the database calm."""

    min_interval_s = 0.25

    def __init__(self, job: Job) -> None:
        self.job = job
        self._last_write = 0.0

    @property
    def job_id(self) -> str:
        return str(self.job.pk)

    def progress(self, fraction: float, message: str = "", *, force: bool = False) -> None:
        """Report ``fraction`` (0..1) done; doubles as the Job's heartbeat."""
        now = time.monotonic()
        if not force and now - self._last_write < self.min_interval_s:
            return
        self._last_write = now
        fraction = min(1.0, max(0.0, float(fraction)))
        fields: dict[str, Any] = {"progress": fraction, "heartbeat_at": timezone.now()}
        if message:
            fields["message"] = message[:500]
        Job.objects.filter(pk=self.job.pk).update(**fields)


#: ``function(reporter, **job.task_kwargs) -> result``: the body of a Job-driven task.
JobFunction = Callable[..., dict[str, Any] | None]


def job_enqueue(
    *,
    kind: str,
    task: Any,
    kwargs: dict[str, Any] | None = None,
    project: Project | None = None,
    created_by: AbstractBaseUser | None = None,
    message: str = "Waiting for a worker",
) -> Job:
    """Create a queued Job and send ``task`` for it once the current transaction commits."""
    job = Job.objects.create(
        kind=kind,
        task_name=task.name,
        task_kwargs=kwargs or {},
        project=project,
        created_by_id=created_by.pk if created_by is not None else None,
        message=message,
    )
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.apply_async(args=[job_id]))
    return job


def _finish(job_id: Any, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)


def run_job(job_id: str, function: JobFunction) -> None:
    """Run ``function`` for the Job ``job_id`` and record how it ended."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s does not exist (deleted before it ran); skipping", job_id)
        return
    if job.is_finished:
        logger.info("job %s already %s; skipping the redelivered message", job_id, job.state)
        return
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=JobState.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    job.refresh_from_db()
    reporter = JobReporter(job)
    try:
        result = function(reporter, **job.task_kwargs) or {}
    except SpotlabError as exc:
        logger.info("job %s failed: %s", job_id, exc.message)
        _finish(job.pk, state=JobState.FAILED, error=exc.message, message="Failed")
    except SoftTimeLimitExceeded:
        _finish(
            job.pk,
            state=JobState.FAILED,
            error="The job ran past its time limit.",
            message="Failed",
        )
    except Exception as exc:
        logger.exception("job %s crashed", job_id)
        _finish(
            job.pk,
            state=JobState.FAILED,
            error=f"{type(exc).__name__}: {exc}",
            message="Failed",
        )
    else:
        _finish(job.pk, state=JobState.SUCCEEDED, progress=1.0, message="Done", result=result)


def job_task(name: str, **options: Any) -> Callable[[JobFunction], Any]:
    """Register ``function(reporter, **kwargs)`` as the Celery task ``name`` driven by a Job.

    The task's only argument is the Job's id; its inputs are the Job's ``task_kwargs``.
    """

    def decorate(function: JobFunction) -> Any:
        @shared_task(name=name, acks_late=True, ignore_result=True, **options)
        def task(job_id: str) -> None:
            run_job(job_id, function)

        task.job_function = function
        return task

    return decorate
