"""Jobs through a real Celery worker process: state, progress, result and failure."""

from __future__ import annotations

import time

import pytest
from django.db import transaction

from core.jobs import job_enqueue
from core.models import Job, JobState
from core.tasks import diagnostic
from tests.conftest import api_client, wait_for_job

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def _watch(client, job_id: str, timeout: float = 60.0) -> list[dict]:
    """Every distinct (state, progress) the API shows until the job finishes."""
    seen: list[dict] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/jobs/{job_id}/").json()
        if not seen or (body["state"], body["progress"]) != (
            seen[-1]["state"],
            seen[-1]["progress"],
        ):
            seen.append(body)
        if body["state"] in ("succeeded", "failed"):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"job did not finish: {seen[-1]}")


def test_job_goes_queued_running_succeeded(celery_worker, people, project) -> None:
    client = api_client(people["owner"])
    with transaction.atomic():
        job = job_enqueue(
            kind="diagnostic",
            task=diagnostic,
            kwargs={"steps": 5, "step_seconds": 0.3},
            project=project,
            created_by=people["owner"],
        )
        # Inside the transaction the task has not been sent: the API shows it queued.
        queued = client.get(f"/api/v1/jobs/{job.pk}/")
        assert queued.status_code == 200
        assert queued.json()["state"] == "queued"
        assert queued.json()["progress"] == 0.0
    seen = _watch(client, str(job.pk))
    states = [body["state"] for body in seen]
    assert states[0] in ("queued", "running")
    assert "running" in states
    assert states[-1] == "succeeded"
    # Once running it never goes back, and progress only grows.
    assert states == sorted(states, key=["queued", "running", "succeeded"].index)
    running_progress = [body["progress"] for body in seen if body["state"] == "running"]
    assert running_progress == sorted(running_progress)
    assert {0.2, 0.4, 0.6, 0.8} & set(running_progress)
    final = seen[-1]
    assert final["progress"] == 1.0
    assert final["result"] == {"steps": 5}
    assert final["error"] == ""
    assert final["attempts"] == 1
    assert final["started_at"] is not None
    assert final["finished_at"] is not None


def test_failing_job_shows_failed_with_its_error(celery_worker, people, project) -> None:
    with transaction.atomic():
        job = job_enqueue(
            kind="diagnostic",
            task=diagnostic,
            kwargs={"steps": 5, "step_seconds": 0.05, "fail_at": 2},
            project=project,
            created_by=people["curator"],
        )
    finished = wait_for_job(job.pk)
    assert finished.state == JobState.FAILED
    body = api_client(people["curator"]).get(f"/api/v1/jobs/{job.pk}/").json()
    assert body["state"] == "failed"
    assert body["error"] == "Diagnostic failure requested at step 2."
    assert body["progress"] == pytest.approx(0.2)
    assert body["result"] is None


def test_redelivered_message_for_finished_job_changes_nothing(celery_worker, people) -> None:
    with transaction.atomic():
        job = job_enqueue(kind="diagnostic", task=diagnostic, kwargs={"steps": 1})
    done = wait_for_job(job.pk)
    assert done.state == JobState.SUCCEEDED
    diagnostic.apply_async(args=[str(job.pk)])  # as if the broker delivered it again
    time.sleep(1.5)
    again = Job.objects.get(pk=job.pk)
    assert again.attempts == 1
    assert again.finished_at == done.finished_at


def test_sweeper_resends_a_job_whose_worker_died(celery_worker, people, project) -> None:
    """A Job left running by a dead worker (stale heartbeat, no message anywhere) is sent again
    by the sweeper and finishes; one that has used up its attempts fails with the reason."""
    from datetime import timedelta

    from django.utils import timezone

    from core.jobs import jobs_sweep

    long_ago = timezone.now() - timedelta(hours=1)
    orphan = Job.objects.create(
        kind="diagnostic",
        task_name=diagnostic.name,
        task_kwargs={"steps": 2, "step_seconds": 0.05},
        state=JobState.RUNNING,
        attempts=1,
        heartbeat_at=long_ago,
        started_at=long_ago,
    )
    exhausted = Job.objects.create(
        kind="diagnostic",
        task_name=diagnostic.name,
        state=JobState.RUNNING,
        attempts=3,
        heartbeat_at=long_ago,
    )
    alive = Job.objects.create(
        kind="diagnostic",
        task_name=diagnostic.name,
        state=JobState.RUNNING,
        attempts=1,
        heartbeat_at=timezone.now(),
    )
    assert jobs_sweep() == {"resent": 1, "given_up": 1}
    finished = wait_for_job(orphan.pk)
    assert finished.state == JobState.SUCCEEDED
    assert finished.attempts == 2
    assert finished.result == {"steps": 2}
    failed = Job.objects.get(pk=exhausted.pk)
    assert failed.state == JobState.FAILED
    assert failed.error == "The worker running this job stopped responding 3 times; giving up."
    # A live worker's Job is not touched, and a second delivery of it does not run it twice.
    diagnostic.apply_async(args=[str(alive.pk)])
    time.sleep(1.0)
    assert Job.objects.get(pk=alive.pk).attempts == 1
    assert jobs_sweep() == {"resent": 0, "given_up": 0}
