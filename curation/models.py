"""Stored agreement figures, recomputed when the submitted passes of a video change."""

from __future__ import annotations

import uuid

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


def release_path(release: Release, name: str) -> str:
    """Stored names come from ids, never from what a user called the release."""
    return f"releases/{release.project_id}/{release.uid}/{name}"


class Release(models.Model):
    """A frozen consensus version: labels, raw passes, agreement, split, seed and software.

    Everything an export needs is written once into ``release.json`` (the lossless native
    format) in storage, with its sha256 here; exports read that file, never the live tables,
    so a later consensus, pass or split change can never alter a release.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    project = models.ForeignKey("core.Project", on_delete=models.CASCADE, related_name="releases")
    name = models.CharField(max_length=100)
    # None for a clip-classification release: its labels are the clips' votes.
    consensus_version = models.ForeignKey(
        ConsensusVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="releases"
    )
    split = models.JSONField()
    folds = models.JSONField(default=list)
    software_version = models.CharField(max_length=32)
    data_file = models.CharField(max_length=255)
    data_sha256 = models.CharField(max_length=64)
    counts = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="release_name_per_project"),
        ]

    def __str__(self) -> str:
        return f"release {self.name} of {self.project_id}"


class ReleaseExport(models.Model):
    """One release written in one format (or its clips), as a zip with a checksummed manifest.

    Unique per release and format: exporting again returns the same file.
    """

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="exports")
    format = models.CharField(max_length=32)
    file = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    manifest = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["release_id", "format"]
        constraints = [
            models.UniqueConstraint(fields=["release", "format"], name="export_once_per_format"),
        ]

    def __str__(self) -> str:
        return f"{self.format} export of release {self.release_id}"


class ClipOrigin(models.Model):
    """Where a clip of a clip-classification project was cut from: a consensus interval of a
    spotting release, with the padding and the frames actually cut (0-based, inclusive)."""

    clip = models.OneToOneField(Video, on_delete=models.CASCADE, related_name="clip_origin")
    project = models.ForeignKey("core.Project", on_delete=models.CASCADE, related_name="+")
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="clips_cut")
    source_video = models.ForeignKey(
        Video, null=True, on_delete=models.SET_NULL, related_name="clips_cut"
    )
    onset = models.PositiveIntegerField()
    offset = models.PositiveIntegerField()
    pad = models.PositiveIntegerField(default=0)
    first_frame = models.PositiveIntegerField()
    last_frame = models.PositiveIntegerField()
    type = models.CharField(max_length=32, blank=True)
    emotion = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["clip_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "release", "source_video", "onset", "offset", "pad"],
                name="clip_origin_once",
            ),
        ]

    def __str__(self) -> str:
        where = f"[{self.onset}, {self.offset}]"
        return f"clip {self.clip_id} from video {self.source_video_id} {where}"
