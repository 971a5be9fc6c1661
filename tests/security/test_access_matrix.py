"""Who may call what: a matrix of every ``/api/v1/`` route and method against every role.

The routes are discovered from the URL configuration, and ``RULES`` must name exactly those
(route, method) pairs: a new endpoint fails ``test_every_route_has_a_rule`` until someone
decides who may call it. For each pair and role the test calls the endpoint with objects of the
caller's project, with objects of a project the caller is not in, and (for a pass) as the other
annotator of the same video, and checks the status class, that a refused write changed no row,
and that no annotator's response carries anything of the other annotator's passes.

Run alone: ``pytest tests/security/test_access_matrix.py -q``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient
from rest_framework.views import APIView

from annotation.models import Assignment, PassEvent, Segment, SegmentChange, Vote
from core.models import Job, Membership, Project
from curation.models import ConsensusSegment, ConsensusVersion, Release, ReleaseExport
from inference.models import PrelabelRun, Proposal, SpotterModel
from tests.conftest import api_client
from tests.security.world import World, build_world, leaks_of
from videos.models import Video

pytestmark = pytest.mark.django_db

API_PREFIX = "api/v1/"
WRITE_METHODS = {"post", "put", "patch", "delete"}
ROLES = ("anonymous", "outsider", "ann_theirs", "ann_mine", "curator", "owner")
MEMBER_ROLES = ("ann_mine", "ann_theirs", "curator", "owner")

# -- outcomes ----------------------------------------------------------------------------------

#: Allowed: a 2xx, or for a write a 400/409 about the payload or the object's state; never a
#: refusal, never a 5xx.
OK = "ok"
#: Refused as if the object did not exist.
NOT_FOUND = "404"
#: Refused, as forbidden (the code already says so) or as not found.
REFUSED = "403/404"
FORBIDDEN = "403"

ACCEPTED = {
    NOT_FOUND: {404},
    REFUSED: {403, 404},
    FORBIDDEN: {403},
}


@dataclass(frozen=True)
class Rule:
    """Expected outcome per role on the objects of the caller's own project (``ann_mine``'s
    pass, for pass routes; ``ann_theirs`` then stands for the other annotator of the video).

    ``anonymous`` gets 401/403 and ``outsider`` 404 unless the rule is public or needs no
    object; any member gets 404 on the objects of a project they are not in.
    """

    ann_mine: str
    ann_theirs: str
    curator: str
    owner: str
    public: bool = False
    #: No object in the path: the outsider is just another authenticated user.
    no_object: bool = False
    #: The object sets to try for the caller's own project (see ``World.params``).
    variants: tuple[str, ...] = ("alpha",)
    #: Statuses that count as OK here (default: 2xx, and 400/409 for writes).
    ok_statuses: frozenset[int] = frozenset()
    query: str = ""
    body: dict[str, Any] | None = None
    multipart: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def expected(self, role: str) -> str:
        return str(getattr(self, role))


def everyone(**kwargs: Any) -> Rule:
    return Rule(OK, OK, OK, OK, **kwargs)


def curating(annotators: str = NOT_FOUND, **kwargs: Any) -> Rule:
    return Rule(annotators, annotators, OK, OK, **kwargs)


def owner_only(**kwargs: Any) -> Rule:
    return Rule(REFUSED, REFUSED, FORBIDDEN, OK, **kwargs)


def own_pass(curators: str = OK, **kwargs: Any) -> Rule:
    """The annotator of the pass, and (read-only unless ``curators``) its project's curators;
    the other annotator of the same video gets 404."""
    return Rule(OK, NOT_FOUND, curators, curators, **kwargs)


def new_video() -> io.BytesIO:
    upload = io.BytesIO(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 256)
    upload.name = "new.mp4"
    return upload


def body_of(rule: Rule, world: World, params: dict[str, Any]) -> dict[str, Any] | None:
    if rule.body is None:
        return None
    body = dict(rule.body)
    for key, value in body.items():
        if value == "<revision>":
            body[key] = Assignment.objects.get(pk=params["assignment_id"]).revision
        elif value == "<model>":
            body[key] = params["model_id"]
        elif value == "<release>":
            body[key] = params["release_id"]
        elif value == "<file>":
            body[key] = new_video()
    return body


SEGMENT = {"client_id": "NEW-seg", "onset": 10, "offset": 20, "type": "macro"}

RULES: dict[tuple[str, str], Rule] = {
    # -- kernel
    ("health/", "get"): everyone(public=True, no_object=True),
    ("auth/token/", "post"): everyone(
        public=True, no_object=True, body={"username": "nobody", "password": "wrong-password"}
    ),
    ("auth/session/", "get"): everyone(public=True, no_object=True),
    ("auth/session/", "post"): everyone(
        public=True, no_object=True, body={"username": "nobody", "password": "wrong-password"}
    ),
    ("auth/session/", "delete"): everyone(public=True, no_object=True),
    ("projects/", "get"): everyone(no_object=True),
    ("projects/", "post"): everyone(
        no_object=True, body={"name": "New", "slug": "new-project", "task_kind": "spotting"}
    ),
    ("projects/<slug:slug>/", "get"): everyone(variants=("alpha", "clips")),
    ("projects/<slug:slug>/", "patch"): owner_only(body={"name": "Renamed"}),
    ("projects/<slug:slug>/members/", "get"): curating(FORBIDDEN),
    ("projects/<slug:slug>/members/", "post"): owner_only(
        body={"username": "newcomer", "role": "annotator"}
    ),
    ("projects/<slug:slug>/members/<str:username>/", "patch"): owner_only(body={"role": "curator"}),
    ("projects/<slug:slug>/members/<str:username>/", "delete"): owner_only(),
    ("jobs/<str:job_id>/", "get"): curating(),
    # -- videos
    ("projects/<slug:slug>/videos/", "get"): everyone(),
    ("projects/<slug:slug>/videos/", "post"): curating(
        FORBIDDEN, body={"file": "<file>"}, multipart=True
    ),
    ("videos/<int:video_id>/", "get"): everyone(variants=("alpha", "clips")),
    ("videos/<int:video_id>/frames/<int:index>/", "get"): everyone(
        variants=("alpha_pending",), ok_statuses=frozenset({409})
    ),
    ("videos/<int:video_id>/proxy/", "get"): everyone(
        variants=("alpha_pending",), ok_statuses=frozenset({409})
    ),
    ("videos/<int:video_id>/sprite/", "get"): everyone(
        variants=("alpha_pending",), ok_statuses=frozenset({409})
    ),
    ("videos/<int:video_id>/poster/", "get"): everyone(
        variants=("alpha_pending",), ok_statuses=frozenset({409})
    ),
    # -- passes
    ("projects/<slug:slug>/assignments/", "get"): curating(),
    ("projects/<slug:slug>/assignments/", "post"): curating(body={"seed": 1}),
    ("me/assignments/", "get"): everyone(no_object=True),
    ("assignments/<int:assignment_id>/", "get"): own_pass(variants=("alpha", "clips")),
    ("assignments/<int:assignment_id>/", "patch"): Rule(
        FORBIDDEN, NOT_FOUND, OK, OK, body={"mode": "assisted"}
    ),
    ("assignments/<int:assignment_id>/segments/", "put"): own_pass(
        curators=FORBIDDEN, body={"revision": "<revision>", "segments": [SEGMENT]}
    ),
    ("assignments/<int:assignment_id>/vote/", "put"): own_pass(
        curators=FORBIDDEN,
        variants=("clips",),
        body={"revision": "<revision>", "label": "sad", "submit": False},
    ),
    ("assignments/<int:assignment_id>/submit/", "post"): own_pass(curators=FORBIDDEN, body={}),
    ("assignments/<int:assignment_id>/reopen/", "post"): Rule(
        FORBIDDEN, NOT_FOUND, OK, OK, body={"reason": "again"}
    ),
    ("assignments/<int:assignment_id>/activity/", "post"): own_pass(
        curators=FORBIDDEN, body={"seconds": 5}
    ),
    ("assignments/<int:assignment_id>/history/", "get"): own_pass(),
    # -- curation
    ("videos/<int:video_id>/agreement/", "get"): curating(),
    ("projects/<slug:slug>/agreement/", "get"): curating(),
    ("projects/<slug:slug>/consensus/", "post"): curating(body={}),
    ("projects/<slug:slug>/annotators/<str:username>/", "get"): curating(),
    ("videos/<int:video_id>/passes/", "get"): curating(),
    ("projects/<slug:slug>/releases/", "get"): curating(),
    ("projects/<slug:slug>/releases/", "post"): curating(
        body={"name": "v2", "split": {"kind": "loso"}}
    ),
    ("projects/<slug:slug>/imports/", "post"): curating(body={}, multipart=True),
    ("releases/<int:release_id>/", "get"): curating(),
    ("releases/<int:release_id>/exports/", "post"): curating(body={"format": "megc"}),
    ("releases/<int:release_id>/exports/<str:format_name>/", "get"): curating(),
    ("releases/<int:release_id>/clips/", "post"): curating(body={"pad": 0}),
    ("releases/<int:release_id>/diff/", "get"): curating(query="?against={release_id}"),
    ("evaluate/", "post"): everyone(no_object=True, body={}, multipart=True),
    ("projects/<slug:slug>/clip-agreement/", "get"): curating(variants=("clips",)),
    ("projects/<slug:slug>/clips/", "post"): curating(
        variants=("clips",), body={"release": "<release>", "pad": 0}
    ),
    ("videos/<int:video_id>/consensus/", "get"): curating(),
    ("videos/<int:video_id>/consensus/", "post"): curating(
        body={"base_version": 1, "segments": [{"onset": 1, "offset": 9, "type": "macro"}]}
    ),
    # -- inference
    ("projects/<slug:slug>/models/", "get"): curating(),
    ("projects/<slug:slug>/models/", "post"): curating(body={"kind": "baseline"}),
    ("models/<int:model_id>/", "get"): curating(),
    ("projects/<slug:slug>/prelabel-runs/", "get"): curating(),
    ("projects/<slug:slug>/prelabel-runs/", "post"): curating(body={"model": "<model>"}),
    ("projects/<slug:slug>/features/", "post"): curating(body={}),
    # A blind pass's annotator is told proposals exist but not shown them (403), the other
    # annotator of the video gets 404 like anyone without a pass of it.
    ("videos/<int:video_id>/proposals/", "get"): Rule(FORBIDDEN, FORBIDDEN, OK, OK),
}


# -- discovery ---------------------------------------------------------------------------------


def _walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, Any]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.callback


def api_routes() -> dict[tuple[str, str], type[APIView]]:
    """(route below /api/v1/, method) for every handler of every API view."""
    routes = {}
    for route, callback in _walk(get_resolver().url_patterns, ""):
        if not route.startswith(API_PREFIX):
            continue
        view_class = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
        assert view_class is not None, f"{route} is not a class-based view"
        for method in view_class.http_method_names:
            if method in ("options", "head", "trace") or not hasattr(view_class, method):
                continue
            routes[(route.removeprefix(API_PREFIX), method)] = view_class
    return routes


def url_of(route: str, params: dict[str, Any]) -> str:
    def fill(match: re.Match[str]) -> str:
        return str(params[match.group(1)])

    return "/" + API_PREFIX + re.sub(r"<(?:\w+:)?(\w+)>", fill, route)


def test_every_route_has_a_rule() -> None:
    discovered = set(api_routes())
    assert discovered - set(RULES) == set(), "new endpoints: add a rule to RULES"
    assert set(RULES) - discovered == set(), "rules for endpoints that no longer exist"


# -- the matrix --------------------------------------------------------------------------------


MODELS: tuple[type[Any], ...] = (
    Project, Membership, Video, Assignment, Segment, SegmentChange, PassEvent, Vote, Job,
    ConsensusVersion, ConsensusSegment, Release, ReleaseExport, SpotterModel, PrelabelRun,
    Proposal,
)  # fmt: skip


def fingerprint() -> dict[str, Any]:
    """Every row count, and the mutable fields of the rows a refused write could touch."""
    state: dict[str, Any] = {model.__name__: model.objects.count() for model in MODELS}
    state["passes"] = list(
        Assignment.objects.order_by("pk").values_list(
            "pk", "status", "mode", "revision", "time_spent_s", "annotator_id"
        )
    )
    state["members"] = list(Membership.objects.order_by("pk").values_list("pk", "role"))
    state["projects"] = list(Project.objects.order_by("pk").values_list("pk", "name"))
    state["votes"] = list(Vote.objects.order_by("pk").values_list("pk", "label"))
    return state


def client_for(world: World, role: str) -> APIClient:
    return api_client(None if role == "anonymous" else world.users[role])


@dataclass
class Call:
    role: str
    url: str
    status: int
    body: str
    changed: bool


def call(world: World, role: str, route: str, method: str, params: dict[str, Any]) -> Call:
    """One request inside a savepoint that is rolled back, so that every call sees the same
    world whatever the previous one wrote."""
    rule = RULES[(route, method)]
    url = url_of(route, params) + rule.query.format(**params)
    body = body_of(rule, world, params)
    client = client_for(world, role)
    with transaction.atomic():
        before = fingerprint()
        kwargs: dict[str, Any] = {"format": "multipart" if rule.multipart else "json"}
        if body is not None:
            kwargs["data"] = body
        response = getattr(client, method)(url, **kwargs)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    content = b"" if response.streaming else response.content
    return Call(role, url, response.status_code, content.decode(errors="replace"), changed)


def check(outcome: str, result: Call, method: str, rule: Rule) -> str | None:
    """A description of what is wrong with ``result``, or None."""
    status = result.status
    if status >= 500:
        return f"{result.role} {method.upper()} {result.url}: {status}"
    if outcome == OK:
        allowed = set(rule.ok_statuses) or set(range(200, 300))
        if method in WRITE_METHODS and not rule.ok_statuses:
            allowed |= {400, 409}
        if rule.public:
            allowed |= {400, 401}
        if status not in allowed:
            return f"{result.role} {method.upper()} {result.url}: {status}, expected {outcome}"
        return None
    if status not in ACCEPTED[outcome]:
        return f"{result.role} {method.upper()} {result.url}: {status}, expected {outcome}"
    if method in WRITE_METHODS and result.changed:
        return f"{result.role} {method.upper()} {result.url}: refused but changed rows"
    return None


def leak_check(result: Call, method: str) -> str | None:
    """An annotator's successful response carries nothing of the other annotator's passes."""
    if result.role not in ("ann_mine", "ann_theirs") or not 200 <= result.status < 300:
        return None
    other = "ann_theirs" if result.role == "ann_mine" else "ann_mine"
    leaks = leaks_of(other, result.body)
    if leaks:
        return f"{result.role} {method.upper()} {result.url} leaks {other}'s {leaks}"
    return None


@pytest.fixture
def world(db: None) -> World:
    cache.clear()  # the login throttle counts in the cache
    return build_world()


@pytest.mark.parametrize(("route", "method"), sorted(RULES), ids=lambda value: str(value))
def test_access_matrix(world: World, route: str, method: str) -> None:
    rule = RULES[(route, method)]
    problems: list[str] = []
    has_objects = "<" in route
    for variant in rule.variants:
        params = {**world.params["alpha"], **world.params[variant]}
        for role in ROLES:
            result = call(world, role, route, method, params)
            if rule.public:
                outcome = OK
            elif role == "anonymous":
                if result.status not in (401, 403):
                    problems.append(f"anonymous {method.upper()} {result.url}: {result.status}")
                if method in WRITE_METHODS and result.changed:
                    problems.append(f"anonymous {method.upper()} {result.url}: changed rows")
                continue
            elif role == "outsider":
                outcome = OK if rule.no_object else NOT_FOUND
            else:
                outcome = rule.expected(role)
            problems += filter(None, [check(outcome, result, method, rule)])
            problems += filter(None, [leak_check(result, method)])
    if has_objects:
        foreign = {**world.params["beta"]}
        for role in MEMBER_ROLES:
            result = call(world, role, route, method, foreign)
            problems += filter(None, [check(NOT_FOUND, result, method, rule)])
    assert problems == []


def test_the_world_has_what_the_matrix_needs(world: World) -> None:
    """The objects behind the matrix exist, so that its 404s are refusals, not empty tables."""
    params = world.params["alpha"]
    mine = Assignment.objects.get(pk=params["assignment_id"])
    assert mine.annotator.username == "ann_mine"
    theirs = Assignment.objects.get(video=mine.video, annotator__username="ann_theirs")
    assert set(theirs.segments.values_list("client_id", flat=True)) == {
        "THEIRS-seg-1",
        "THEIRS-seg-2",
    }
    assert ConsensusSegment.objects.filter(video=mine.video).exists()
    assert ReleaseExport.objects.filter(release_id=params["release_id"], format="native").exists()
    assert Vote.objects.filter(assignment__annotator__username="ann_theirs").get().label == (
        "disgust"
    )
    # The curator does see both annotators' work: the leak check would notice it.
    passes = api_client(world.users["curator"]).get(f"/api/v1/videos/{mine.video_id}/passes/")
    assert passes.status_code == 200
    assert leaks_of("ann_theirs", passes.content.decode()) != []
    clip_id = world.params["clips"]["video_id"]
    clip = api_client(world.users["curator"]).get(f"/api/v1/videos/{clip_id}/")
    assert "vote label disgust" in leaks_of("ann_theirs", clip.content.decode())
