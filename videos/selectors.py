"""Reads of videos, scoped to the members of their project."""

from __future__ import annotations

from django.db.models import QuerySet

from core.errors import NotFound
from core.models import Membership, Project
from core.selectors import AnyUser
from videos.models import Video


def video_access(*, video_id: int | str, user: AnyUser) -> tuple[Video, Membership]:
    """The video and the caller's membership in its project; 404 for anyone else."""
    if user.is_authenticated:
        try:
            key = int(video_id)
        except (TypeError, ValueError) as exc:
            raise NotFound("No such video.") from exc
        video = Video.objects.select_related("project", "subject").filter(pk=key).first()
        if video is not None:
            membership = Membership.objects.filter(project=video.project, user_id=user.pk).first()
            if membership is not None:
                return video, membership
    raise NotFound("No such video.")


def video_list(*, project: Project) -> QuerySet[Video]:
    return Video.objects.filter(project=project).select_related("subject").order_by("id")
