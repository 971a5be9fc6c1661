"""The authenticated caller of an API view."""

from __future__ import annotations

from django.contrib.auth.models import User
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request


def request_user(request: Request) -> User:
    """The logged-in user; views behind ``IsAuthenticated`` never see an anonymous one."""
    if not request.user.is_authenticated:
        raise NotAuthenticated()
    user = request.user
    assert isinstance(user, User)
    return user
