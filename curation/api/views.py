"""The agreement API, for owners and curators only (404 for annotators: blindness)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors import curating_project_access
from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.errors import NotFound
from core.selectors import role_can_curate
from curation import selectors, services
from curation.models import ConsensusMethod, ConsensusSegment, ConsensusVersion, VideoAgreement
from videos.selectors import video_access

ERRORS: dict[int, Any] = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}


class VideoAgreementView(APIView):
    @extend_schema(
        operation_id="videos_agreement",
        responses={200: dict, **ERRORS},
        description=(
            "Every agreement statistic of the video's submitted passes: clusters and their "
            "support, pairwise and leave-one-out detection F1 at IoU >= 0.5, Krippendorff's "
            "alpha on frame labels, durations, type, emotion and AUs, unitizing alpha, boundary "
            "precision and per-annotator figures. Undefined statistics are null with a reason."
        ),
    )
    def get(self, request: Request, video_id: int) -> Response:
        video, membership = video_access(video_id=video_id, user=request.user)
        if not role_can_curate(membership.role):
            raise NotFound("No such video.")
        agreement = VideoAgreement.objects.filter(video=video).first()
        if agreement is None:
            return Response(
                {
                    "video": video.pk,
                    "status": "waiting",
                    "detail": "Agreement needs at least two submitted passes.",
                }
            )
        return Response(
            {
                "video": video.pk,
                "status": "computed",
                "n_passes": agreement.n_passes,
                "computed_at": agreement.computed_at,
                **agreement.data,
            }
        )


class ProjectAgreementView(APIView):
    @extend_schema(
        operation_id="projects_agreement",
        parameters=[
            OpenApiParameter(
                "floor", float, description="agreement floor for the queue (default 0.667)"
            )
        ],
        responses={200: dict, **ERRORS},
        description=(
            "Per-video headline figures, lowest frame-label alpha first, the queue of videos "
            "below the floor, per-annotator figures pooled over the project, progress per pass "
            "and the distribution of boundary deviations."
        ),
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        floor = FloorInput(data=request.query_params)
        floor.is_valid(raise_exception=True)
        return Response(
            selectors.project_agreement(project=project, floor=floor.validated_data["floor"])
        )


class FloorInput(serializers.Serializer):
    floor = serializers.FloatField(
        min_value=-1.0, max_value=1.0, default=selectors.DEFAULT_AGREEMENT_FLOOR
    )


class AnnotatorAgreementView(APIView):
    @extend_schema(
        operation_id="projects_annotator_agreement",
        responses={200: dict, **ERRORS},
        description=(
            "One annotator's figures per submitted pass in submission order (leave-one-out "
            "F1, alpha without them, onset/offset bias, time) and their drift over time."
        ),
    )
    def get(self, request: Request, slug: str, username: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        return Response(selectors.annotator_timeline(project=project, username=username))


class VideoPassesView(APIView):
    @extend_schema(
        operation_id="videos_passes",
        responses={200: {"type": "array", "items": {"type": "object"}}, **ERRORS},
        description="Every pass of the video with its segments (curators and owners only).",
    )
    def get(self, request: Request, video_id: int) -> Response:
        video, membership = video_access(video_id=video_id, user=request.user)
        if not role_can_curate(membership.role):
            raise NotFound("No such video.")
        return Response(selectors.video_passes(video=video))


class ConsensusBuildInput(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=ConsensusMethod.choices, default=ConsensusMethod.MEDIAN
    )
    min_support = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, default=None
    )


class ConsensusSegmentOutput(serializers.ModelSerializer[ConsensusSegment]):
    class Meta:
        model = ConsensusSegment
        fields = [
            "id", "onset", "apex", "offset", "type", "emotion", "aus", "support", "n_passes",
            "needs_curator", "reasons", "member_segment_ids", "spread",
        ]  # fmt: skip


def base_number(version: ConsensusVersion) -> int | None:
    return version.based_on.number if version.based_on is not None else None


class ProjectConsensusView(APIView):
    @extend_schema(
        operation_id="projects_consensus_build",
        request=ConsensusBuildInput,
        responses={201: dict, **ERRORS},
        description=(
            "Build a new consensus version from the submitted passes of every video: clusters "
            "with support >= min_support (default: a majority of the passes), boundaries by "
            "the method, labels by vote with ties flagged for a curator."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        data = ConsensusBuildInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.consensus_build(
            project=project, by=request_user(request), **data.validated_data
        )
        segments = version.segments.all()
        return Response(
            {
                "version": version.number,
                "method": version.method,
                "segments": segments.count(),
                "videos": segments.values("video").distinct().count(),
                "needs_curator": segments.filter(needs_curator=True).count(),
            },
            status=status.HTTP_201_CREATED,
        )


class AdjudicatedSegmentInput(serializers.Serializer):
    onset = serializers.IntegerField(min_value=0)
    apex = serializers.IntegerField(min_value=0, required=False, allow_null=True, default=None)
    offset = serializers.IntegerField(min_value=0)
    type = serializers.CharField(max_length=32)
    emotion = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    aus = serializers.ListField(child=serializers.CharField(max_length=8), required=False)
    member_segment_ids = serializers.ListField(child=serializers.IntegerField(), required=False)


class AdjudicateInput(serializers.Serializer):
    base_version = serializers.IntegerField(min_value=1)
    segments = AdjudicatedSegmentInput(many=True)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class VideoConsensusView(APIView):
    @extend_schema(
        operation_id="videos_consensus_adjudicate",
        request=AdjudicateInput,
        responses={201: dict, 409: ErrorSerializer, **ERRORS},
        description=(
            "A curator decides this video's consensus: a new version with these segments and "
            "every other video's unchanged. 409 when base_version is not the latest."
        ),
    )
    def post(self, request: Request, video_id: int) -> Response:
        video, membership = video_access(video_id=video_id, user=request.user)
        if not role_can_curate(membership.role):
            raise NotFound("No such video.")
        data = AdjudicateInput(data=request.data)
        data.is_valid(raise_exception=True)
        version = services.consensus_adjudicate(
            video=video, by=request_user(request), **data.validated_data
        )
        return Response(
            {"version": version.number, "based_on": base_number(version)},
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        operation_id="videos_consensus",
        parameters=[OpenApiParameter("version", int, description="default: the latest")],
        responses={200: dict, **ERRORS},
    )
    def get(self, request: Request, video_id: int) -> Response:
        video, membership = video_access(video_id=video_id, user=request.user)
        if not role_can_curate(membership.role):
            raise NotFound("No such video.")
        versions = ConsensusVersion.objects.filter(project=video.project)
        wanted = request.query_params.get("version")
        version = (
            versions.filter(number=int(wanted)).first()
            if wanted and wanted.isdigit()
            else versions.order_by("-number").first()
        )
        if version is None:
            raise NotFound("No consensus has been built for this project yet.")
        segments = version.segments.filter(video=video)
        return Response(
            {
                "video": video.pk,
                "version": version.number,
                "method": version.method,
                "segments": ConsensusSegmentOutput(segments, many=True).data,
            }
        )
