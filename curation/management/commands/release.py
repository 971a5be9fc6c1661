"""Freeze a release of a project's consensus with a subject-independent split."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from curation.management.commands._common import project_and_curator
from curation.services import release_create


class Command(BaseCommand):
    help = (
        "Freeze a consensus version (default: the latest) with its passes, split, seed and "
        "software version; prints the release id, its sha256 and its folds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--name", required=True)
        parser.add_argument(
            "--split",
            default='{"kind": "kfold", "k": 5, "seed": 0}',
            help='JSON split spec, e.g. \'{"kind": "loso"}\' (default: 5-fold, seed 0)',
        )
        parser.add_argument("--consensus-version", type=int)
        parser.add_argument("--as", dest="as_user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        project, by = project_and_curator(options["project"], options["as_user"])
        try:
            split = json.loads(options["split"])
        except json.JSONDecodeError as error:
            raise CommandError(f"--split is not JSON: {error}") from error
        if not isinstance(split, dict):
            raise CommandError("--split must be a JSON object")
        try:
            release = release_create(
                project=project, by=by, name=options["name"], split=split,
                consensus_version=options["consensus_version"],
            )  # fmt: skip
        except SpotlabError as error:
            raise CommandError(error.message) from error
        counts = release.counts
        labels = (
            f"consensus v{release.consensus_version.number}, {counts['videos']} videos, "
            f"{counts['consensus_segments']} segments"
            if release.consensus_version is not None
            else f"{counts['clips']} clips, {counts['single_labelled']} single-labelled"
        )
        self.stdout.write(
            f"release {release.pk} '{release.name}' of '{project.slug}': {labels}, "
            f"sha256 {release.data_sha256}"
        )
        for fold in release.folds:
            self.stdout.write(
                f"fold {fold['index']}: {len(fold['train_subjects'])} train subjects, "
                f"{len(fold['test_subjects'])} test subjects"
            )
