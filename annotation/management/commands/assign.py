"""Deal the passes of every ready video of a project (balanced, blind)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from annotation.services import assignments_deal
from core.errors import SpotlabError
from core.models import Membership, Project, Role


class Command(BaseCommand):
    help = (
        "Deal the passes of every ready video of a project: each video gets the project's "
        "passes per item from as many different annotators, load balanced within one pass, "
        "pairs of annotators co-occurring as evenly as possible. Dealing again only adds what "
        "is missing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument(
            "--annotators", nargs="+", metavar="USERNAME", help="deal to these only (default: all)"
        )
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--mode",
            choices=["blind", "assisted"],
            default="blind",
            help="assisted passes show the model's proposals (default: blind)",
        )
        parser.add_argument(
            "--as", dest="as_user", metavar="USERNAME", help="the owner or curator dealing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        project = Project.objects.filter(slug=options["project"]).first()
        if project is None:
            raise CommandError(f"no project '{options['project']}'")
        dealer = self._dealer(project, options["as_user"])
        try:
            report = assignments_deal(
                project=project,
                by=dealer,
                annotators=options["annotators"],
                seed=options["seed"],
                mode=options["mode"],
            )
        except SpotlabError as exc:
            raise CommandError(exc.message) from exc
        stats = report.cooccurrence
        self.stdout.write(f"{report.created} new passes dealt in '{project.slug}'.")
        self.stdout.write(
            "load: " + ", ".join(f"{name} {count}" for name, count in report.load.items())
        )
        self.stdout.write(
            f"pair co-occurrence: min {stats.min}, max {stats.max}, mean {stats.mean:.2f}, "
            f"std {stats.std:.2f}"
        )

    def _dealer(self, project: Project, username: str | None) -> Any:
        curators = Membership.objects.filter(project=project, role__in=[Role.OWNER, Role.CURATOR])
        if username:
            curators = curators.filter(user__username=username)
        membership = curators.select_related("user").order_by("role", "id").first()
        if membership is None:
            who = f"'{username}' is not" if username else "nobody is"
            raise CommandError(f"{who} an owner or curator of '{project.slug}'")
        user: Any = get_user_model().objects.get(pk=membership.user_id)
        return user
