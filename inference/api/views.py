"""The inference API: features, the spotter registry, pre-label runs and proposals.

Models, runs and features are for the project's owners and curators (404 for anyone else).
Proposals are read by curators and by annotators holding an assisted pass of the video; an
annotator whose pass of it is blind gets a 403, so that blind passes stay blind.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.models import Assignment, PassMode
from annotation.selectors import curating_project_access
from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.api.jobs import job_accepted, queue_job
from core.api.serializers import JobOutput
from core.errors import NotFound, PermissionDenied, SpotlabError
from core.models import Membership
from core.selectors import role_can_curate
from curation.models import Release
from inference import services, tasks
from inference.models import ModelKind, PrelabelRun, Proposal, SpotterModel
from videos.models import Video, VideoStatus

ERRORS: dict[int, Any] = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}


class SpotterModelOutput(serializers.ModelSerializer[SpotterModel]):
    release = serializers.IntegerField(source="release_id", allow_null=True)
    created_by = serializers.CharField(source="created_by.username", allow_null=True, default=None)
    job = serializers.UUIDField(source="job_id", allow_null=True)

    class Meta:
        model = SpotterModel
        fields = [
            "id", "name", "version", "kind", "release", "fold", "hyperparameters",
            "training_data_hash", "training_videos", "held_out_videos", "metrics", "device",
            "training_s", "job", "created_by", "created_at",
        ]  # fmt: skip


class ModelInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ModelKind.choices)
    release = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    fold = serializers.IntegerField(min_value=0, default=0)
    hyperparameters = serializers.DictField(required=False, default=dict)


class PrelabelRunOutput(serializers.ModelSerializer[PrelabelRun]):
    model = serializers.IntegerField(source="model_id")
    model_name = serializers.CharField(source="model.name")
    job = serializers.UUIDField(source="job_id", allow_null=True)

    class Meta:
        model = PrelabelRun
        fields = [
            "id",
            "model",
            "model_name",
            "videos",
            "counts",
            "job",
            "created_at",
            "finished_at",
        ]


class PrelabelInput(serializers.Serializer):
    model = serializers.IntegerField(min_value=1)
    videos = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=100_000,
    )


class FeaturesInput(serializers.Serializer):
    videos = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, allow_empty=False
    )
    force = serializers.BooleanField(default=False)


class ProposalOutput(serializers.ModelSerializer[Proposal]):
    model = serializers.IntegerField(source="model_id")
    model_name = serializers.CharField(source="model.name")

    class Meta:
        model = Proposal
        fields = ["id", "onset", "offset", "type", "score", "model", "model_name"]


class ProjectModelsView(APIView):
    @extend_schema(
        operation_id="models_list", responses={200: SpotterModelOutput(many=True), **ERRORS}
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        models = project.spotters.select_related("created_by")
        return Response(SpotterModelOutput(models, many=True).data)

    @extend_schema(
        operation_id="models_create",
        request=ModelInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job on the gpu queue that builds the cold-start baseline (`baseline`, thresholds "
            "calibrated on the release's training split when a release is given) or trains the "
            "temporal network (`trained`, needs `release`) on fold `fold` of the release, scores "
            "it on the fold's held-out videos with the MEGC rule and registers it. Its result "
            "names the model."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = ModelInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        release_id = values["release"]
        if release_id is not None:
            release = Release.objects.filter(pk=release_id, project=project).first()
            if release is None:
                raise NotFound(f"No release {release_id} in this project.")
            if values["fold"] >= len(release.folds):
                raise SpotlabError(
                    f"Release {release_id} has {len(release.folds)} folds.",
                    fields={"fold": [f"Choose 0 to {len(release.folds) - 1}."]},
                )
        elif values["kind"] == ModelKind.TRAINED:
            raise SpotlabError(
                "A trained spotter learns from a release's consensus: name the release.",
                fields={"release": ["Required for a trained spotter."]},
            )
        kwargs = {
            "project_id": project.pk,
            "kind": values["kind"],
            "release_id": release_id,
            "fold": values["fold"],
            "hyperparameters": values["hyperparameters"],
        }
        job = queue_job(
            request, project=project, kind="model_build", task=tasks.model_build, kwargs=kwargs
        )
        return job_accepted(job)


def model_access(*, model_id: int, user: Any) -> SpotterModel:
    model = SpotterModel.objects.select_related("project", "created_by").filter(pk=model_id).first()
    if model is not None and user.is_authenticated:
        membership = Membership.objects.filter(project=model.project, user_id=user.pk).first()
        if membership is not None and role_can_curate(membership.role):
            return model
    raise NotFound("No such model.")


class ModelDetailView(APIView):
    @extend_schema(operation_id="models_read", responses={200: SpotterModelOutput, **ERRORS})
    def get(self, request: Request, model_id: int) -> Response:
        return Response(SpotterModelOutput(model_access(model_id=model_id, user=request.user)).data)


class ProjectPrelabelRunsView(APIView):
    @extend_schema(
        operation_id="prelabel_runs_list", responses={200: PrelabelRunOutput(many=True), **ERRORS}
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        runs = project.prelabel_runs.select_related("model")
        return Response(PrelabelRunOutput(runs, many=True).data)

    @extend_schema(
        operation_id="prelabel_runs_create",
        request=PrelabelInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job on the gpu queue that runs model `model` over `videos` (default: every ready "
            "video), computing missing features first, and writes its proposals. Running again "
            "replaces a video's proposals of that model; nothing is duplicated."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = PrelabelInput(data=request.data)
        data.is_valid(raise_exception=True)
        model = SpotterModel.objects.filter(
            pk=data.validated_data["model"], project=project
        ).first()
        if model is None:
            raise NotFound(f"No model {data.validated_data['model']} in this project.")
        with transaction.atomic():
            run = services.prelabel_run_create(
                project=project,
                model=model,
                video_ids=data.validated_data.get("videos"),
                by=request_user(request),
            )
            run.job = queue_job(
                request,
                project=project,
                kind="prelabel",
                task=tasks.prelabel,
                kwargs={"run_id": run.pk},
            )
            run.save(update_fields=["job"])
        return job_accepted(run.job)


class ProjectFeaturesView(APIView):
    @extend_schema(
        operation_id="features_compute",
        request=FeaturesInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job on the media queue that computes the regional facial motion of `videos` "
            "(default: every ready video without current features), stored beside each video."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = FeaturesInput(data=request.data)
        data.is_valid(raise_exception=True)
        ready = Video.objects.filter(project=project, status=VideoStatus.READY)
        wanted = data.validated_data.get("videos")
        if wanted is not None:
            chosen = sorted(set(ready.filter(pk__in=wanted).values_list("pk", flat=True)))
            missing = sorted(set(wanted) - set(chosen))
            if missing:
                raise SpotlabError(
                    f"Video {missing[0]} is not a ready video of this project.",
                    fields={"videos": [f"{missing[0]} is not a ready video of this project."]},
                )
        else:
            if not data.validated_data["force"]:
                ready = ready.exclude(motion_features__params=services.feature_params())
            chosen = list(ready.order_by("pk").values_list("pk", flat=True))
        kwargs = {"video_ids": chosen, "force": data.validated_data["force"]}
        job = queue_job(
            request, project=project, kind="features", task=tasks.features_compute, kwargs=kwargs
        )
        return job_accepted(job)


class VideoProposalsView(APIView):
    @extend_schema(
        operation_id="videos_proposals",
        parameters=[OpenApiParameter("model", int, description="one model's (default: latest)")],
        responses={200: ProposalOutput(many=True), **ERRORS},
        description=(
            "The proposals of the newest model that pre-labelled this video (or of `model`), by "
            "onset. Curators and annotators holding an assisted pass of the video only; an "
            "annotator whose pass is blind gets 403."
        ),
    )
    def get(self, request: Request, video_id: int) -> Response:
        video = Video.objects.select_related("project").filter(pk=video_id).first()
        user = request.user
        membership = (
            Membership.objects.filter(project=video.project, user_id=user.pk).first()
            if video is not None and user.is_authenticated
            else None
        )
        if video is None or membership is None:
            raise NotFound("No such video.")
        if not role_can_curate(membership.role):
            passes = Assignment.objects.filter(video=video, annotator_id=user.pk)
            if not passes.exists():
                raise NotFound("No such video.")
            if not passes.filter(mode=PassMode.ASSISTED).exists():
                raise PermissionDenied("Proposals are shown in assisted passes only.")
        proposals = Proposal.objects.filter(video=video).select_related("model")
        chosen = request.query_params.get("model")
        if chosen is not None:
            if not chosen.isdigit():
                raise SpotlabError("`model` is a model id.", fields={"model": ["Not an id."]})
            proposals = proposals.filter(model_id=int(chosen))
        else:
            latest = proposals.order_by("-model__version").values_list("model_id", flat=True)
            proposals = proposals.filter(model_id=latest.first())
        return Response(ProposalOutput(proposals.order_by("onset", "offset", "id"), many=True).data)
