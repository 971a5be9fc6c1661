"""Passes (assignments) of videos to annotators, their segments, and the audit trail.

A pass belongs to one annotator; no one else but the project's owners and curators may read it
(see selectors.py). Segments are stored in integer frames on the video's canonical timeline,
inclusive: ``onset <= apex <= offset``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from core.models import TimeStampedModel
from videos.models import Video


class PassStatus(models.TextChoices):
    OPEN = "open", "Open"
    SUBMITTED = "submitted", "Submitted"


class PassMode(models.TextChoices):
    BLIND = "blind", "Blind"
    ASSISTED = "assisted", "Assisted (pre-labels shown)"


class SegmentSource(models.TextChoices):
    """Where a segment came from: drawn by hand, a model's proposal as it was, or trimmed."""

    MANUAL = "manual", "Manual"
    ACCEPTED = "accepted", "Accepted proposal"
    EDITED = "edited", "Edited proposal"


class Assignment(TimeStampedModel):
    """One pass: one annotator's independent labelling of one video."""

    video = models.ForeignKey(Video, on_delete=models.CASCADE, related_name="assignments")
    annotator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments"
    )
    pass_index = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=16, choices=PassStatus.choices, default=PassStatus.OPEN)
    mode = models.CharField(max_length=16, choices=PassMode.choices, default=PassMode.BLIND)
    revision = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reopened_reason = models.TextField(blank=True)
    time_spent_s = models.FloatField(default=0.0)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    # Proposals the annotator rejected (assisted passes only), by id.
    rejected_proposals = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["video_id", "pass_index"]
        constraints = [
            models.UniqueConstraint(fields=["video", "annotator"], name="pass_one_per_annotator"),
            models.UniqueConstraint(fields=["video", "pass_index"], name="pass_index_per_video"),
            models.CheckConstraint(condition=models.Q(pass_index__gte=1), name="pass_index_gte_1"),
        ]
        indexes = [models.Index(fields=["annotator", "status"], name="pass_annotator_status")]

    def __str__(self) -> str:
        return f"pass {self.pass_index} of video {self.video_id} by {self.annotator_id}"


class Segment(models.Model):
    """An expression marked in a pass: inclusive frames on the video's timeline."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="segments")
    client_id = models.CharField(max_length=64)
    onset = models.PositiveIntegerField()
    apex = models.PositiveIntegerField(null=True, blank=True)
    offset = models.PositiveIntegerField()
    type = models.CharField(max_length=32)
    emotion = models.CharField(max_length=32, blank=True)
    aus = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    # Provenance: derived on save from the proposal it names (see services.segments_replace).
    source = models.CharField(
        max_length=16, choices=SegmentSource.choices, default=SegmentSource.MANUAL
    )
    proposal = models.ForeignKey(
        "inference.Proposal",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="segments",
    )

    class Meta:
        ordering = ["assignment_id", "onset", "offset", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "client_id"], name="segment_client_id_per_pass"
            ),
            models.CheckConstraint(
                condition=models.Q(onset__lte=models.F("offset")), name="segment_onset_le_offset"
            ),
            models.CheckConstraint(
                condition=models.Q(apex__isnull=True)
                | (models.Q(apex__gte=models.F("onset")) & models.Q(apex__lte=models.F("offset"))),
                name="segment_apex_inside",
            ),
        ]

    def __str__(self) -> str:
        return f"[{self.onset}, {self.offset}] {self.type}"

    def as_dict(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "onset": self.onset,
            "apex": self.apex,
            "offset": self.offset,
            "type": self.type,
            "emotion": self.emotion,
            "aus": list(self.aus),
            "note": self.note,
            "source": self.source,
            "proposal": self.proposal_id,
        }


class Vote(models.Model):
    """A clip-classification pass's one vote: a class of the project's schema, or
    ``unusable`` (no usable face), with an optional intensity and structured caption."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="vote")
    label = models.CharField(max_length=32)
    intensity = models.PositiveSmallIntegerField(null=True, blank=True)
    # {"emotion": a sentence on the overall emotion, "actions": one on the facial actions}
    caption = models.JSONField(null=True, blank=True)
    voted_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["assignment_id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(intensity__isnull=True)
                | (models.Q(intensity__gte=1) & models.Q(intensity__lte=5)),
                name="vote_intensity_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} in pass {self.assignment_id}"

    def as_dict(self) -> dict[str, object]:
        return {"label": self.label, "intensity": self.intensity, "caption": self.caption}


class SegmentChange(models.Model):
    """The audit trail: every change to a segment, with who, when, before and after."""

    class Action(models.TextChoices):
        CREATED = "created"
        UPDATED = "updated"
        DELETED = "deleted"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="changes")
    client_id = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    revision = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.client_id} at revision {self.revision}"


class PassEvent(models.Model):
    """Submissions and reopenings of a pass (who, when, why)."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted"
        REOPENED = "reopened"

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assignment_id", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.assignment_id}"
