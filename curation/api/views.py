"""The agreement API, for owners and curators only (404 for annotators: blindness)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation.selectors import curating_project_access
from core.api.exceptions import ErrorSerializer
from core.errors import NotFound
from core.selectors import role_can_curate
from curation.models import VideoAgreement
from videos.selectors import video_access

ERRORS: dict[int, Any] = {401: ErrorSerializer, 404: ErrorSerializer}


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
        responses={200: dict, **ERRORS},
        description="Per-video headline figures, lowest frame-label alpha first.",
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = curating_project_access(slug=slug, user=request.user)
        rows = (
            VideoAgreement.objects.filter(video__project=project)
            .select_related("video")
            .order_by("frame_alpha", "video_id")
        )
        videos = [
            {
                "video": row.video_id,
                "name": row.video.original_name,
                "n_passes": row.n_passes,
                "frame_alpha": row.frame_alpha,
                "mean_pairwise_f1": row.mean_pairwise_f1,
            }
            for row in rows
        ]
        alphas = [row.frame_alpha for row in rows if row.frame_alpha is not None]
        f1s = [row.mean_pairwise_f1 for row in rows if row.mean_pairwise_f1 is not None]
        return Response(
            {
                "videos": videos,
                "mean_frame_alpha": sum(alphas) / len(alphas) if alphas else None,
                "mean_pairwise_f1": sum(f1s) / len(f1s) if f1s else None,
            }
        )
