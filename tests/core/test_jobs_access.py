"""Who may read a Job: whoever started it, and the owners and curators of its project."""

from __future__ import annotations

import uuid

import pytest

from core.models import Job
from tests.conftest import api_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(people, project) -> Job:
    return Job.objects.create(
        kind="diagnostic",
        task_name="core.tasks.diagnostic",
        project=project,
        created_by=people["annotator"],
        message="Waiting for a worker",
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("annotator", 200), ("owner", 200), ("curator", 200), ("outsider", 404), (None, 401)],
)
def test_job_visibility(people, job, who, status) -> None:
    response = api_client(people.get(who)).get(f"/api/v1/jobs/{job.pk}/")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["id"] == str(job.pk)
        assert body["state"] == "queued"
        assert body["message"] == "Waiting for a worker"
        assert body["project"] == "alpha"


def test_an_annotator_does_not_see_another_annotators_job(people, project) -> None:
    other = Job.objects.create(
        kind="x", task_name="x", project=project, created_by=people["curator"]
    )
    response = api_client(people["annotator"]).get(f"/api/v1/jobs/{other.pk}/")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "No such job.", "fields": {}}


@pytest.mark.parametrize("job_id", [str(uuid.uuid4()), "not-a-uuid"])
def test_unknown_job_is_404(people, job_id) -> None:
    assert api_client(people["owner"]).get(f"/api/v1/jobs/{job_id}/").status_code == 404
