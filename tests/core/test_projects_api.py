"""The projects API: the role matrix for every call, and the rules behind it."""

from __future__ import annotations

import pytest

from core.models import Membership, Project, Role
from tests.conftest import PASSWORD, api_client, make_user

pytestmark = pytest.mark.django_db

ROLES = ["owner", "curator", "annotator", "outsider", None]

# call -> (method, path, body, expected status per role in ROLES order)
MATRIX = {
    "list": ("get", "/api/v1/projects/", None, [200, 200, 200, 200, 401]),
    "detail": ("get", "/api/v1/projects/alpha/", None, [200, 200, 200, 404, 401]),
    "update": ("patch", "/api/v1/projects/alpha/", {"name": "Renamed"}, [200, 403, 403, 404, 401]),
    "members": ("get", "/api/v1/projects/alpha/members/", None, [200, 200, 403, 404, 401]),
    "member_add": (
        "post",
        "/api/v1/projects/alpha/members/",
        {"username": "newcomer", "role": "annotator"},
        [201, 403, 403, 404, 401],
    ),
    "member_role": (
        "patch",
        "/api/v1/projects/alpha/members/annotator/",
        {"role": "curator"},
        [200, 403, 403, 404, 401],
    ),
    "member_remove": (
        "delete",
        "/api/v1/projects/alpha/members/annotator/",
        None,
        [204, 403, 403, 404, 401],
    ),
}


@pytest.mark.parametrize("call", sorted(MATRIX))
@pytest.mark.parametrize("role_index", range(len(ROLES)), ids=[str(r) for r in ROLES])
def test_role_matrix(people, project, call, role_index) -> None:
    make_user("newcomer")
    method, path, body, statuses = MATRIX[call]
    who = ROLES[role_index]
    response = getattr(api_client(people.get(who)), method)(path, body, format="json")
    assert response.status_code == statuses[role_index], response.content
    if response.status_code == 404:
        # A non-member learns nothing: not the name, not the slug's existence.
        assert b"Alpha" not in response.content
        assert response.json()["code"] == "not_found"
    if response.status_code == 401:
        assert response.json()["code"] == "not_authenticated"


def test_list_shows_only_own_projects_with_role(people, project) -> None:
    mine = api_client(people["curator"]).get("/api/v1/projects/").json()
    assert [(p["slug"], p["role"]) for p in mine] == [("alpha", "curator")]
    theirs = api_client(people["outsider"]).get("/api/v1/projects/").json()
    assert [(p["slug"], p["role"]) for p in theirs] == [("beta", "owner")]


def test_create_makes_caller_owner_with_protocol_defaults(people) -> None:
    client = api_client(people["annotator"])
    response = client.post(
        "/api/v1/projects/", {"name": "Clips", "slug": "clips", "task_kind": "clip_classification"}
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["slug"], body["role"], body["passes_per_item"]) == ("clips", "owner", 10)
    spotting = client.post("/api/v1/projects/", {"name": "Spots", "slug": "spots"}).json()
    assert (spotting["task_kind"], spotting["passes_per_item"]) == ("spotting", 5)
    assert Membership.objects.get(project__slug="clips").role == Role.OWNER


def test_create_rejects_taken_slug_and_bad_input_with_field_errors(people, project) -> None:
    client = api_client(people["owner"])
    taken = client.post("/api/v1/projects/", {"name": "Again", "slug": "alpha"})
    assert taken.status_code == 400
    assert taken.json() == {
        "code": "slug_taken",
        "detail": "A project with slug 'alpha' already exists.",
        "fields": {"slug": ["This slug is taken."]},
    }
    bad = client.post("/api/v1/projects/", {"name": "", "slug": "has space", "passes_per_item": 0})
    assert bad.status_code == 400
    assert set(bad.json()["fields"]) == {"name", "slug", "passes_per_item"}
    assert Project.objects.count() == 2


def test_member_management_round_trip(people, project) -> None:
    make_user("newcomer")
    owner = api_client(people["owner"])
    added = owner.post(
        "/api/v1/projects/alpha/members/", {"username": "newcomer", "role": "annotator"}
    )
    assert added.status_code == 201
    assert added.json()["username"] == "newcomer"
    members = owner.get("/api/v1/projects/alpha/members/").json()
    assert [(m["username"], m["role"]) for m in members] == [
        ("annotator", "annotator"),
        ("curator", "curator"),
        ("newcomer", "annotator"),
        ("owner", "owner"),
    ]
    newcomer = api_client(Membership.objects.get(user__username="newcomer").user)
    assert newcomer.get("/api/v1/projects/alpha/").json()["role"] == "annotator"
    assert owner.delete("/api/v1/projects/alpha/members/newcomer/").status_code == 204
    assert newcomer.get("/api/v1/projects/alpha/").status_code == 404


def test_unknown_user_and_last_owner_are_refused(people, project) -> None:
    owner = api_client(people["owner"])
    unknown = owner.post(
        "/api/v1/projects/alpha/members/", {"username": "ghost", "role": "curator"}
    )
    assert unknown.status_code == 400
    assert unknown.json()["fields"] == {"username": ["No such user."]}
    demote = owner.patch("/api/v1/projects/alpha/members/owner/", {"role": "curator"})
    assert demote.status_code == 400
    assert demote.json()["code"] == "last_owner"
    leave = owner.delete("/api/v1/projects/alpha/members/owner/")
    assert leave.status_code == 400
    assert Membership.objects.get(user=people["owner"], project=project).role == Role.OWNER


def test_token_endpoint(people) -> None:
    client = api_client(None)
    good = client.post("/api/v1/auth/token/", {"username": "owner", "password": PASSWORD})
    assert good.status_code == 200
    token = good.json()["token"]
    assert len(token) == 40
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/projects/").status_code == 200
    bad = api_client(None).post("/api/v1/auth/token/", {"username": "owner", "password": "nope"})
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_credentials"


def test_session_login_requires_csrf_and_then_works(people, project) -> None:
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    assert client.get("/api/v1/auth/session/").status_code == 401
    csrf = client.cookies["csrftoken"].value
    without = client.post(
        "/api/v1/auth/session/", {"username": "curator", "password": PASSWORD}, format="json"
    )
    assert without.status_code == 403
    logged_in = client.post(
        "/api/v1/auth/session/",
        {"username": "curator", "password": PASSWORD},
        format="json",
        HTTP_X_CSRFTOKEN=csrf,
    )
    assert logged_in.status_code == 200
    assert logged_in.json()["username"] == "curator"
    assert client.get("/api/v1/projects/alpha/").json()["role"] == "curator"
    out = client.delete("/api/v1/auth/session/", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert out.status_code == 204
    assert client.get("/api/v1/projects/alpha/").status_code in (401, 403)
