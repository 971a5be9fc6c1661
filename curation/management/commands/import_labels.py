"""Import a label sheet (CAS(ME)^2, SAMM-LV, MEGC, ... or native JSON) as a consensus version."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import SpotlabError
from curation.formats.registry import FORMAT_NAMES
from curation.management.commands._common import project_and_curator
from curation.services import labels_import


class Command(BaseCommand):
    help = (
        "Import label files into a new consensus version of a project whose videos are "
        "ingested; a malformed file imports nothing and names the row and column."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--project", required=True, metavar="SLUG")
        parser.add_argument("--format", required=True, choices=FORMAT_NAMES)
        parser.add_argument("files", nargs="+", type=Path, metavar="FILE")
        parser.add_argument("--fps", type=float, help="the sheet's frame rate, if not the videos'")
        parser.add_argument("--as", dest="as_user", metavar="USERNAME")

    def handle(self, *args: Any, **options: Any) -> None:
        project, by = project_and_curator(options["project"], options["as_user"])
        files = {}
        for path in options["files"]:
            if not path.is_file():
                raise CommandError(f"no such file: {path}")
            files[path.name] = path.read_bytes()
        try:
            report = labels_import(
                project=project, by=by, format_name=options["format"], files=files,
                fps=options["fps"], source=", ".join(sorted(files)),
            )  # fmt: skip
        except SpotlabError as error:
            raise CommandError(error.message) from error
        self.stdout.write(
            f"imported {report['segments']} segments into consensus v{report['version']} of "
            f"'{project.slug}' ({report['videos']} videos, {report['pass_segments']} pass "
            f"segments), {len(report['skipped'])} rows skipped"
        )
        for row in report["skipped"]:
            self.stdout.write(f"  skipped {row['file']} row {row['row']}: {row['reason']}")
        for note in report["notes"]:
            self.stdout.write(f"  note: {note}")
