"""Ingest server-side video files into a project (only from the configured import roots)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from core.models import Job, JobState, Project
from videos.models import SourceKind
from videos.services import video_import


class Command(BaseCommand):
    help = (
        "Ingest video files that are on this server into a project. Paths must lie inside "
        "SPOTLAB_IMPORT_ROOTS (symlinks are resolved first). Duplicates are reported, not stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--subject", default="", help="subject code for every file")
        parser.add_argument("--source", default=SourceKind.OTHER, choices=SourceKind.values)
        parser.add_argument(
            "--wait", action="store_true", help="wait for the ingest jobs and report each"
        )
        parser.add_argument("--timeout", type=float, default=3600.0)

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project '{options['project']}'")
        jobs = []
        for path in options["paths"]:
            try:
                received = video_import(
                    project=project,
                    path=path,
                    by=None,
                    subject_code=options["subject"],
                    source=options["source"],
                )
            except SpotlabError as exc:
                raise CommandError(exc.message) from exc
            video = received.video
            if received.created:
                self.stdout.write(f"{path}: video {video.pk}, ingest job {video.job_id}")
                jobs.append((path, video.job_id))
            else:
                self.stdout.write(f"{path}: duplicate of video {video.pk} (same sha256), skipped")
        if options["wait"]:
            self._wait(jobs, options["timeout"])

    def _wait(self, jobs: list[tuple[str, Any]], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        failed = 0
        for path, job_id in jobs:
            while True:
                job = Job.objects.get(pk=job_id)
                if job.state in (JobState.SUCCEEDED, JobState.FAILED):
                    break
                if time.monotonic() > deadline:
                    raise CommandError(f"{path}: still {job.state} after {timeout} s")
                time.sleep(0.5)
            if job.state == JobState.FAILED:
                failed += 1
                self.stdout.write(f"{path}: failed: {job.error}")
            else:
                self.stdout.write(f"{path}: ready, {job.result_or_empty().get('n_frames')} frames")
        if failed:
            raise CommandError(f"{failed} of {len(jobs)} files failed to ingest")
