"""Views of the kernel's API. Each parses input, calls one service or selector, renders output."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate, login, logout
from django.db import connection
from django.utils.decorators import method_decorator
from django.views.decorators.csrf import csrf_protect, ensure_csrf_cookie
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core import selectors, services
from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.api.serializers import (
    CredentialsInput,
    JobOutput,
    MemberInput,
    MemberOutput,
    ProjectCreateInput,
    ProjectOutput,
    ProjectUpdateInput,
    TokenOutput,
    UserOutput,
)
from core.errors import PermissionDenied, SpotlabError

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}
#: Logins are throttled (the ``login`` rate): 429 with the error shape.
LOGIN_ERRORS = {**ERRORS, 429: ErrorSerializer}


def _authenticate(request: Request) -> Any:
    data = CredentialsInput(data=request.data)
    data.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        username=data.validated_data["username"],
        password=data.validated_data["password"],
    )
    if user is None or not user.is_active:
        raise SpotlabError("Wrong username or password.", code="invalid_credentials", status=400)
    return user


class HealthView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []

    @extend_schema(operation_id="health", responses={200: dict})
    def get(self, request: Request) -> Response:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok", "database": connection.vendor})


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list[type] = []
    throttle_scope = "login"

    def get_throttles(self) -> list[Any]:
        return [ScopedRateThrottle()]

    @extend_schema(
        operation_id="auth_token",
        request=CredentialsInput,
        responses={200: TokenOutput, **LOGIN_ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


@method_decorator(ensure_csrf_cookie, name="dispatch")
@method_decorator(csrf_protect, name="post")
class SessionView(APIView):
    """Session login for the browser: ``POST`` logs in, ``GET`` says who is logged in,
    ``DELETE`` logs out. The login itself is CSRF-protected (DRF only checks CSRF for sessions
    that are already authenticated), so that no other site can log a browser in."""

    permission_classes = [AllowAny]
    throttle_scope = "login"

    def get_throttles(self) -> list[Any]:
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(operation_id="auth_session_read", responses={200: UserOutput, **ERRORS})
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise SpotlabError("Not logged in.", code="not_authenticated", status=401)
        return Response(UserOutput(request.user).data)

    @extend_schema(
        operation_id="auth_session_login",
        request=CredentialsInput,
        responses={200: UserOutput, **LOGIN_ERRORS},
    )
    def post(self, request: Request) -> Response:
        user = _authenticate(request)
        login(request._request, user)
        return Response(UserOutput(user).data)

    @extend_schema(operation_id="auth_session_logout", responses={204: None})
    def delete(self, request: Request) -> Response:
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProjectListView(APIView):
    @extend_schema(operation_id="projects_list", responses={200: ProjectOutput(many=True)})
    def get(self, request: Request) -> Response:
        projects = selectors.project_list_for_user(user=request.user)
        return Response(ProjectOutput(projects, many=True).data)

    @extend_schema(
        operation_id="projects_create",
        request=ProjectCreateInput,
        responses={201: ProjectOutput, **ERRORS},
    )
    def post(self, request: Request) -> Response:
        data = ProjectCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(by=request_user(request), **data.validated_data)
        return Response(
            ProjectOutput(project, context={"role": "owner"}).data, status=status.HTTP_201_CREATED
        )


class ProjectDetailView(APIView):
    @extend_schema(operation_id="projects_read", responses={200: ProjectOutput, **ERRORS})
    def get(self, request: Request, slug: str) -> Response:
        project, membership = selectors.project_access(slug=slug, user=request.user)
        return Response(ProjectOutput(project, context={"role": membership.role}).data)

    @extend_schema(
        operation_id="projects_update",
        request=ProjectUpdateInput,
        responses={200: ProjectOutput, **ERRORS},
    )
    def patch(self, request: Request, slug: str) -> Response:
        project, membership = selectors.project_access(slug=slug, user=request.user)
        data = ProjectUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = services.project_update(
            project=project, by=request_user(request), changes=dict(data.validated_data)
        )
        return Response(ProjectOutput(project, context={"role": membership.role}).data)


class MemberListView(APIView):
    @extend_schema(operation_id="members_list", responses={200: MemberOutput(many=True), **ERRORS})
    def get(self, request: Request, slug: str) -> Response:
        project, membership = selectors.project_access(slug=slug, user=request.user)
        if not selectors.role_can_curate(membership.role):
            raise PermissionDenied("Only owners and curators see the member list.")
        return Response(MemberOutput(selectors.member_list(project=project), many=True).data)

    @extend_schema(
        operation_id="members_add",
        request=MemberInput,
        responses={201: MemberOutput, **ERRORS},
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = selectors.project_access(slug=slug, user=request.user)
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.membership_set(
            project=project, by=request_user(request), **data.validated_data
        )
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


class JobDetailView(APIView):
    @extend_schema(
        operation_id="jobs_read",
        responses={200: JobOutput, 404: OpenApiResponse(ErrorSerializer)},
    )
    def get(self, request: Request, job_id: str) -> Response:
        job = selectors.job_access(job_id=job_id, user=request.user)
        return Response(JobOutput(job).data)
