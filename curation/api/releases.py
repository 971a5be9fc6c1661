"""The releases API: freeze, read, diff, export, cut clips, import labels (curators only)."""

from __future__ import annotations

from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors import curating_project_access
from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.api.jobs import job_accepted, queue_job
from core.api.serializers import JobOutput
from core.errors import NotFound, SpotlabError
from core.models import Membership
from core.selectors import role_can_curate
from curation import services, tasks
from curation.evaluation import EvaluationError
from curation.formats.registry import FORMAT_NAMES
from curation.models import Release, ReleaseExport
from curation.scoring import SCORING_FORMATS, score_files

ERRORS: dict[int, Any] = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
}


def release_access(*, release_id: int, user: Any) -> Release:
    """A release of a project the caller owns or curates; 404 for anyone else."""
    release = (
        Release.objects.select_related("project", "consensus_version", "created_by")
        .filter(pk=release_id)
        .first()
    )
    if release is not None and user.is_authenticated:
        membership = Membership.objects.filter(project=release.project, user_id=user.pk).first()
        if membership is not None and role_can_curate(membership.role):
            return release
    raise NotFound("No such release.")


def export_url(export: ReleaseExport) -> str:
    return f"/api/v1/releases/{export.release_id}/exports/{export.format}/"


class ReleaseOutput(serializers.ModelSerializer[Release]):
    project = serializers.CharField(source="project.slug")
    # null for a clip-classification release (its labels are votes).
    consensus_version = serializers.IntegerField(
        source="consensus_version.number", allow_null=True, default=None
    )
    created_by = serializers.CharField(source="created_by.username", allow_null=True)
    sha256 = serializers.CharField(source="data_sha256")
    exports = serializers.SerializerMethodField()

    class Meta:
        model = Release
        fields = [
            "id", "name", "project", "consensus_version", "split", "folds", "counts",
            "software_version", "sha256", "created_at", "created_by", "exports",
        ]  # fmt: skip

    def get_exports(self, release: Release) -> list[dict[str, Any]]:
        return [
            {
                "format": export.format,
                "sha256": export.sha256,
                "bytes": export.size,
                "download": export_url(export),
            }
            for export in release.exports.all()
        ]


class ReleaseInput(serializers.Serializer):
    name = serializers.RegexField(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    split = serializers.DictField(default=lambda: {"kind": "kfold", "k": 5, "seed": 0})
    consensus_version = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class ProjectReleasesView(APIView):
    @extend_schema(
        operation_id="releases_list", responses={200: ReleaseOutput(many=True), **ERRORS}
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        releases = project.releases.select_related(
            "project", "consensus_version", "created_by"
        ).prefetch_related("exports")
        return Response(ReleaseOutput(releases, many=True).data)

    @extend_schema(
        operation_id="releases_create",
        request=ReleaseInput,
        responses={201: ReleaseOutput, **ERRORS},
        description=(
            "Freeze a consensus version (default: the latest) with its raw passes, split and "
            "software version; in a clip-classification project, every clip with its votes, "
            "the single-labelled clips split by subject. Split specs: {kind: kfold, k, seed}, "
            "{kind: loso}, {kind: holdout, test_ratio, seed}, {kind: group, attribute}; always "
            "by subject."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = ReleaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        release = services.release_create(
            project=project,
            by=request_user(request),
            name=data.validated_data["name"],
            split=data.validated_data["split"],
            consensus_version=data.validated_data.get("consensus_version"),
        )
        return Response(ReleaseOutput(release).data, status=status.HTTP_201_CREATED)


class ReleaseDetailView(APIView):
    @extend_schema(operation_id="releases_detail", responses={200: ReleaseOutput, **ERRORS})
    def get(self, request: Request, release_id: int) -> Response:
        release = release_access(release_id=release_id, user=request.user)
        return Response(ReleaseOutput(release).data)


class ExportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMAT_NAMES)


class ClipsInput(serializers.Serializer):
    pad = serializers.IntegerField(min_value=0, max_value=1000, default=0)
    frames = serializers.BooleanField(default=False)


def enqueue(
    request: Request, release: Release, kind: str, task: Any, kwargs: dict[str, Any]
) -> Response:
    """Queue ``task`` for the release as a Job of its project; 202 with the Job."""
    job = queue_job(
        request,
        project=release.project,
        kind=kind,
        task=task,
        kwargs={"release_id": release.pk, **kwargs},
    )
    return job_accepted(job)


class ReleaseExportsView(APIView):
    @extend_schema(
        operation_id="releases_export",
        request=ExportInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job that writes the release in a benchmark format into a zip with a "
            "MANIFEST.json (sha256 of every file); its result names the download URL."
        ),
    )
    def post(self, request: Request, release_id: int) -> Response:
        release = release_access(release_id=release_id, user=request.user)
        data = ExportInput(data=request.data)
        data.is_valid(raise_exception=True)
        kwargs = {"format_name": data.validated_data["format"]}
        return enqueue(request, release, "release_export", tasks.release_export, kwargs)


class ReleaseClipsView(APIView):
    @extend_schema(
        operation_id="releases_clips",
        request=ClipsInput,
        responses={202: JobOutput, **ERRORS},
        description=(
            "A job on the media queue that cuts every consensus interval (with optional "
            "padding) frame-exactly into MP4 clips or image folders, in one zip."
        ),
    )
    def post(self, request: Request, release_id: int) -> Response:
        release = release_access(release_id=release_id, user=request.user)
        data = ClipsInput(data=request.data)
        data.is_valid(raise_exception=True)
        return enqueue(request, release, "release_clips", tasks.release_clips, data.validated_data)


class ReleaseDownloadView(APIView):
    @extend_schema(
        operation_id="releases_download",
        responses={(200, "application/zip"): bytes, **ERRORS},
        description="The zip of a finished export.",
    )
    def get(self, request: Request, release_id: int, format_name: str) -> FileResponse:
        release = release_access(release_id=release_id, user=request.user)
        export = ReleaseExport.objects.filter(release=release, format=format_name).first()
        if export is None:
            raise NotFound(f"No {format_name} export of this release yet: request one first.")
        return FileResponse(
            default_storage.open(export.file, "rb"),
            as_attachment=True,
            filename=f"{release.name}-{format_name}.zip",
            content_type="application/zip",
        )


class ReleaseDiffView(APIView):
    @extend_schema(
        operation_id="releases_diff",
        parameters=[OpenApiParameter("against", int, required=True)],
        responses={200: dict, **ERRORS},
        description=(
            "Consensus segments added, removed and changed from release `against` to this one "
            "(segments paired per video by the optimal matching at IoU >= 0.5)."
        ),
    )
    def get(self, request: Request, release_id: int) -> Response:
        new = release_access(release_id=release_id, user=request.user)
        against = request.query_params.get("against", "")
        if not against.isdigit():
            raise NotFound("Name the release to compare with: ?against=<release id>.")
        old = release_access(release_id=int(against), user=request.user)
        return Response(services.release_diff(old=old, new=new))


class ImportInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=FORMAT_NAMES)
    file = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=50)
    fps = serializers.FloatField(min_value=0.001, required=False, allow_null=True)


class ProjectImportsView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="labels_import",
        request={"multipart/form-data": ImportInput},
        responses={201: dict, **ERRORS},
        description=(
            "Import a label file (one or more `file` parts, e.g. DFEW's set CSVs) into a new "
            "consensus version. A malformed file imports nothing and the error names the row "
            "and column; skipped rows are listed with their reasons. `fps` converts frames "
            "from a sheet's frame rate to each video's."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        files = {upload.name: upload.read() for upload in data.validated_data["file"]}
        report = services.labels_import(
            project=project,
            by=request_user(request),
            format_name=data.validated_data["format"],
            files=files,
            fps=data.validated_data.get("fps"),
            source=", ".join(sorted(files)),
        )
        return Response(report, status=status.HTTP_201_CREATED)


class EvaluateInput(serializers.Serializer):
    format = serializers.ChoiceField(choices=SCORING_FORMATS)
    ground_truth = serializers.FileField()
    predictions = serializers.FileField()
    fps = serializers.FloatField(min_value=0.001, required=False, allow_null=True)


class EvaluateView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="evaluate",
        request={"multipart/form-data": EvaluateInput},
        responses={200: dict, 400: ErrorSerializer, 401: ErrorSerializer},
        description=(
            "Score a predictions file against a ground-truth file: MEGC spotting F1 (macro, "
            "micro, overall), ActivityNet mAP over tIoU 0.5:0.05:0.95, or UAR/WAR; every score "
            "names its matching rule. Touches no project data."
        ),
    )
    def post(self, request: Request) -> Response:
        data = EvaluateInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            scores = score_files(
                data.validated_data["format"],
                data.validated_data["ground_truth"].read(),
                data.validated_data["predictions"].read(),
                fps=data.validated_data.get("fps"),
            )
        except EvaluationError as error:
            raise SpotlabError(str(error), code="bad_scoring_input") from error
        return Response(scores)
