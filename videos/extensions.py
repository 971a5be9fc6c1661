"""Fields that apps built on videos add to a video's detail (``GET /videos/{id}/``).

The videos app knows nothing of passes or votes; an app above it registers a function here when
Django starts (in its ``AppConfig.ready``), and the detail view merges what each returns for the
video and the caller's role.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from videos.models import Video

#: ``extra(video, role) -> fields``; an empty dict adds nothing.
DetailExtra = Callable[[Video, str], dict[str, Any]]

_detail_extras: list[DetailExtra] = []


def register_detail_extra(extra: DetailExtra) -> None:
    if extra not in _detail_extras:
        _detail_extras.append(extra)


def detail_extras(video: Video, role: str) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for extra in _detail_extras:
        fields.update(extra(video, role))
    return fields
