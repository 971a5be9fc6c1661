"""Write a release in a benchmark format (a zip with its manifest)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from curation.formats.registry import FORMAT_NAMES
from curation.models import Release
from curation.services import release_export


class Command(BaseCommand):
    help = "Export a release in a benchmark format; prints the zip's sha256 and its files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--release", type=int, required=True, metavar="ID")
        parser.add_argument("--format", required=True, choices=FORMAT_NAMES)
        parser.add_argument("--output", type=Path, help="also copy the zip to this path")

    def handle(self, *args: Any, **options: Any) -> None:
        if not Release.objects.filter(pk=options["release"]).exists():
            raise CommandError(f"no release {options['release']}")
        try:
            export = release_export(
                release_id=options["release"],
                format_name=options["format"],
                progress=lambda fraction, message: None,
            )
        except SpotlabError as error:
            raise CommandError(error.message) from error
        if options["output"] is not None:
            with (
                default_storage.open(export.file, "rb") as source,
                options["output"].open("wb") as target,
            ):
                shutil.copyfileobj(source, target)
        self.stdout.write(
            f"{export.format} export of release {export.release_id}: sha256 {export.sha256}"
        )
        for name in sorted(export.manifest.get("files", {})):
            self.stdout.write(f"  {name}")
