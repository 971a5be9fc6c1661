"""The annotation API: dealing, the caller's passes, segments with revisions, submit/reopen,
time on task, the audit trail."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors, services
from annotation.api.serializers import (
    ActivityInput,
    ActivityOutput,
    AssignmentOutput,
    AssignmentSummaryOutput,
    DealInput,
    DealOutput,
    HistoryOutput,
    ModeInput,
    PassEventOutput,
    ReopenInput,
    RevisionOutput,
    SegmentChangeOutput,
    SegmentsInput,
    VoteInput,
    VoteResultOutput,
)
from core.api.auth import request_user
from core.api.exceptions import ErrorSerializer
from core.api.serializers import MemberOutput, MemberRoleInput
from core.errors import PermissionDenied
from core.selectors import project_access

ERRORS: dict[int, Any] = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    403: ErrorSerializer,
    404: ErrorSerializer,
}


class ProjectAssignmentsView(APIView):
    @extend_schema(
        operation_id="assignments_list",
        parameters=[
            OpenApiParameter("video", int),
            OpenApiParameter("annotator", str),
            OpenApiParameter("status", str, enum=["open", "submitted"]),
        ],
        responses={200: AssignmentSummaryOutput(many=True), **ERRORS},
        description="Every pass of the project (owners and curators; 404 for annotators).",
    )
    def get(self, request: Request, slug: str) -> Response:
        project, _ = selectors.curating_project_access(slug=slug, user=request.user)
        video = request.query_params.get("video")
        passes = selectors.project_assignments(
            project=project,
            video=int(video) if video and video.isdigit() else None,
            annotator=request.query_params.get("annotator"),
            status=request.query_params.get("status"),
        )
        return Response(AssignmentSummaryOutput(passes, many=True).data)

    @extend_schema(
        operation_id="assignments_deal",
        request=DealInput,
        responses={200: DealOutput, **ERRORS},
        description=(
            "Deal the passes of every ready video: each gets the project's passes per item from "
            "as many different annotators, load balanced within one pass, pairs co-occurring "
            "as evenly as possible. Dealing again only adds what is missing."
        ),
    )
    def post(self, request: Request, slug: str) -> Response:
        project, _ = selectors.curating_project_access(slug=slug, user=request.user)
        data = DealInput(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.assignments_deal(
            project=project,
            by=request_user(request),
            annotators=data.validated_data.get("annotators"),
            seed=data.validated_data["seed"],
            mode=data.validated_data["mode"],
        )
        stats = report.cooccurrence
        return Response(
            {
                "created": report.created,
                "load": report.load,
                "cooccurrence": {**dataclasses.asdict(stats), "spread": stats.spread},
            }
        )


class MyAssignmentsView(APIView):
    @extend_schema(
        operation_id="my_assignments", responses={200: AssignmentSummaryOutput(many=True)}
    )
    def get(self, request: Request) -> Response:
        passes = selectors.assignments_of_user(user=request.user)
        return Response(AssignmentSummaryOutput(passes, many=True).data)


class AssignmentDetailView(APIView):
    @extend_schema(operation_id="assignments_read", responses={200: AssignmentOutput, **ERRORS})
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment, _ = selectors.assignment_access(assignment_id=assignment_id, user=request.user)
        return Response(AssignmentOutput(assignment).data)

    @extend_schema(
        operation_id="assignments_mode",
        request=ModeInput,
        responses={200: AssignmentOutput, 409: ErrorSerializer, **ERRORS},
        description=(
            "Make a pass blind or assisted (owners and curators), before its annotator has "
            "saved anything in it (409 after)."
        ),
    )
    def patch(self, request: Request, assignment_id: int) -> Response:
        assignment, curating = selectors.assignment_access(
            assignment_id=assignment_id, user=request.user
        )
        if not curating:
            raise PermissionDenied("Only owners and curators choose a pass's mode.")
        data = ModeInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_mode_set(
            assignment=assignment, mode=data.validated_data["mode"]
        )
        return Response(AssignmentOutput(assignment).data)


class SegmentsView(APIView):
    @extend_schema(
        operation_id="assignments_segments_replace",
        request=SegmentsInput,
        responses={200: RevisionOutput, 409: ErrorSerializer, **ERRORS},
        description=(
            "Replace the pass's segments. `revision` must be the pass's current revision: a "
            "stale one is a 409 and nothing is overwritten. Returns the new revision. In an "
            "assisted pass a segment may name the `proposal` it came from; its `source` "
            "(accepted, or edited when its frames or type differ) is derived from it. "
            "`rejected_proposals`, when given, replaces the pass's list of rejected proposals."
        ),
    )
    def put(self, request: Request, assignment_id: int) -> Response:
        data = SegmentsInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.segments_replace(
            assignment_id=assignment_id,
            by=request_user(request),
            revision=data.validated_data["revision"],
            segments=data.validated_data["segments"],
            rejected_proposals=data.validated_data.get("rejected_proposals"),
        )
        return Response({"revision": assignment.revision})


class VoteView(APIView):
    @extend_schema(
        operation_id="assignments_vote",
        request=VoteInput,
        responses={200: VoteResultOutput, 409: ErrorSerializer, **ERRORS},
        description=(
            "Cast the vote of a clip-classification pass: `label` is a class of the project's "
            "schema or `unusable` (no usable face), with an optional `intensity` (1-5) and "
            "`caption` ({emotion, actions}). `revision` must be current (409 otherwise). "
            "The pass is submitted (locked) with its vote unless `submit` is false."
        ),
    )
    def put(self, request: Request, assignment_id: int) -> Response:
        assignment, _ = selectors.assignment_access(assignment_id=assignment_id, user=request.user)
        data = VoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.vote_cast(
            assignment=assignment,
            by=request_user(request),
            revision=data.validated_data["revision"],
            label=data.validated_data["label"],
            intensity=data.validated_data["intensity"],
            caption=data.validated_data["caption"],
            submit=data.validated_data["submit"],
        )
        return Response({"revision": assignment.revision, "status": assignment.status})


class SubmitView(APIView):
    @extend_schema(
        operation_id="assignments_submit",
        request=None,
        responses={200: AssignmentOutput, 409: ErrorSerializer, **ERRORS},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment, _ = selectors.assignment_access(assignment_id=assignment_id, user=request.user)
        assignment = services.assignment_submit(assignment=assignment, by=request_user(request))
        return Response(AssignmentOutput(assignment).data)


class ReopenView(APIView):
    @extend_schema(
        operation_id="assignments_reopen",
        request=ReopenInput,
        responses={200: AssignmentOutput, **ERRORS},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment, curating = selectors.assignment_access(
            assignment_id=assignment_id, user=request.user
        )
        if not curating:
            raise PermissionDenied("Only owners and curators reopen passes.")
        data = ReopenInput(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.assignment_reopen(
            assignment=assignment, by=request_user(request), reason=data.validated_data["reason"]
        )
        return Response(AssignmentOutput(assignment).data)


class ActivityView(APIView):
    @extend_schema(
        operation_id="assignments_activity",
        request=ActivityInput,
        responses={200: ActivityOutput, **ERRORS},
    )
    def post(self, request: Request, assignment_id: int) -> Response:
        assignment, _ = selectors.assignment_access(assignment_id=assignment_id, user=request.user)
        data = ActivityInput(data=request.data)
        data.is_valid(raise_exception=True)
        spent = services.activity_record(
            assignment=assignment, by=request_user(request), seconds=data.validated_data["seconds"]
        )
        return Response({"time_spent_s": spent})


class HistoryView(APIView):
    @extend_schema(
        operation_id="assignments_history",
        responses={200: HistoryOutput, **ERRORS},
    )
    def get(self, request: Request, assignment_id: int) -> Response:
        assignment, _ = selectors.assignment_access(assignment_id=assignment_id, user=request.user)
        changes = assignment.changes.select_related("by").order_by("id")
        events = assignment.events.select_related("by").order_by("id")
        return Response(
            {
                "changes": SegmentChangeOutput(changes, many=True).data,
                "events": PassEventOutput(events, many=True).data,
            }
        )


class MemberDetailView(APIView):
    """Change a member's role or remove them. An annotator who leaves the pool (either way)
    has their open passes dealt to the other annotators."""

    @extend_schema(
        operation_id="members_update",
        request=MemberRoleInput,
        responses={200: MemberOutput, **ERRORS},
    )
    def patch(self, request: Request, slug: str, username: str) -> Response:
        project, _ = project_access(slug=slug, user=request.user)
        data = MemberRoleInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_role_change(
            project=project,
            username=username,
            role=data.validated_data["role"],
            by=request_user(request),
        )
        return Response(MemberOutput(membership).data)

    @extend_schema(operation_id="members_remove", responses={204: None, **ERRORS})
    def delete(self, request: Request, slug: str, username: str) -> Response:
        project, _ = project_access(slug=slug, user=request.user)
        services.annotator_leave(
            project=project, username=username, by=request_user(request), new_role=None
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
