"""Who may read which pass. Blindness between passes is decided here, once.

An annotator reaches only their own passes; another annotator's pass of the same video, and
every curator-only resource, is reported as not found. Owners and curators see everything in
their projects.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from annotation.models import Assignment
from core.errors import NotFound
from core.models import Membership, Project
from core.selectors import AnyUser, project_access, role_can_curate


def curating_project_access(*, slug: str, user: AnyUser) -> tuple[Project, Membership]:
    """A project the caller owns or curates; for an annotator the resource does not exist."""
    project, membership = project_access(slug=slug, user=user)
    if not role_can_curate(membership.role):
        raise NotFound(f"No project '{slug}'.")
    return project, membership


def _with_counts(passes: QuerySet[Assignment]) -> QuerySet[Assignment]:
    return passes.select_related("video", "video__project", "annotator", "vote").annotate(
        segment_count=Count("segments")
    )


def assignment_access(*, assignment_id: int | str, user: AnyUser) -> tuple[Assignment, bool]:
    """The pass and whether the caller may curate it; 404 unless it is the caller's own pass
    or the caller owns or curates its project."""
    if user.is_authenticated:
        try:
            key = int(assignment_id)
        except (TypeError, ValueError) as exc:
            raise NotFound("No such pass.") from exc
        curated_projects = Membership.objects.filter(
            user_id=user.pk, role__in=["owner", "curator"]
        ).values("project_id")
        visible = Q(annotator_id=user.pk) | Q(video__project_id__in=curated_projects)
        assignment = (
            Assignment.objects.select_related("video", "video__project", "annotator")
            .filter(visible, pk=key)
            .first()
        )
        if assignment is not None:
            curating = Membership.objects.filter(
                user_id=user.pk,
                project_id=assignment.video.project_id,
                role__in=["owner", "curator"],
            ).exists()
            return assignment, curating
    raise NotFound("No such pass.")


def assignments_of_user(*, user: AnyUser) -> QuerySet[Assignment]:
    """The caller's own passes, in the projects they still annotate for."""
    if not user.is_authenticated:
        return Assignment.objects.none()
    return _with_counts(
        Assignment.objects.filter(
            annotator_id=user.pk,
            video__project__memberships__user_id=user.pk,
            video__project__memberships__role="annotator",
        )
    ).order_by("status", "video__project__name", "video_id")


def project_assignments(
    *,
    project: Project,
    video: int | None = None,
    annotator: str | None = None,
    status: str | None = None,
) -> QuerySet[Assignment]:
    passes = Assignment.objects.filter(video__project=project)
    if video is not None:
        passes = passes.filter(video_id=video)
    if annotator:
        passes = passes.filter(annotator__username=annotator)
    if status:
        passes = passes.filter(status=status)
    return _with_counts(passes).order_by("video_id", "pass_index")
