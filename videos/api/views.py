"""The videos API: upload, metadata, exact frames, the proxy with Range, sprite and poster."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse
from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser, MultiPartParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.errors import NotFound, SpotlabError
from core.selectors import project_access, project_access_curating
from videos import selectors, services
from videos.api.ranges import ranged_file_response
from videos.api.serializers import VideoOutput, VideoReceivedOutput, VideoUploadInput
from videos.extensions import detail_extras
from videos.frames import frame_image
from videos.models import Video, VideoStatus
from videos.uploads import (
    HashingUploadHandler,
    max_upload_bytes,
    require_video_content,
    too_large,
)

ERRORS: dict[int, Any] = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}
#: A video that is not ready (409) or whose stored media is missing (404).
MEDIA_ERRORS: dict[int, Any] = {**ERRORS, 409: ErrorSerializer}
BINARY = OpenApiResponse(OpenApiTypes.BINARY)


class JSONOnly(BaseContentNegotiation):
    """Binary views answer with files; ``?format=`` picks an image format, not a renderer."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        return JSONRenderer(), "application/json"


class ProjectVideosView(APIView):
    parser_classes = [MultiPartParser]

    def initialize_request(self, request: Any, *args: Any, **kwargs: Any) -> Request:
        # Before anything reads the body (the CSRF check of a session reads request.POST).
        request.upload_handlers = [HashingUploadHandler(request)]
        return super().initialize_request(request, *args, **kwargs)

    @extend_schema(operation_id="videos_list", responses={200: VideoOutput(many=True), **ERRORS})
    def get(self, request: Request, slug: str) -> Response:
        project, _ = project_access(slug=slug, user=request.user)
        return Response(VideoOutput(selectors.video_list(project=project), many=True).data)

    @extend_schema(
        operation_id="videos_upload",
        request={"multipart/form-data": VideoUploadInput},
        responses={
            201: VideoReceivedOutput,
            200: VideoReceivedOutput,
            413: ErrorSerializer,
            403: ErrorSerializer,
            **ERRORS,
        },
        description=(
            "Upload a video (streamed to storage, never held in memory). 201 with the queued "
            "ingest Job; 200 with `duplicate: true` when the same file (sha256) is already in "
            "the project, which is not stored twice; 413 beyond the size limit; 400 when the "
            "content (its first bytes, never its name) is not a video container."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = project_access_curating(slug=slug, user=request.user)
        limit = max_upload_bytes()
        if int(request.META.get("CONTENT_LENGTH") or 0) > limit + 64 * 1024:
            raise too_large(limit)
        data = VideoUploadInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        container = require_video_content(upload)
        sha256 = getattr(upload, "sha256", None) or services.sha256_of_file(upload)
        received = services.video_receive(
            project=project,
            file=upload,
            sha256=sha256,
            original_name=upload.name or "",
            by=request_user(request),
            subject_code=data.validated_data["subject"],
            subject_metadata=data.validated_data.get("subject_metadata"),
            source=data.validated_data["source"],
            extension=container.extension,
        )
        video = received.video
        body = {
            "id": video.pk,
            "status": video.status,
            "job": video.job_id,
            "duplicate": not received.created,
        }
        return Response(body, status=status.HTTP_201_CREATED if received.created else 200)


class VideoDetailView(APIView):
    @extend_schema(
        operation_id="videos_read",
        responses={200: VideoOutput, **ERRORS},
        description=(
            "The video's metadata. For owners and curators of a clip-classification project "
            "a clip also carries `votes` (per class), `unusable`, `single_label` and `label`."
        ),
    )
    def get(self, request: Request, video_id: int) -> Response:
        video, membership = selectors.video_access(video_id=video_id, user=request.user)
        return Response({**VideoOutput(video).data, **detail_extras(video, membership.role)})


def _ready(video: Video) -> Video:
    if video.status != VideoStatus.READY:
        raise SpotlabError(
            f"The video is {video.status}" + (f": {video.error}" if video.error else "."),
            code="video_not_ready",
            status=409,
        )
    return video


def _stored_name(video: Video, field: str) -> str:
    """The storage name of one of a ready video's files; a 404 (not a 500) when the row names
    none. A named file that is missing is a 404 where it is opened (``ranged_file_response``,
    ``frame_image``): no storage round trip on every request to check first."""
    name = getattr(video, field).name
    if not name:
        raise NotFound(f"Video {video.pk} has no {field} file.")
    return str(name)


class FrameView(APIView):
    content_negotiation_class = JSONOnly

    @extend_schema(
        operation_id="videos_frame",
        parameters=[
            OpenApiParameter("format", str, enum=["jpeg", "png"], description="png is lossless")
        ],
        responses={(200, "image/jpeg"): BINARY, (200, "image/png"): BINARY, **MEDIA_ERRORS},
    )
    def get(self, request: Request, video_id: int, index: int) -> HttpResponse:
        video, _ = selectors.video_access(video_id=video_id, user=request.user)
        _ready(video)
        assert video.n_frames is not None
        if not 0 <= index < video.n_frames:
            raise NotFound(f"No frame {index}: the video has frames 0 to {video.n_frames - 1}.")
        image_format = request.query_params.get("format", "jpeg").lower()
        if image_format not in ("jpeg", "jpg", "png"):
            raise SpotlabError("format must be jpeg or png.", fields={"format": "jpeg or png."})
        png = image_format == "png"
        _stored_name(video, "file")
        _stored_name(video, "probe_file")
        response = HttpResponse(
            frame_image(video, index, "png" if png else "jpeg"),
            content_type="image/png" if png else "image/jpeg",
        )
        response["Cache-Control"] = "private, max-age=86400"
        response["X-Frame-Index"] = str(index)
        return response


class StoredFileView(APIView):
    """A derived file of a ready video, with HTTP Range."""

    content_negotiation_class = JSONOnly
    field = ""
    content_type = ""

    def get(self, request: Request, video_id: int) -> HttpResponseBase:
        video, _ = selectors.video_access(video_id=video_id, user=request.user)
        name = _stored_name(_ready(video), self.field)
        return ranged_file_response(request._request, name, self.content_type)


class ProxyView(StoredFileView):
    field, content_type = "proxy", "video/mp4"

    @extend_schema(
        operation_id="videos_proxy",
        responses={(200, "video/mp4"): BINARY, (206, "video/mp4"): BINARY, **MEDIA_ERRORS},
        description="The browser proxy: H.264 MP4, one frame per source frame at i/fps. "
        "Honours HTTP Range (206 Partial Content).",
    )
    def get(self, request: Request, video_id: int) -> HttpResponseBase:
        return super().get(request, video_id)


class SpriteView(StoredFileView):
    field, content_type = "sprite", "image/jpeg"

    @extend_schema(
        operation_id="videos_sprite", responses={(200, "image/jpeg"): BINARY, **MEDIA_ERRORS}
    )
    def get(self, request: Request, video_id: int) -> HttpResponseBase:
        return super().get(request, video_id)


class PosterView(StoredFileView):
    field, content_type = "poster", "image/jpeg"

    @extend_schema(
        operation_id="videos_poster", responses={(200, "image/jpeg"): BINARY, **MEDIA_ERRORS}
    )
    def get(self, request: Request, video_id: int) -> HttpResponseBase:
        return super().get(request, video_id)
