"""Shared lookups of the curation commands: the project and a curator to act as."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError

from core.models import Membership, Project, Role


def project_and_curator(slug: str, as_user: str | None) -> tuple[Project, AbstractBaseUser]:
    """The project and an owner or curator of it (``as_user`` if given); CommandError else."""
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise CommandError(f"no project '{slug}'")
    curators = Membership.objects.filter(project=project, role__in=[Role.OWNER, Role.CURATOR])
    if as_user:
        curators = curators.filter(user__username=as_user)
    membership = curators.order_by("role", "id").first()
    if membership is None:
        raise CommandError(f"no owner or curator of '{project.slug}' to act as")
    return project, get_user_model().objects.get(pk=membership.user_id)
