"""Per-video motion features, the spotter registry, pre-label runs and their proposals.

Features are computed once per video (and again only when their parameters change) and kept
beside the video in storage as an ``.npz`` of :class:`inference.signals.RegionalMotion`. A
:class:`SpotterModel` is one registered spotter: a training-free baseline (its calibrated
parameters) or a trained torch network (its weights file), with the release and fold it learned
from, its hyperparameters, the hash of its training data, its held-out metrics and the device
it trained on. A :class:`PrelabelRun` applies a model to videos and writes :class:`Proposal`
rows; a run again replaces a video's proposals of that model, so they are never duplicated.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from core.models import Job, Project
from videos.models import Video


def model_path(model: SpotterModel, name: str) -> str:
    """Stored names come from ids, never from what a user called anything."""
    return f"models/{model.project_id}/{model.uid}/{name}"


def features_path(video: Video) -> str:
    return video.storage_name("motion", ".npz")


class MotionFeatures(models.Model):
    """The regional facial motion of one video (see docs/face-pipeline.md)."""

    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="motion_features")
    file = models.CharField(max_length=300)
    params = models.JSONField()
    n_frames = models.PositiveIntegerField()
    n_valid = models.PositiveIntegerField()
    fps = models.FloatField()
    compute_s = models.FloatField(default=0.0)
    computed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"features of video {self.video_id}"

    @property
    def valid_fraction(self) -> float:
        return self.n_valid / self.n_frames if self.n_frames else 0.0


class ModelKind(models.TextChoices):
    BASELINE = "baseline", "Cold-start baseline (training-free)"
    TRAINED = "trained", "Trained temporal network"


class SpotterModel(models.Model):
    """One registered spotter of a project: version, how it was made, how well it does."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="spotters")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=ModelKind.choices)
    name = models.CharField(max_length=100)
    release = models.ForeignKey(
        "curation.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fold = models.PositiveSmallIntegerField(null=True, blank=True)
    hyperparameters = models.JSONField(default=dict)
    training_data_hash = models.CharField(max_length=64, blank=True)
    training_videos = models.JSONField(default=list)
    held_out_videos = models.JSONField(default=list)
    metrics = models.JSONField(default=dict)
    weights_file = models.CharField(max_length=300, blank=True)
    device = models.CharField(max_length=32, default="cpu")
    training_s = models.FloatField(default=0.0)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["project", "version"], name="spotter_version"),
            models.UniqueConstraint(
                fields=["job"],
                condition=models.Q(job__isnull=False),
                name="spotter_one_per_job",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PrelabelRun(models.Model):
    """One application of a model to a set of videos; its Job reports the progress."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="prelabel_runs")
    model = models.ForeignKey(SpotterModel, on_delete=models.PROTECT, related_name="runs")
    videos = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["project_id", "-created_at"]

    def __str__(self) -> str:
        return f"pre-label run {self.pk} of {self.model}"


class Proposal(models.Model):
    """A model's proposed expression: inclusive frames on the video's timeline."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="proposals")
    model = models.ForeignKey(SpotterModel, on_delete=models.CASCADE, related_name="proposals")
    run = models.ForeignKey(
        PrelabelRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals"
    )
    onset = models.PositiveIntegerField()
    offset = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    score = models.FloatField()

    class Meta:
        ordering = ["video_id", "onset", "offset", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "video", "onset", "offset", "type"], name="proposal_once"
            ),
            models.CheckConstraint(
                condition=models.Q(onset__lte=models.F("offset")), name="proposal_onset_le_offset"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.onset}, {self.offset}] {self.type} ({self.score:.2f})"
