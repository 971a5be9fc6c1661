"""Send a diagnostic Job to the workers and wait until it finishes."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from core.jobs import job_enqueue
from core.models import Job, JobState
from core.tasks import diagnostic


class Command(BaseCommand):
    help = "Check that a Celery worker consumes the default queue and reports to its Job."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait")

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            job = job_enqueue(kind="diagnostic", task=diagnostic, kwargs={"steps": 3})
        deadline = time.monotonic() + options["timeout"]
        while time.monotonic() < deadline:
            job = Job.objects.get(pk=job.pk)
            if job.state == JobState.SUCCEEDED:
                self.stdout.write(f"worker ok: job {job.pk} succeeded")
                return
            if job.state == JobState.FAILED:
                raise CommandError(f"job {job.pk} failed: {job.error}")
            time.sleep(0.2)
        raise CommandError(f"no worker finished job {job.pk} within {options['timeout']} s")
