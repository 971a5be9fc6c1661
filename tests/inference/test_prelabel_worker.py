"""Training and pre-label runs through a real Celery worker on the ``gpu`` queue (on CPU here),
and a pre-label run whose worker is killed in the middle."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.test import override_settings

from core.jobs import jobs_sweep
from core.models import Job, JobState
from inference.models import MotionFeatures, Proposal, SpotterModel
from inference.services import model_build, motion_of, spotter_load
from tests.conftest import api_client, kill_worker, replace_worker, wait_for_job
from tests.inference.platform import Clip, face_project, make_clips, release_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Clip]:
    return make_clips(tmp_path_factory.mktemp("faces"))


def _messages(job_id: Any, timeout: float = 240.0) -> list[str]:
    """Every distinct progress message of the Job until it finishes."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.message and (not seen or seen[-1] != job.message):
            seen.append(job.message)
        if job.state in (JobState.SUCCEEDED, JobState.FAILED):
            return seen
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} did not finish: {seen[-1:]}")


def test_a_gpu_worker_trains_a_tiny_spotter_and_pre_labels(
    celery_worker, people, project, clips
) -> None:
    videos = face_project(people, project, clips[:3])
    release = release_of(people, project)
    client = api_client(people["curator"])
    tiny = {"epochs": 3, "hidden": 8, "dilations": [1, 2, 4], "seed": 1}
    response = client.post(
        "/api/v1/projects/alpha/models/",
        {"kind": "trained", "release": release.pk, "hyperparameters": tiny},
        format="json",
    )
    assert response.status_code == 202, response.json()
    messages = _messages(response.json()["id"])
    job = Job.objects.get(pk=response.json()["id"])
    assert job.state == JobState.SUCCEEDED, job.error
    # Progress is written at most four times a second, so tiny epochs may not all show (the
    # service test follows every epoch); the features of each video and the end do.
    assert messages[-1] == "Done"
    assert {f"Facial motion of video {video.pk}" for video in videos} <= set(messages)
    model = SpotterModel.objects.get()
    assert job.result == {
        "model": model.pk, "name": "trained v1", "version": 1, "kind": "trained",
        "device": "cpu", "held_out_f1": model.metrics["held_out"]["overall"]["f1"],
    }  # fmt: skip
    assert model.job_id == job.pk
    assert model.hyperparameters["hidden"] == 8
    assert model.hyperparameters["dilations"] == [1, 2, 4]
    assert (len(model.training_videos), len(model.held_out_videos)) == (2, 1)
    # Features were made once per video by the job and are reused by the pre-label run.
    assert MotionFeatures.objects.count() == 3
    made = dict(MotionFeatures.objects.values_list("video_id", "computed_at"))

    response = client.post(
        "/api/v1/projects/alpha/prelabel-runs/", {"model": model.pk}, format="json"
    )
    assert response.status_code == 202
    done = wait_for_job(response.json()["id"], timeout=120)
    assert done.state == JobState.SUCCEEDED, done.error
    assert done.result is not None
    assert done.result["proposals"] == Proposal.objects.count()
    assert set(done.result["videos"]) == {str(video.pk) for video in videos}
    assert dict(MotionFeatures.objects.values_list("video_id", "computed_at")) == made


def test_a_killed_pre_label_run_is_redelivered_and_writes_each_proposal_once(
    celery_worker, people, project, clips
) -> None:
    videos = face_project(people, project, clips)
    model = model_build(project=project, kind="baseline", hyperparameters={"high": 4.0})
    response = api_client(people["curator"]).post(
        "/api/v1/projects/alpha/prelabel-runs/", {"model": model.pk}, format="json"
    )
    assert response.status_code == 202
    job_id = response.json()["id"]
    # Wait until the run is part-way: two videos done, the rest to go.
    deadline = time.monotonic() + 120
    while MotionFeatures.objects.count() < 2:
        assert time.monotonic() < deadline, "the run did not get going"
        time.sleep(0.02)
    kill_worker(celery_worker)
    killed = Job.objects.get(pk=job_id)
    assert killed.state == JobState.RUNNING
    assert killed.attempts == 1
    before_kill = dict(MotionFeatures.objects.values_list("video_id", "computed_at"))
    assert 2 <= len(before_kill) < len(videos)
    written = Proposal.objects.count()

    fast = {"SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S": "5", "CELERY_VISIBILITY_TIMEOUT": "5"}
    try:
        replace_worker(celery_worker, extra_env=fast)
        time.sleep(6)  # the dead worker's heartbeat goes stale
        with override_settings(SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S=5):
            swept = jobs_sweep()
        # The broker may have redelivered it already; either way it runs once more.
        assert swept["given_up"] == 0
        done = wait_for_job(job_id, timeout=180)
    finally:
        replace_worker(celery_worker)
    assert done.state == JobState.SUCCEEDED, done.error
    assert done.attempts == 2
    # Features made before the kill were kept; every video has its proposals exactly once.
    after = dict(MotionFeatures.objects.values_list("video_id", "computed_at"))
    assert {video: after[video] for video in before_kill} == before_kill
    assert len(after) == len(videos)
    spotter = spotter_load(model)
    assert done.result is not None
    rows = list(Proposal.objects.values_list("video_id", "onset", "offset", "type"))
    assert len(rows) == len(set(rows)) == done.result["proposals"] >= written
    for video in videos:
        expected = [(video.pk, p.onset, p.offset, p.type) for p in spotter.spot(motion_of(video))]
        assert [row for row in rows if row[0] == video.pk] == expected
    assert rows, "the generated faces gave the baseline nothing to propose"
