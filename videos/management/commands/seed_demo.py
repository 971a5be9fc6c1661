"""Create the demo people and projects (an owner, a curator and ten annotators): a spotting
project with a demo video and a clip-classification project with six short clips. It lives in
the highest app whose data it creates."""

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
#: The demo clips: ffmpeg's generated sources, 2 s each.
CLIP_SOURCES = ("testsrc2", "smptebars", "rgbtestsrc", "mandelbrot", "life", "cellauto")


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
        clips, _ = Project.objects.get_or_create(
            slug="demo-clips",
            defaults={
                "name": "Demo: clip voting",
                "description": (
                    "Short clips with ten blind votes each from the same pool (the DFEW "
                    "protocol); deal the passes once the clips are ready."
                ),
                "task_kind": TaskKind.CLIP_CLASSIFICATION,
                "passes_per_item": 10,
                "created_by": users.objects.get(username="owner"),
            },
        )
        for member_of in (project, clips):
            for username, role in people:
                Membership.objects.get_or_create(
                    project=member_of,
                    user=users.objects.get(username=username),
                    defaults={"role": role},
                )
        if not options["no_video"]:
            owner = users.objects.get(username="owner")
            self._demo_video(project, owner)
            self._demo_clips(clips, owner)
        if created_names:
            self.stdout.write(f"Demo users created with password '{password}':")
            self.stdout.write("  owner (staff, project owner), curator, " + ", ".join(ANNOTATORS))
        else:
            self.stdout.write("Demo users already exist (passwords unchanged).")
        self.stdout.write(f"Demo projects: /projects/{project.slug}, /projects/{clips.slug}")

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

    def _demo_clips(self, project: Project, owner: Any) -> None:
        """Six 2 s clips of ffmpeg's generated patterns, one subject each, for the voting page."""
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg is None or Video.objects.filter(project=project).exists():
            return
        with tempfile.TemporaryDirectory() as scratch:
            for number, source in enumerate(CLIP_SOURCES, start=1):
                path = Path(scratch) / f"clip{number:02d}.mp4"
                subprocess.run(
                    [
                        ffmpeg, "-v", "error", "-y", "-f", "lavfi",
                        "-i", f"{source}=size=320x240:rate=25", "-t", "2",
                        "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
                        "-threads", "1", str(path),
                    ],
                    check=True,
                )  # fmt: skip
                video_import_file(
                    project=project, path=path, by=owner, subject_code=f"CLIP{number:02d}",
                    source=SourceKind.MOVIE,
                )  # fmt: skip
        self.stdout.write(f"{len(CLIP_SOURCES)} demo clips queued for ingest.")
