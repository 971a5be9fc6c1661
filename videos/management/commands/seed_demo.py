"""Create the demo people and project (an owner, a curator and ten annotators) and a demo
video. It lives in the highest app whose data it creates."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from core.models import Membership, Project, Role, TaskKind
from videos.models import SourceKind, Video
from videos.services import video_import_file

ANNOTATORS = [f"annotator{index:02d}" for index in range(1, 11)]


class Command(BaseCommand):
    help = (
        "Create demo users (owner, curator, annotator01..annotator10) and the demo project. "
        "Idempotent: existing users keep their passwords."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-video", action="store_true", help="do not add the generated demo video"
        )
        parser.add_argument(
            "--password",
            default="spotlab-demo",
            help="password for newly created demo users (default: spotlab-demo)",
        )

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        users = get_user_model()
        password = options["password"]
        people = [("owner", Role.OWNER), ("curator", Role.CURATOR)] + [
            (name, Role.ANNOTATOR) for name in ANNOTATORS
        ]
        created_names = []
        for username, _role in people:
            user = users.objects.filter(username=username).first()
            if user is None:
                user = users.objects.create_user(username=username, password=password)
                created_names.append(username)
            if username == "owner" and not user.is_staff:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
        project, _ = Project.objects.get_or_create(
            slug="demo",
            defaults={
                "name": "Demo: spontaneous expressions",
                "description": (
                    "Long videos labelled five times each by a pool of ten annotators "
                    "(the SDFE-LV protocol)."
                ),
                "task_kind": TaskKind.SPOTTING,
                "passes_per_item": 5,
                "created_by": users.objects.get(username="owner"),
            },
        )
        for username, role in people:
            Membership.objects.get_or_create(
                project=project, user=users.objects.get(username=username), defaults={"role": role}
            )
        if not options["no_video"]:
            self._demo_video(project, users.objects.get(username="owner"))
        if created_names:
            self.stdout.write(f"Demo users created with password '{password}':")
            self.stdout.write("  owner (staff, project owner), curator, " + ", ".join(ANNOTATORS))
        else:
            self.stdout.write("Demo users already exist (passwords unchanged).")
        self.stdout.write(f"Demo project: /projects/{project.slug}")

    def _demo_video(self, project: Project, owner: Any) -> None:
        """A 20 s generated clip (ffmpeg's test pattern, 30 fps) so that the player has
        something to show; it is ingested by the worker like any upload."""
        if Video.objects.filter(project=project, original_name="demo-pattern.mp4").exists():
            return
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None:
            self.stdout.write("No ffmpeg: the demo video is skipped.")
            return
        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "demo-pattern.mp4"
            subprocess.run(
                [
                    ffmpeg, "-v", "error", "-y", "-f", "lavfi",
                    "-i", "testsrc2=size=640x360:rate=30:duration=20",
                    "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                    "-threads", "1", str(path),
                ],
                check=True,
            )  # fmt: skip
            received = video_import_file(
                project=project, path=path, by=owner, subject_code="DEMO01", source=SourceKind.LAB
            )
        self.stdout.write(f"Demo video {received.video.pk} queued for ingest.")
