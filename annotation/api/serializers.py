"""Input and output serializers of the annotation API."""

from __future__ import annotations

from rest_framework import serializers

from annotation.models import Assignment, PassEvent, PassMode, SegmentChange


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
    segment_count = serializers.IntegerField()

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
            "status",
            "mode",
            "revision",
            "segment_count",
            "time_spent_s",
            "submitted_at",
        ]


class AssignmentOutput(serializers.ModelSerializer[Assignment]):
    project = serializers.CharField(source="video.project.slug")
    annotator = serializers.CharField(source="annotator.username")
    segments = SegmentIO(many=True, source="segments.all")
    label_schema = serializers.JSONField(source="video.project.label_schema")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "video",
            "pass_index",
            "annotator",
            "status",
            "mode",
            "revision",
            "time_spent_s",
            "submitted_at",
            "reopened_reason",
            "rejected_proposals",
            "segments",
            "label_schema",
        ]


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
