"""Kernel tasks."""

from __future__ import annotations

import time
from typing import Any

from celery import shared_task

from core.errors import SpotlabError
from core.jobs import JobReporter, job_task, jobs_sweep


@job_task("core.tasks.diagnostic")
def diagnostic(
    reporter: JobReporter, *, steps: int = 5, step_seconds: float = 0.2, fail_at: int | None = None
) -> dict[str, Any]:
    """Walk through ``steps`` steps, reporting progress; fail at step ``fail_at`` if given.

    ``manage.py check_worker`` uses it to prove that a worker consumes the queue and writes
    progress back to the database.
    """
    for step in range(steps):
        if fail_at is not None and step == fail_at:
            raise SpotlabError(f"Diagnostic failure requested at step {step}.")
        reporter.progress(step / steps, f"Step {step + 1} of {steps}", force=True)
        time.sleep(step_seconds)
    return {"steps": steps}


@shared_task(name="core.tasks.sweep_jobs", ignore_result=True)
def sweep_jobs() -> dict[str, int]:
    """Periodic (Celery beat): re-send the tasks of Jobs whose worker or message was lost."""
    return jobs_sweep()
