from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from core.models import Membership, Role
from videos.models import Video

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_people_and_project_idempotently(capsys) -> None:
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "password 'spotlab-demo'" in first
    call_command("seed_demo")
    assert "already exist" in capsys.readouterr().out
    # The same pool votes in the clip project, on six generated clips.
    clip_roles = dict(
        Membership.objects.filter(project__slug="demo-clips").values_list("user__username", "role")
    )
    assert len(clip_roles) == 12
    assert clip_roles["annotator03"] == Role.ANNOTATOR
    clips = Video.objects.filter(project__slug="demo-clips").order_by("pk")
    assert [clip.original_name for clip in clips] == [f"clip{i:02d}.mp4" for i in range(1, 7)]
    assert len({clip.sha256 for clip in clips}) == 6
    roles = dict(
        Membership.objects.filter(project__slug="demo").values_list("user__username", "role")
    )
    assert roles["owner"] == Role.OWNER
    assert roles["curator"] == Role.CURATOR
    assert sorted(name for name, role in roles.items() if role == Role.ANNOTATOR) == [
        f"annotator{i:02d}" for i in range(1, 11)
    ]
    assert User.objects.count() == 12
    assert authenticate(username="annotator07", password="spotlab-demo") is not None
    assert User.objects.get(username="owner").is_staff
    # One generated demo video, queued for the worker, not duplicated by the second run.
    video = Video.objects.select_related("subject", "job").get(project__slug="demo")
    assert video.subject is not None
    assert video.job is not None
    assert (video.original_name, video.subject.code, video.source) == (
        "demo-pattern.mp4",
        "DEMO01",
        "lab",
    )
    assert video.status == "processing"
    assert video.job.state == "queued"
    assert video.job.task_name == "videos.tasks.ingest"
