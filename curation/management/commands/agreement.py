"""Recompute and print the agreement of a project's videos."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import Project
from curation.services import video_agreement_refresh
from videos.models import Video, VideoStatus


def _figure(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.4f}"


class Command(BaseCommand):
    help = (
        "Recompute the agreement of every ready video of a project from its submitted passes "
        "(skipped where the passes are unchanged) and print the headline figures."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--video", type=int, action="append", help="only these video ids")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project '{options['project']}'")
        videos = Video.objects.filter(project=project, status=VideoStatus.READY).order_by("id")
        if options["video"]:
            videos = videos.filter(pk__in=options["video"])
            missing = set(options["video"]) - set(videos.values_list("pk", flat=True))
            if missing:
                raise CommandError(f"no ready videos {sorted(missing)} in '{project.slug}'")
        self.stdout.write("video\tpasses\tframe alpha\tmean pairwise F1")
        for video in videos:
            agreement = video_agreement_refresh(video_id=video.pk)
            if agreement is None:
                self.stdout.write(f"{video.pk}\t<2\twaiting for two submitted passes")
                continue
            self.stdout.write(
                f"{video.pk}\t{agreement.n_passes}\t{_figure(agreement.frame_alpha)}\t"
                f"{_figure(agreement.mean_pairwise_f1)}"
            )
