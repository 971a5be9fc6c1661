"""Projects, their members and roles, and the Job record that long work reports to.

Projects live in the kernel because every app scopes its objects by project and the apps depend
one way (inference -> curation -> annotation -> videos -> core).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class TaskKind(models.TextChoices):
    SPOTTING = "spotting", "Spotting (intervals in long videos)"
    CLIP_CLASSIFICATION = "clip_classification", "Clip classification (one label per clip)"


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    CURATOR = "curator", "Curator"
    ANNOTATOR = "annotator", "Annotator"


#: Roles that see everything in a project: every pass, agreement, consensus.
CURATING_ROLES = frozenset({Role.OWNER, Role.CURATOR})


class Project(TimeStampedModel):
    """A dataset under construction, with its task kind and annotation protocol."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=64, unique=True)
    description = models.TextField(blank=True)
    task_kind = models.CharField(max_length=32, choices=TaskKind.choices, default=TaskKind.SPOTTING)
    passes_per_item = models.PositiveSmallIntegerField(default=5)
    # Clip classification: a clip is single-labelled when one class has more than this many
    # votes (DFEW: more than 6 of 10).
    single_label_threshold = models.PositiveSmallIntegerField(default=6)
    label_schema = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passes_per_item__gte=1) & models.Q(passes_per_item__lte=50),
                name="project_passes_per_item_1_50",
            ),
        ]

    def __str__(self) -> str:
        return self.slug


class Membership(TimeStampedModel):
    """A user's role in one project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        ordering = ["project_id", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="membership_one_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project} as {self.role}"


class JobState(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class Job(models.Model):
    """One piece of long work (an ingest, an export, a training run) and how it is going.

    The Job row, not the broker, is the source of truth: the task named here is re-queued
    from it if its worker dies, and every task is idempotent.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=64)
    task_name = models.CharField(max_length=200)
    task_kwargs = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.FloatField(default=0.0)
    message = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    project = models.ForeignKey(
        Project, null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0.0) & models.Q(progress__lte=1.0),
                name="job_progress_0_1",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.id} ({self.state})"

    @property
    def is_finished(self) -> bool:
        return self.state in (JobState.SUCCEEDED, JobState.FAILED)

    def result_or_empty(self) -> dict[str, Any]:
        return self.result if isinstance(self.result, dict) else {}


class JobEvent(models.Model):
    """What happened to a Job, in order: each run's start (by which worker, which attempt), the
    sweeper sending it again after its worker was lost, and how it ended."""

    class Kind(models.TextChoices):
        QUEUED = "queued"
        STARTED = "started"
        RESENT = "resent"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    message = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job_id", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.job_id}"
