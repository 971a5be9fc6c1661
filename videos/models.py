"""Subjects and videos. A video's canonical timeline is its decoded frames in presentation
order, numbered from 0; everything the probe learns about that timeline is stored here."""

from __future__ import annotations

import uuid
from fractions import Fraction

from django.conf import settings
from django.db import models

from core.models import Job, Project, TimeStampedModel


class SourceKind(models.TextChoices):
    INTERVIEW = "interview", "TV interview"
    DOCUMENTARY = "documentary", "Documentary"
    MOVIE = "movie", "Movie"
    SOCIAL_VIDEO = "social_video", "Short social video"
    LAB = "lab", "Lab recording"
    OTHER = "other", "Other"


class VideoStatus(models.TextChoices):
    PROCESSING = "processing", "Processing"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class Subject(TimeStampedModel):
    """A person filmed, by a code that is unique in the project (splits group by subject).

    ``metadata`` holds optional attributes such as age, sex and ethnicity, which splits can
    group by (cross-cultural studies); ``source_dataset`` names where the recording comes from
    (leave-one-database-out).
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="subjects")
    code = models.CharField(max_length=64)
    metadata = models.JSONField(default=dict, blank=True)
    source_dataset = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["project_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["project", "code"], name="subject_code_per_project"),
        ]

    def __str__(self) -> str:
        return self.code


def _video_path(video: Video, kind: str, extension: str) -> str:
    """Stored names come from ids, never from what the uploader called the file."""
    return f"videos/{video.project_id}/{video.uid}/{kind}{extension}"


class Video(TimeStampedModel):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="videos")
    subject = models.ForeignKey(
        Subject, null=True, blank=True, on_delete=models.PROTECT, related_name="videos"
    )
    source = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.OTHER)
    original_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=16, choices=VideoStatus.choices, default=VideoStatus.PROCESSING
    )
    error = models.TextField(blank=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    # The uploaded file, as received.
    file = models.FileField(max_length=300, blank=True)
    sha256 = models.CharField(max_length=64)
    size_bytes = models.BigIntegerField(default=0)

    # What the probe found (empty until the ingest succeeds).
    container = models.CharField(max_length=64, blank=True)
    codec = models.CharField(max_length=64, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    rotation = models.PositiveSmallIntegerField(default=0)
    fps_num = models.PositiveIntegerField(null=True, blank=True)
    fps_den = models.PositiveIntegerField(null=True, blank=True)
    time_base_num = models.PositiveIntegerField(null=True, blank=True)
    time_base_den = models.PositiveIntegerField(null=True, blank=True)
    n_frames = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    vfr = models.BooleanField(default=False)
    has_audio = models.BooleanField(default=False)
    audio_codec = models.CharField(max_length=64, blank=True)
    # The whole probe (per-frame pts for VFR sources, keyframe pts for seeking) as JSON.
    probe_file = models.FileField(max_length=300, blank=True)

    # Derived files for the browser.
    proxy = models.FileField(max_length=300, blank=True)
    proxy_width = models.PositiveIntegerField(null=True, blank=True)
    proxy_height = models.PositiveIntegerField(null=True, blank=True)
    sprite = models.FileField(max_length=300, blank=True)
    sprite_meta = models.JSONField(default=dict, blank=True)
    poster = models.FileField(max_length=300, blank=True)

    class Meta:
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="video_sha256_per_project"),
            models.CheckConstraint(
                condition=~models.Q(status="ready")
                | (models.Q(n_frames__gte=1) & models.Q(fps_num__gte=1) & models.Q(fps_den__gte=1)),
                name="video_ready_has_timeline",
            ),
        ]
        indexes = [models.Index(fields=["project", "status"], name="video_project_status")]

    def __str__(self) -> str:
        return f"video {self.pk} ({self.original_name or self.uid})"

    @property
    def fps(self) -> Fraction | None:
        if not self.fps_num or not self.fps_den:
            return None
        return Fraction(self.fps_num, self.fps_den)

    def storage_name(self, kind: str, extension: str) -> str:
        return _video_path(self, kind, extension)
