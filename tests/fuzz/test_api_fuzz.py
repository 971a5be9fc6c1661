"""Every operation of the OpenAPI schema fuzzed by schemathesis, as an annotator and as a curator.

The schema is loaded from ``/api/schema/`` through the WSGI application and each case is called
in-process, in the test's own database transaction. Two checks only, and no weakening of either:
no 5xx, and every response conforming to the schema (documented status, content type, body and
headers). Path parameters are aimed at the objects of a small world (two projects, their videos,
passes, consensus, a release, a job, a model) so that most cases reach real rows, not only 404s.

``SPOTLAB_FUZZ_EXAMPLES`` raises the number of examples per operation (see docs/fuzzing.md).
"""

from __future__ import annotations

import os
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from annotation.models import Assignment, PassStatus, Segment, Vote
from config.wsgi import application
from core.models import Job, JobState, Membership, Project, Role, TaskKind
from curation.services.agreement import consensus_build
from curation.services.releases import release_create
from inference.models import ModelKind, SpotterModel
from tests.conftest import make_user
from videos.models import Subject, Video, VideoStatus

EXAMPLES = int(os.environ.get("SPOTLAB_FUZZ_EXAMPLES", "12"))

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

#: Operations whose body is a file of media or an archive: status and content type are checked,
#: not the bytes.
BINARY = ("/proxy/", "/sprite/", "/poster/", "/frames/", "/exports/{format_name}/")


@dataclass(frozen=True)
class World:
    """What the fuzzed calls can find: real values for each path parameter, by name."""

    path_values: dict[str, list[Any]]
    tokens: dict[str, str]


def _video(project: Project, name: str, subject: Subject, n_frames: int) -> Video:
    return Video.objects.create(
        project=project, subject=subject, original_name=name, sha256=name.ljust(64, "0"),
        status=VideoStatus.READY, n_frames=n_frames, fps_num=30, fps_den=1, width=64, height=48,
    )  # fmt: skip


def _spotting(
    project: Project, annotators: list[Any], curator: Any
) -> tuple[list[Video], list[Assignment]]:
    """Two ready videos of two subjects, a submitted pass by each annotator with segments on
    both (plus an open pass on a third video), and consensus v1."""
    videos, passes = [], []
    for number in range(3):
        subject, _ = Subject.objects.get_or_create(project=project, code=f"s{number % 2 + 1}")
        video = _video(project, f"spot{number}.mp4", subject, n_frames=300)
        videos.append(video)
        for index, user in enumerate(annotators, start=1):
            submitted = number < 2
            assignment = Assignment.objects.create(
                video=video, annotator=user, pass_index=index,
                status=PassStatus.SUBMITTED if submitted else PassStatus.OPEN, revision=1,
            )  # fmt: skip
            passes.append(assignment)
            Segment.objects.create(
                assignment=assignment, client_id="a", onset=40 + index, apex=50, offset=70 + index,
                type="macro", emotion="happy", aus=["AU6", "AU12"],
            )  # fmt: skip
    consensus_build(project=project, by=curator)
    return videos, passes


def _clips(project: Project, annotators: list[Any]) -> tuple[list[Video], list[Assignment]]:
    """Four ready clips, each with a vote by the first annotator and an open pass for the
    second."""
    clips, passes = [], []
    for number in range(4):
        subject, _ = Subject.objects.get_or_create(project=project, code=f"c{number % 2}")
        clip = _video(project, f"{number + 1:05d}.mp4", subject, n_frames=30)
        clips.append(clip)
        for index, user in enumerate(annotators, start=1):
            assignment = Assignment.objects.create(
                video=clip, annotator=user, pass_index=index,
                status=PassStatus.SUBMITTED if index == 1 else PassStatus.OPEN,
                revision=1 if index == 1 else 0,
            )  # fmt: skip
            passes.append(assignment)
            if index == 1:
                Vote.objects.create(assignment=assignment, label="happy", intensity=3)
    return clips, passes


@pytest.fixture
def world(people, project) -> World:
    """Project ``alpha`` (spotting) and ``clips`` (clip classification) with the people of
    tests/conftest.py; ``annotator`` and ``annotator2`` label in both."""
    second = make_user("annotator2")
    annotators = [people["annotator"], second]
    Membership.objects.create(project=project, user=second, role=Role.ANNOTATOR)
    project.passes_per_item = 2
    project.save()
    videos, passes = _spotting(project, annotators, people["curator"])
    release = release_create(
        project=project, by=people["curator"], name="v1", split={"kind": "kfold", "k": 2, "seed": 1}
    )
    clip_project = Project.objects.create(
        name="Clips", slug="clips", task_kind=TaskKind.CLIP_CLASSIFICATION, passes_per_item=2,
        single_label_threshold=0,
        created_by=people["owner"],
    )  # fmt: skip
    for user, role in ((people["owner"], Role.OWNER), (people["curator"], Role.CURATOR)):
        Membership.objects.create(project=clip_project, user=user, role=role)
    for user in annotators:
        Membership.objects.create(project=clip_project, user=user, role=Role.ANNOTATOR)
    clips, votes = _clips(clip_project, annotators)
    clip_release = release_create(
        project=clip_project,
        by=people["curator"],
        name="c1",
        split={"kind": "kfold", "k": 2, "seed": 1},
    )
    job = Job.objects.create(
        kind="export", task_name="curation.tasks.release_export", project=project,
        created_by=people["curator"], state=JobState.SUCCEEDED, progress=1.0,
    )  # fmt: skip
    model = SpotterModel.objects.create(
        project=project, version=1, kind=ModelKind.BASELINE, name="baseline v1"
    )
    return World(
        tokens={
            name: Token.objects.get_or_create(user=people[name])[0].key
            for name in ("annotator", "curator")
        },
        path_values={
            "slug": ["alpha", "clips", "beta"],
            "video_id": [video.pk for video in videos + clips],
            "assignment_id": [assignment.pk for assignment in passes + votes],
            "release_id": [release.pk, clip_release.pk],
            "job_id": [str(job.pk), str(uuid.uuid4())],
            "model_id": [model.pk],
            "username": ["annotator", "annotator2", "curator", "owner", "outsider"],
            "format_name": ["native", "megc", "csv"],
            "index": [0, 1, 299],
        },
    )


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Keep the test's connection (and its open transaction) across the WSGI calls, as Django's
    test client does: the request signals would otherwise close it."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def aim_at_world(case: schemathesis.Case, world: World) -> None:
    """Replace most generated path parameters by real ones; the choice is a function of the
    generated value, so that a failing example replays the same request. One value in
    ``len(real) + 1`` keeps what was generated (typically a 404)."""
    for name, value in list(case.path_parameters.items()):
        real = world.path_values.get(name)
        if not real:
            continue
        choice = zlib.crc32(repr(value).encode()) % (len(real) + 1)
        if choice < len(real):
            case.path_parameters[name] = real[choice]


def fuzz(case: schemathesis.Case, world: World, username: str) -> None:
    aim_at_world(case, world)
    headers = {"Authorization": f"Token {world.tokens[username]}"}
    checks = CHECKS
    if any(part in case.operation.path for part in BINARY):
        checks = [not_a_server_error, status_code_conformance, content_type_conformance]
    case.call_and_validate(headers=headers, checks=checks)


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_requests")
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_annotator(case: schemathesis.Case, world: World) -> None:
    fuzz(case, world, "annotator")


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_requests")
@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_curator(case: schemathesis.Case, world: World) -> None:
    fuzz(case, world, "curator")
