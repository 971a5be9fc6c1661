"""Long work runs as Celery tasks driven by a ``Job`` row.

``job_enqueue`` creates the row and sends the task after the transaction commits, so a worker
never sees a Job that does not exist yet. ``job_task`` turns a function into such a task: it
re-fetches the Job by id, skips it when it already finished (a redelivered message changes
nothing twice), marks it running, hands the function a ``JobReporter`` for progress, and records
success or the failure's reason.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from celery import current_app, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.errors import SpotlabError
from core.models import Job, JobEvent, JobState, Project

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
    JobEvent.objects.create(job=job, kind=JobEvent.Kind.QUEUED)
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.apply_async(args=[job_id]))
    return job


def _finish(job_id: Any, **fields: Any) -> None:
    Job.objects.filter(pk=job_id).update(finished_at=timezone.now(), **fields)
    failed = fields.get("state") == JobState.FAILED
    JobEvent.objects.create(
        job_id=job_id,
        kind=JobEvent.Kind.FAILED if failed else JobEvent.Kind.SUCCEEDED,
        message=str(fields.get("error", ""))[:500],
    )


def _worker_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"


class _Heartbeat(threading.Thread):
    """Beats the Job's heartbeat while its task runs, so that a long step that reports no
    progress is not taken for a dead worker. It dies with the worker process."""

    def __init__(self, job_id: Any) -> None:
        super().__init__(name=f"heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.interval_s = max(1.0, settings.SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S / 5)
        self._stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self._stopped.wait(self.interval_s):
                Job.objects.filter(pk=self.job_id, state=JobState.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopped.set()
        self.join(timeout=5)


def heartbeat_timeout() -> timedelta:
    return timedelta(seconds=settings.SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S)


def _claim(job_id: str) -> bool:
    """Mark the Job running for this delivery, atomically.

    A delivery may take a Job that is queued, or one whose worker stopped beating its heartbeat
    (it died); a finished Job, or one that a live worker is running, is left alone, so that a
    message delivered twice never runs the work twice at once.
    """
    now = timezone.now()
    takeable = Q(state=JobState.QUEUED) | Q(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=now - heartbeat_timeout()),
        state=JobState.RUNNING,
    )
    claimed = Job.objects.filter(takeable, pk=job_id).update(
        state=JobState.RUNNING,
        started_at=now,
        heartbeat_at=now,
        attempts=F("attempts") + 1,
        error="",
    )
    if claimed == 1:
        attempt = Job.objects.filter(pk=job_id).values_list("attempts", flat=True).first()
        JobEvent.objects.create(
            job_id=job_id,
            kind=JobEvent.Kind.STARTED,
            message=f"Run {attempt} on worker {_worker_name()}",
        )
    return claimed == 1


def jobs_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Re-send the tasks of Jobs that a lost worker or a lost message left behind.

    Neither broker redelivers a dead worker's task in good time (the filesystem transport
    never does, Redis only after its visibility timeout), so the Job rows decide: a running
    Job whose heartbeat stopped, or a queued Job that no worker took for a while, is sent
    again, up to ``SPOTLAB_JOB_MAX_ATTEMPTS`` runs; after that it fails with the reason.
    Re-sending is safe because every task is idempotent and claims its Job atomically.
    """
    now = now or timezone.now()
    stale_running = Q(state=JobState.RUNNING) & (
        Q(heartbeat_at__lt=now - heartbeat_timeout()) | Q(heartbeat_at__isnull=True)
    )
    stale_queued = Q(state=JobState.QUEUED, created_at__lt=now - heartbeat_timeout())
    resent = given_up = 0
    for job in Job.objects.filter(stale_running | stale_queued).order_by("created_at")[:500]:
        if job.attempts >= settings.SPOTLAB_JOB_MAX_ATTEMPTS:
            gave_up = Job.objects.filter(pk=job.pk, state=job.state).update(
                state=JobState.FAILED,
                finished_at=now,
                message="Failed",
                error=(
                    f"The worker running this job stopped responding {job.attempts} times; "
                    "giving up."
                ),
            )
            if gave_up:
                JobEvent.objects.create(
                    job=job,
                    kind=JobEvent.Kind.FAILED,
                    message=f"Given up after {job.attempts} runs whose worker stopped responding",
                )
            given_up += gave_up
            continue
        current_app.send_task(job.task_name, args=[str(job.pk)])
        JobEvent.objects.create(
            job=job,
            kind=JobEvent.Kind.RESENT,
            message=(
                f"No heartbeat since {job.heartbeat_at:%H:%M:%S}: its worker was lost; sent again"
                if job.state == JobState.RUNNING and job.heartbeat_at is not None
                else f"Still {job.state} with no worker on it; sent again"
            ),
        )
        resent += 1
        logger.warning(
            "job %s (%s) was %s with no sign of life; sent again", job.pk, job.kind, job.state
        )
    return {"resent": resent, "given_up": given_up}


def run_job(job_id: str, function: JobFunction) -> None:
    """Run ``function`` for the Job ``job_id`` and record how it ended."""
    if not _claim(job_id):
        job = Job.objects.filter(pk=job_id).first()
        state = "missing (deleted before it ran)" if job is None else job.state
        logger.info("job %s is %s; skipping this delivery", job_id, state)
        return
    job = Job.objects.get(pk=job_id)
    reporter = JobReporter(job)
    beating = _Heartbeat(job.pk)
    beating.start()
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
