"""Run a registered spotter over videos and write its proposals (idempotently)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from curation.management.commands._common import project_and_curator
from inference.models import SpotterModel
from inference.services import prelabel_run_create, prelabel_run_execute


class Command(BaseCommand):
    help = (
        "Run model --model over --videos (default: every ready video of the project), computing "
        "missing features first, and write its proposals; running again replaces them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--model", type=int, required=True, metavar="ID")
        parser.add_argument("--videos", type=int, nargs="+", metavar="ID")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        project, curator = project_and_curator(options["project"], options["as_user"])
        model = SpotterModel.objects.filter(pk=options["model"], project=project).first()
        if model is None:
            raise CommandError(f"no model {options['model']} in '{project.slug}'")
        try:
            run = prelabel_run_create(
                project=project, model=model, video_ids=options["videos"], by=curator
            )
            run = prelabel_run_execute(run=run)
        except SpotlabError as error:
            raise CommandError(error.message) from error
        total = sum(run.counts.values())
        self.stdout.write(f"run {run.pk}: {model.name} wrote {total} proposals")
        for video, count in run.counts.items():
            self.stdout.write(f"  video {video}: {count}")
