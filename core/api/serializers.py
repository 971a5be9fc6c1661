"""Input and output serializers of the kernel's API: auth, projects, members, jobs."""

from __future__ import annotations

from rest_framework import serializers

from core.models import Job, JobEvent, JobState, Membership, Project, Role, TaskKind


class CredentialsInput(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenOutput(serializers.Serializer):
    token = serializers.CharField()


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    is_staff = serializers.BooleanField()


class ProjectCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=64)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    task_kind = serializers.ChoiceField(choices=TaskKind.choices, default=TaskKind.SPOTTING)
    passes_per_item = serializers.IntegerField(min_value=1, max_value=50, required=False)
    single_label_threshold = serializers.IntegerField(min_value=0, max_value=50, required=False)
    label_schema = serializers.JSONField(required=False)

    def validate_label_schema(self, value: object) -> object:
        if not isinstance(value, dict):
            raise serializers.ValidationError("Must be a JSON object.")
        return value


class ProjectUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    passes_per_item = serializers.IntegerField(min_value=1, max_value=50, required=False)
    single_label_threshold = serializers.IntegerField(min_value=0, max_value=50, required=False)
    label_schema = serializers.JSONField(required=False)


class ProjectOutput(serializers.ModelSerializer[Project]):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "task_kind",
            "passes_per_item",
            "single_label_threshold",
            "label_schema",
            "role",
            "created_at",
        ]

    def get_role(self, project: Project) -> str | None:
        """The caller's role in the project."""
        role = getattr(project, "caller_role", None)
        if role is None:
            role = self.context.get("role")
        return role


class MemberInput(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberRoleInput(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberOutput(serializers.ModelSerializer[Membership]):
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["username", "role", "created_at"]


class JobEventOutput(serializers.ModelSerializer[JobEvent]):
    class Meta:
        model = JobEvent
        fields = ["kind", "message", "at"]


class JobOutput(serializers.ModelSerializer[Job]):
    state = serializers.ChoiceField(choices=JobState.choices)
    project = serializers.SerializerMethodField()
    events = JobEventOutput(many=True, read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "kind",
            "state",
            "progress",
            "message",
            "error",
            "result",
            "attempts",
            "project",
            "created_at",
            "started_at",
            "finished_at",
            "events",
        ]

    def get_project(self, job: Job) -> str | None:
        """The slug of the job's project, if it belongs to one."""
        return job.project.slug if job.project is not None else None
