"""Reads of projects, members and jobs, always scoped to the user who asks.

An object the caller may not see is reported as not found, never as forbidden, so that ids and
slugs cannot be probed.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, Q, QuerySet, Subquery

from core.errors import NotFound, PermissionDenied
from core.models import CURATING_ROLES, Job, Membership, Project, Role

AnyUser = AbstractBaseUser | AnonymousUser


def project_list_for_user(*, user: AnyUser) -> QuerySet[Project]:
    """The projects ``user`` is a member of, each annotated with ``caller_role``."""
    if not user.is_authenticated:
        return Project.objects.none()
    caller_role = Membership.objects.filter(project=OuterRef("pk"), user_id=user.pk).values("role")[
        :1
    ]
    return (
        Project.objects.filter(memberships__user_id=user.pk)
        .annotate(caller_role=Subquery(caller_role))
        .order_by("name")
    )


def membership_get(*, project: Project, user: AnyUser) -> Membership | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(project=project, user_id=user.pk).first()


def project_access(*, slug: str, user: AnyUser) -> tuple[Project, Membership]:
    """The project with ``slug`` and the caller's membership; 404 for non-members."""
    if user.is_authenticated:
        membership = (
            Membership.objects.select_related("project")
            .filter(project__slug=slug, user_id=user.pk)
            .first()
        )
        if membership is not None:
            return membership.project, membership
    raise NotFound(f"No project '{slug}'.")


def role_can_curate(role: str) -> bool:
    return role in CURATING_ROLES


def member_list(*, project: Project) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(project=project).select_related("user").order_by("user__username")
    )


def job_access(*, job_id: uuid.UUID | str, user: AnyUser) -> Job:
    """A job the caller started, or one of a project the caller owns or curates; else 404."""
    try:
        key = uuid.UUID(str(job_id))
    except ValueError as exc:
        raise NotFound("No such job.") from exc
    if user.is_authenticated:
        visible = Q(created_by_id=user.pk) | Q(
            project__memberships__user_id=user.pk,
            project__memberships__role__in=[Role.OWNER, Role.CURATOR],
        )
        job = Job.objects.filter(visible, pk=key).distinct().first()
        if job is not None:
            return job
    raise NotFound("No such job.")


def project_access_curating(*, slug: str, user: AnyUser) -> tuple[Project, Membership]:
    """As ``project_access``, and 403 unless the caller owns or curates the project."""
    project, membership = project_access(slug=slug, user=user)
    if not role_can_curate(membership.role):
        raise PermissionDenied("Only owners and curators of the project may do this.")
    return project, membership
