from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from core.models import Membership, Role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_people_and_project_idempotently(capsys) -> None:
    call_command("seed_demo")
    first = capsys.readouterr().out
    assert "password 'spotlab-demo'" in first
    call_command("seed_demo")
    assert "already exist" in capsys.readouterr().out
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
