"""Score predictions against ground truth: MEGC spotting F1, ActivityNet mAP, UAR/WAR."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from curation.evaluation import EvaluationError
from curation.scoring import SCORING_FORMATS, score_files


class Command(BaseCommand):
    help = (
        "Print the scores of a predictions file against a ground-truth file as JSON; every "
        "score names the matching rule it used."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", required=True, choices=SCORING_FORMATS)
        parser.add_argument("--ground-truth", required=True, type=Path, metavar="FILE")
        parser.add_argument("--predictions", required=True, type=Path, metavar="FILE")
        parser.add_argument("--fps", type=float, help="megc without a type column: by duration")

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("ground_truth", "predictions"):
            if not options[key].is_file():
                raise CommandError(f"no such file: {options[key]}")
        try:
            scores = score_files(
                options["format"],
                options["ground_truth"].read_bytes(),
                options["predictions"].read_bytes(),
                fps=options["fps"],
            )
        except EvaluationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(scores, indent=2, sort_keys=True))
