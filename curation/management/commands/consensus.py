"""Build a new consensus version of a project."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.models import Membership, Project, Role
from curation.models import ConsensusMethod
from curation.services import consensus_build


class Command(BaseCommand):
    help = (
        "Build a new consensus version from the submitted passes of every video: supported "
        "clusters fused by the method, labels by vote, ties flagged for a curator."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--method", choices=ConsensusMethod.values, default=ConsensusMethod.MEDIAN
        )
        parser.add_argument("--min-support", type=int, help="default: a majority of the passes")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project '{options['project']}'")
        if options["min_support"] is not None and options["min_support"] < 1:
            raise CommandError("--min-support must be at least 1")
        curators = Membership.objects.filter(project=project, role__in=[Role.OWNER, Role.CURATOR])
        if options["as_user"]:
            curators = curators.filter(user__username=options["as_user"])
        membership = curators.order_by("role", "id").first()
        if membership is None:
            raise CommandError(f"no owner or curator of '{project.slug}' to build as")
        version = consensus_build(
            project=project,
            by=get_user_model().objects.get(pk=membership.user_id),
            method=options["method"],
            min_support=options["min_support"],
        )
        segments = version.segments.all()
        self.stdout.write(
            f"consensus v{version.number} of '{project.slug}': {segments.count()} segments in "
            f"{segments.values('video').distinct().count()} videos, "
            f"{segments.filter(needs_curator=True).count()} flagged for a curator"
        )
