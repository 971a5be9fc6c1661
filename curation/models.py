"""Stored agreement figures, recomputed when the submitted passes of a video change."""

from __future__ import annotations

from django.db import models

from videos.models import Video


class VideoAgreement(models.Model):
    """The agreement statistics of one video's submitted passes.

    ``inputs_sha256`` identifies the passes and segments they were computed from, so that a
    recomputation with the same inputs is skipped. ``frame_alpha`` (nominal, on frame labels)
    is kept as a column for sorting the curators' queue; None where alpha is undefined.
    """

    video = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="agreement")
    inputs_sha256 = models.CharField(max_length=64)
    n_passes = models.PositiveSmallIntegerField()
    frame_alpha = models.FloatField(null=True, blank=True)
    mean_pairwise_f1 = models.FloatField(null=True, blank=True)
    data = models.JSONField(default=dict)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["video_id"]

    def __str__(self) -> str:
        return f"agreement of video {self.video_id} ({self.n_passes} passes)"


class ConsensusMethod(models.TextChoices):
    MEDIAN = "median", "Median of the members' boundaries"
    MEAN = "mean", "Mean"
    TRIMMED_MEAN = "trimmed_mean", "Trimmed mean"


class ConsensusVersion(models.Model):
    """One build of a project's consensus. Versions are never changed: a rebuild or a
    curator's edit makes a new one, and the passes themselves are never overwritten."""

    project = models.ForeignKey(
        "core.Project", on_delete=models.CASCADE, related_name="consensus_versions"
    )
    number = models.PositiveIntegerField()
    method = models.CharField(max_length=16, choices=ConsensusMethod.choices)
    min_support = models.PositiveSmallIntegerField(null=True, blank=True)
    iou_threshold = models.FloatField(default=0.5)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="consensus_version_number"),
        ]

    def __str__(self) -> str:
        return f"consensus v{self.number} of {self.project_id}"


class ConsensusSegment(models.Model):
    """A fused expression: boundaries from its member segments, labels by vote, its spread."""

    version = models.ForeignKey(ConsensusVersion, on_delete=models.CASCADE, related_name="segments")
    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="consensus_segments")
    onset = models.PositiveIntegerField()
    apex = models.PositiveIntegerField(null=True, blank=True)
    offset = models.PositiveIntegerField()
    type = models.CharField(max_length=32, blank=True)
    emotion = models.CharField(max_length=32, blank=True)
    aus = models.JSONField(default=list, blank=True)
    support = models.PositiveSmallIntegerField()
    n_passes = models.PositiveSmallIntegerField()
    needs_curator = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)
    member_segment_ids = models.JSONField(default=list)
    spread = models.JSONField(default=dict)
    adjudicated_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["version_id", "video_id", "onset", "offset"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(onset__lte=models.F("offset")), name="consensus_onset_le_offset"
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.onset}, {self.offset}] {self.type}"
