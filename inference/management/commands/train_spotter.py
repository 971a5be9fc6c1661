"""Build the cold-start baseline or train the temporal spotter on a release, and register it."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from curation.management.commands._common import project_and_curator
from curation.models import Release
from inference.services import model_build


class Command(BaseCommand):
    help = (
        "Build the training-free baseline (--kind baseline) or train the temporal network "
        "(--kind trained) on a release's training split, score it on the held-out videos with "
        "the MEGC rule and register it; prints the model's id, version and held-out F1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--kind", choices=["baseline", "trained"], default="trained")
        parser.add_argument("--release", type=int, metavar="ID", help="learn from this release")
        parser.add_argument("--fold", type=int, default=0, help="the release's fold (default 0)")
        parser.add_argument("--epochs", type=int, help="training epochs (trained)")
        parser.add_argument("--seed", type=int, help="training seed (trained)")
        parser.add_argument(
            "--hyperparameters", default="{}", metavar="JSON", help="more hyperparameters"
        )
        parser.add_argument("--device", default=None, help="cpu, cuda or auto (default: auto)")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        project, curator = project_and_curator(options["project"], options["as_user"])
        try:
            hyperparameters = json.loads(options["hyperparameters"])
        except json.JSONDecodeError as error:
            raise CommandError(f"--hyperparameters is not JSON: {error}") from error
        if not isinstance(hyperparameters, dict):
            raise CommandError("--hyperparameters must be a JSON object")
        for key in ("epochs", "seed"):
            if options[key] is not None:
                hyperparameters[key] = options[key]
        release = None
        if options["release"] is not None:
            release = Release.objects.filter(pk=options["release"], project=project).first()
            if release is None:
                raise CommandError(f"no release {options['release']} in '{project.slug}'")
        last = [-1.0]

        def progress(fraction: float, message: str) -> None:
            if fraction - last[0] >= 0.05 or fraction >= 1.0:
                last[0] = fraction
                self.stderr.write(f"{fraction:6.1%}  {message}")

        try:
            model = model_build(
                project=project,
                kind=options["kind"],
                release=release,
                fold=options["fold"],
                hyperparameters=hyperparameters,
                device=options["device"],
                by=curator,
                progress=progress,
            )
        except SpotlabError as error:
            raise CommandError(error.message) from error
        held_out = model.metrics.get("held_out", {}).get("overall")
        score = f"held-out F1 {held_out['f1']:.3f}" if held_out else "no held-out videos"
        self.stdout.write(
            f"model {model.pk}: {model.name} on {model.device}, {score}, {model.training_s:.1f} s"
        )
