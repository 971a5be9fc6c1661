"""Input and output serializers of the annotation API."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation.models import Assignment, PassEvent, PassMode, SegmentChange, Vote


class DealInput(serializers.Serializer):
    annotators = serializers.ListField(
        child=serializers.CharField(max_length=150), required=False, allow_empty=False
    )
    seed = serializers.IntegerField(required=False, default=0)
    mode = serializers.ChoiceField(choices=PassMode.choices, default=PassMode.BLIND)


class CooccurrenceOutput(serializers.Serializer):
    min = serializers.IntegerField()
    max = serializers.IntegerField()
    mean = serializers.FloatField()
    std = serializers.FloatField()
    spread = serializers.IntegerField()


class DealOutput(serializers.Serializer):
    created = serializers.IntegerField()
    load = serializers.DictField(child=serializers.IntegerField())
    cooccurrence = CooccurrenceOutput()


class SegmentIO(serializers.Serializer):
    client_id = serializers.CharField(max_length=64)
    onset = serializers.IntegerField(min_value=0)
    apex = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    offset = serializers.IntegerField(min_value=0)
    type = serializers.CharField(max_length=32)
    emotion = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    aus = serializers.ListField(
        child=serializers.CharField(max_length=8), required=False, default=list
    )
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    # The proposal (assisted passes) the segment came from; ``source`` is derived from it.
    proposal = serializers.IntegerField(
        source="proposal_id", min_value=1, required=False, allow_null=True, default=None
    )
    # DRF pops declared fields off the class; the name only shadows Field.source for mypy.
    source = serializers.CharField(read_only=True)  # type: ignore[assignment]


class SegmentsInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    segments = SegmentIO(many=True)
    rejected_proposals = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, max_length=10_000
    )


class RevisionOutput(serializers.Serializer):
    revision = serializers.IntegerField()


class CaptionIO(serializers.Serializer):
    emotion = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    actions = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


class VoteInput(serializers.Serializer):
    revision = serializers.IntegerField(min_value=0)
    # The contract's field name; it shadows Field.label only in the stubs.
    label = serializers.CharField(max_length=32)  # type: ignore[assignment]
    intensity = serializers.IntegerField(
        min_value=1, max_value=5, required=False, allow_null=True, default=None
    )
    caption = CaptionIO(required=False, allow_null=True, default=None)
    submit = serializers.BooleanField(required=False, default=True)


class VoteOutput(serializers.ModelSerializer[Vote]):
    intensity = serializers.IntegerField(allow_null=True)
    caption = CaptionIO(allow_null=True)

    class Meta:
        model = Vote
        fields = ["label", "intensity", "caption", "voted_at"]


class VoteResultOutput(serializers.Serializer):
    revision = serializers.IntegerField()
    status = serializers.CharField()


class ModeInput(serializers.Serializer):
    mode = serializers.ChoiceField(choices=PassMode.choices)


class ReopenInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ActivityInput(serializers.Serializer):
    seconds = serializers.FloatField(min_value=0)


class ActivityOutput(serializers.Serializer):
    time_spent_s = serializers.FloatField()


class AssignmentSummaryOutput(serializers.ModelSerializer[Assignment]):
    project = serializers.CharField(source="video.project.slug")
    video_name = serializers.CharField(source="video.original_name")
    n_frames = serializers.IntegerField(source="video.n_frames")
    annotator = serializers.CharField(source="annotator.username")
    task_kind = serializers.CharField(source="video.project.task_kind")
    segment_count = serializers.IntegerField()
    vote_label = serializers.CharField(source="vote.label", allow_null=True, default=None)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "video",
            "video_name",
            "n_frames",
            "pass_index",
            "annotator",
            "task_kind",
            "status",
            "mode",
            "revision",
            "segment_count",
            "vote_label",
            "time_spent_s",
            "submitted_at",
        ]


class AssignmentOutput(serializers.ModelSerializer[Assignment]):
    project = serializers.CharField(source="video.project.slug")
    annotator = serializers.CharField(source="annotator.username")
    task_kind = serializers.CharField(source="video.project.task_kind")
    segments = SegmentIO(many=True, source="segments.all")
    vote = serializers.SerializerMethodField()
    label_schema = serializers.JSONField(source="video.project.label_schema")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "video",
            "pass_index",
            "annotator",
            "task_kind",
            "status",
            "mode",
            "revision",
            "time_spent_s",
            "submitted_at",
            "reopened_reason",
            "rejected_proposals",
            "segments",
            "vote",
            "label_schema",
        ]

    @extend_schema_field(VoteOutput(allow_null=True))
    def get_vote(self, assignment: Assignment) -> dict[str, object] | None:
        """The pass's own vote (clip classification), or null."""
        vote = Vote.objects.filter(assignment=assignment).first()
        return None if vote is None else dict(VoteOutput(vote).data)


class SegmentChangeOutput(serializers.ModelSerializer[SegmentChange]):
    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = SegmentChange
        fields = ["client_id", "action", "before", "after", "revision", "by", "at"]


class PassEventOutput(serializers.ModelSerializer[PassEvent]):
    by = serializers.CharField(source="by.username", allow_null=True, default=None)

    class Meta:
        model = PassEvent
        fields = ["kind", "reason", "by", "at"]


class HistoryOutput(serializers.Serializer):
    """A pass's audit trail: its segment changes and its pass events, oldest first."""

    changes = SegmentChangeOutput(many=True)
    events = PassEventOutput(many=True)
