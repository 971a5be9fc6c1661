"""Writes to projects and memberships. Every service is keyword-only, atomic and checks the
caller's role itself; views only parse and render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction

from core.errors import NotFound, PermissionDenied, SpotlabError
from core.label_schema import SchemaError, validate_schema
from core.models import Membership, Project, Role, TaskKind

#: Passes per item when a project does not say: the SDFE-LV and DFEW protocols.
DEFAULT_PASSES = {TaskKind.SPOTTING: 5, TaskKind.CLIP_CLASSIFICATION: 10}


def _require_owner(*, project: Project, by: AbstractBaseUser) -> None:
    role = Membership.objects.filter(project=project, user_id=by.pk).values_list("role", flat=True)
    if not role:
        raise NotFound(f"No project '{project.slug}'.")
    if role[0] != Role.OWNER:
        raise PermissionDenied("Only an owner of the project may do this.")


def _checked_schema(raw: dict[str, Any] | None) -> dict[str, Any]:
    try:
        return validate_schema(raw)
    except SchemaError as exc:
        raise SpotlabError(
            "The label schema is invalid.",
            code="invalid_schema",
            fields={f"label_schema.{key}": message for key, message in exc.fields.items()},
        ) from exc


@transaction.atomic
def project_create(
    *,
    name: str,
    slug: str,
    by: AbstractBaseUser,
    task_kind: str = TaskKind.SPOTTING,
    passes_per_item: int | None = None,
    label_schema: dict[str, Any] | None = None,
    description: str = "",
    single_label_threshold: int = 6,
) -> Project:
    """Create a project; its creator becomes its owner."""
    if Project.objects.filter(slug=slug).exists():
        raise SpotlabError(
            f"A project with slug '{slug}' already exists.",
            code="slug_taken",
            fields={"slug": "This slug is taken."},
        )
    project = Project.objects.create(
        name=name,
        slug=slug,
        description=description,
        task_kind=task_kind,
        passes_per_item=passes_per_item or DEFAULT_PASSES[TaskKind(task_kind)],
        label_schema=_checked_schema(label_schema),
        single_label_threshold=single_label_threshold,
        created_by_id=by.pk,
    )
    Membership.objects.create(project=project, user_id=by.pk, role=Role.OWNER)
    return project


@transaction.atomic
def project_update(*, project: Project, by: AbstractBaseUser, changes: dict[str, Any]) -> Project:
    """Change a project's name, description or protocol (owners only)."""
    _require_owner(project=project, by=by)
    allowed = {
        "name",
        "description",
        "passes_per_item",
        "single_label_threshold",
        "label_schema",
    }
    for field, value in changes.items():
        if field not in allowed:
            raise SpotlabError(f"'{field}' cannot be changed.", fields={field: "Read-only."})
        setattr(project, field, _checked_schema(value) if field == "label_schema" else value)
    project.save(update_fields=[*changes.keys(), "updated_at"])
    return project


@transaction.atomic
def membership_set(
    *, project: Project, username: str, role: str, by: AbstractBaseUser
) -> Membership:
    """Add ``username`` to the project with ``role``, or change their role (owners only)."""
    _require_owner(project=project, by=by)
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise SpotlabError(
            f"No user '{username}'.", code="unknown_user", fields={"username": "No such user."}
        )
    # Lock the project's owner rows so that two demotions cannot leave it without an owner.
    owners = list(Membership.objects.select_for_update().filter(project=project, role=Role.OWNER))
    membership = Membership.objects.filter(project=project, user=user).first()
    if membership is None:
        try:
            with transaction.atomic():
                return Membership.objects.create(project=project, user=user, role=role)
        except IntegrityError as exc:  # a concurrent add of the same user
            raise SpotlabError(f"'{username}' is already a member.", code="conflict") from exc
    if membership.role == Role.OWNER and role != Role.OWNER and len(owners) == 1:
        raise SpotlabError(
            "A project must keep at least one owner.",
            code="last_owner",
            fields={"role": "Last owner."},
        )
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, project: Project, username: str, by: AbstractBaseUser) -> None:
    """Remove ``username`` from the project (owners only); the last owner stays."""
    _require_owner(project=project, by=by)
    owners = list(Membership.objects.select_for_update().filter(project=project, role=Role.OWNER))
    membership = Membership.objects.filter(project=project, user__username=username).first()
    if membership is None:
        raise NotFound(f"'{username}' is not a member of this project.")
    if membership.role == Role.OWNER and len(owners) == 1:
        raise SpotlabError("A project must keep at least one owner.", code="last_owner")
    membership.delete()
