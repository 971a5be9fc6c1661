"""Input and output serializers of the videos API."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from videos.models import SourceKind, Video


class VideoUploadInput(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False, use_url=False)
    subject = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    subject_metadata = serializers.JSONField(required=False)
    # The contract's name for the kind of recording; it shadows Field.source only in the stubs.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=SourceKind.choices, default=SourceKind.OTHER
    )

    def validate_subject_metadata(self, value: Any) -> Any:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object (e.g. age, sex, ethnicity).")
        return value


class VideoReceivedOutput(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    job = serializers.UUIDField(allow_null=True)
    duplicate = serializers.BooleanField()


class VideoOutput(serializers.ModelSerializer[Video]):
    project = serializers.CharField(source="project.slug")
    subject = serializers.CharField(source="subject.code", allow_null=True, default=None)
    job = serializers.UUIDField(source="job_id", allow_null=True)
    sprite = serializers.JSONField(source="sprite_meta")
    # Clip classification, curators only (added by curation; absent otherwise). Not read_only:
    # drf-spectacular lists every read-only field as required, and these may be absent.
    votes = serializers.DictField(child=serializers.IntegerField(), required=False)
    unusable = serializers.IntegerField(required=False)
    single_label = serializers.BooleanField(required=False)
    # The single label, when there is one. The name shadows Field.label only in the stubs.
    label = serializers.CharField(required=False)  # type: ignore[assignment]

    class Meta:
        model = Video
        fields = [
            "id",
            "project",
            "subject",
            "source",
            "original_name",
            "status",
            "error",
            "job",
            "sha256",
            "size_bytes",
            "container",
            "codec",
            "width",
            "height",
            "rotation",
            "fps_num",
            "fps_den",
            "time_base_num",
            "time_base_den",
            "n_frames",
            "duration_s",
            "vfr",
            "has_audio",
            "audio_codec",
            "proxy_width",
            "proxy_height",
            "sprite",
            "created_at",
            "votes",
            "unusable",
            "single_label",
            "label",
        ]
