"""Faults against the real services: a worker SIGKILLed in the middle of an ingest, a clip
export and a training run (the pre-label run is in tests/inference/test_prelabel_worker.py),
Redis restarted with tasks queued and running, and storage failing while a proxy or an export
is written. Each time the work finishes once, nothing is duplicated, and the Job says what
happened."""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.test import override_settings

from core.errors import StorageError
from core.jobs import job_enqueue, jobs_sweep, run_job
from core.models import Job, JobEvent, JobState
from core.tasks import diagnostic
from curation.models import Release, ReleaseExport
from curation.services import release_export
from curation.tasks import release_export as release_export_task
from inference.models import SpotterModel
from tests import media_factory as factory
from tests.conftest import (
    ROOT,
    QuietReporter,
    WorkerProcess,
    api_client,
    kill_worker,
    replace_worker,
    start_worker,
    stop_worker,
    stored_video,
    wait_for_job,
)
from tests.curation.test_releases import release_of_one_video, spotting_project
from tests.inference.platform import face_project, make_clips, release_of
from tests.videos.test_ingest_api import ingest, upload
from videos.models import Video, VideoStatus
from videos.services import video_ingest

FAST = {"SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S": "5", "CELERY_VISIBILITY_TIMEOUT": "5"}


def wait_until(condition: Callable[[], bool], what: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def recover(worker: WorkerProcess, job_id: Any) -> Job:
    """After a SIGKILL: a fresh worker, the dead one's heartbeat left to go stale, the sweeper
    run (the broker may have redelivered the task already), and the Job waited for."""
    try:
        replace_worker(worker, extra_env=FAST)
        time.sleep(6)
        with override_settings(SPOTLAB_JOB_HEARTBEAT_TIMEOUT_S=5):
            assert jobs_sweep()["given_up"] == 0
        return wait_for_job(job_id, timeout=240)
    finally:
        replace_worker(worker)


def assert_story_of_a_lost_worker(job: Job) -> None:
    """The Job's events: queued, run 1 on one worker, (resent by the sweeper,) run 2 on
    another, succeeded."""
    events = list(JobEvent.objects.filter(job=job).order_by("id"))
    kinds = [event.kind for event in events if event.kind != JobEvent.Kind.RESENT]
    assert kinds == ["queued", "started", "started", "succeeded"], kinds
    runs = [event.message for event in events if event.kind == JobEvent.Kind.STARTED]
    assert runs[0].startswith("Run 1 on worker ")
    assert runs[1].startswith("Run 2 on worker ")
    assert runs[0].split(" pid ")[1] != runs[1].split(" pid ")[1]
    assert job.attempts == 2
    body = api_client(job.created_by).get(f"/api/v1/jobs/{job.pk}/").json()
    assert [event["kind"] for event in body["events"]] == [event.kind for event in events]


def stored_files(prefix: str) -> list[str]:
    root = Path(settings.MEDIA_ROOT) / prefix
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


# -- SIGKILL in the middle -----------------------------------------------------------------------

#: 720p, so that the proxy and the clips take long enough to be killed in the middle.
HD = dataclasses.replace(factory.VARIANTS["h264_30"], name="h264_720", width=1280, height=720)


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_ingest_killed_mid_proxy_is_redelivered_and_stores_each_file_once(
    celery_worker, people, project, tmp_path: Path
) -> None:
    source = factory.make_video(tmp_path, HD, n_frames=360)
    job_id = upload(api_client(people["owner"]), source)["job"]
    wait_until(
        lambda: Job.objects.get(pk=job_id).message.startswith("Making the browser proxy"),
        "the proxy to be under way",
    )
    kill_worker(celery_worker)
    assert Video.objects.get().status == VideoStatus.PROCESSING
    done = recover(celery_worker, job_id)
    assert done.state == JobState.SUCCEEDED, done.error
    assert_story_of_a_lost_worker(done)
    video = Video.objects.get()
    assert video.status == VideoStatus.READY
    assert video.n_frames == 360
    # Each file once under its fixed name: no renamed copy left by the killed run.
    assert stored_files(f"videos/{project.pk}/{video.uid}") == [
        "poster.jpg", "probe.json", "proxy.mp4", "source.mp4", "sprite.jpg",
    ]  # fmt: skip
    assert not list((Path(settings.DATA_DIR) / "scratch").glob(f"ingest-{video.pk}-*"))


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_clip_export_killed_mid_way_is_redelivered_and_written_once(
    celery_worker, people, project, tmp_path: Path
) -> None:
    uploaded = ingest(
        api_client(people["owner"]), factory.make_video(tmp_path, HD, n_frames=300),
        timeout=90, subject="s1",
    )  # fmt: skip
    assert uploaded["job_state"] == JobState.SUCCEEDED
    spans = [(20 * number, 20 * number + 15) for number in range(12)]
    video = Video.objects.get(pk=uploaded["id"])
    release = release_of_one_video(people, project, video, spans, annotators=("k1", "k2"))
    curator = api_client(people["curator"])
    job_id = curator.post(f"/api/v1/releases/{release['id']}/clips/", {}, format="json").json()[
        "id"
    ]
    wait_until(lambda: Job.objects.get(pk=job_id).message.startswith("Cut "), "clips being cut")
    kill_worker(celery_worker)
    assert Job.objects.get(pk=job_id).state == JobState.RUNNING
    assert not ReleaseExport.objects.exists()
    done = recover(celery_worker, job_id)
    assert done.state == JobState.SUCCEEDED, done.error
    assert_story_of_a_lost_worker(done)
    export = ReleaseExport.objects.get()
    assert export.format == "clips-mp4-pad0"
    folder = f"releases/{project.pk}/{Release.objects.get(pk=release['id']).uid}"
    assert stored_files(folder) == ["exports/clips-mp4-pad0.zip", "release.json"]
    with default_storage.open(export.file, "rb") as handle:
        names = zipfile.ZipFile(io.BytesIO(handle.read())).namelist()
    assert len([name for name in names if name.endswith(".mp4")]) == 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_training_killed_mid_epochs_is_redelivered_and_registers_one_model(
    celery_worker, people, project, tmp_path: Path
) -> None:
    face_project(people, project, make_clips(tmp_path, count=3))
    release = release_of(people, project)
    slow = {"epochs": 400, "hidden": 8, "dilations": [1, 2, 4], "seed": 3}
    response = api_client(people["curator"]).post(
        "/api/v1/projects/alpha/models/",
        {"kind": "trained", "release": release.pk, "hyperparameters": slow},
        format="json",
    )
    job_id = response.json()["id"]
    wait_until(
        lambda: Job.objects.get(pk=job_id).message.startswith("Epoch "),
        "training to be under way",
        timeout=180,
    )
    kill_worker(celery_worker)
    assert not SpotterModel.objects.exists()
    done = recover(celery_worker, job_id)
    assert done.state == JobState.SUCCEEDED, done.error
    assert_story_of_a_lost_worker(done)
    model = SpotterModel.objects.get()
    assert model.job_id == done.pk
    assert model.hyperparameters["epochs"] == 400
    assert default_storage.exists(model.weights_file)
    assert stored_files(str(Path(model.weights_file).parent)) == [Path(model.weights_file).name]


# -- Redis restarted with tasks queued and running -------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _redis(port: int) -> subprocess.Popen[bytes]:
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("redis-server is not installed")
    process = subprocess.Popen(
        [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process
        time.sleep(0.05)
    process.kill()
    raise AssertionError("redis-server did not start")


@pytest.fixture
def private_redis() -> Iterator[tuple[int, list[subprocess.Popen[bytes]]]]:
    """A Redis of this test's own (the suite's is shared), restartable."""
    port = _free_port()
    processes = [_redis(port)]
    yield port, processes
    for process in processes:
        process.kill()
        process.wait()


def _celery(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "celery", "-A", "config", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_redis_restart_loses_no_job(private_redis, tmp_path: Path) -> None:
    port, processes = private_redis
    broker = f"redis://127.0.0.1:{port}/0"
    env = {**FAST, "CELERY_BROKER_URL": broker}
    with override_settings(CELERY_BROKER_URL=broker):
        worker = start_worker(tmp_path / "worker.log", "default", purge=False, extra_env=env)
    try:
        jobs = [
            Job.objects.create(
                kind="diagnostic",
                task_name=diagnostic.name,
                task_kwargs={"steps": 8, "step_seconds": 0.5},
            )
            for _ in range(5)
        ]
        for job in jobs:
            JobEvent.objects.create(job=job, kind=JobEvent.Kind.QUEUED)
            _celery(env, "call", diagnostic.name, "--args", f'["{job.pk}"]')
        # Two running (the worker has two processes), the others queued in Redis.
        wait_until(
            lambda: Job.objects.filter(state=JobState.RUNNING).count() == 2, "two jobs to start"
        )
        processes[0].kill()
        processes[0].wait()
        processes.append(_redis(port))  # back, and empty: what was queued in it is gone
        time.sleep(6)  # the deliveries lost with it stop beating their heartbeats
        _celery(env, "call", "core.tasks.sweep_jobs")
        for job in jobs:
            done = wait_for_job(job.pk, timeout=90)
            assert done.state == JobState.SUCCEEDED, done.error
            assert done.result == {"steps": 8}
            assert JobEvent.objects.filter(job=job, kind="succeeded").count() == 1
        # At least the three that were only queued were lost with Redis and sent again.
        assert JobEvent.objects.filter(job__in=jobs, kind=JobEvent.Kind.RESENT).count() >= 3
    finally:
        stop_worker(worker)


# -- storage failing while a proxy or an export is written ----------------------------------------


def _failing_save(monkeypatch: pytest.MonkeyPatch, suffix: str, error: OSError) -> list[str]:
    """Make local storage fail on names ending in ``suffix`` after writing half the content,
    as a disk that fills up does (or at once, for a permission error)."""
    original = FileSystemStorage._save  # type: ignore[attr-defined]
    failed: list[str] = []

    def save(self: FileSystemStorage, name: str, content: Any) -> str:
        if not name.endswith(suffix):
            return original(self, name, content)
        failed.append(name)
        if error.errno == errno.ENOSPC:
            target = Path(self.path(name))
            target.parent.mkdir(parents=True, exist_ok=True)
            data = content.read()
            target.write_bytes(data[: len(data) // 2])
        raise error

    monkeypatch.setattr(FileSystemStorage, "_save", save)
    return failed


@pytest.mark.django_db
def test_disk_full_while_storing_the_proxy_fails_cleanly(
    monkeypatch, people, project, tmp_path: Path
) -> None:
    video = stored_video(project, factory.make_video(tmp_path, "h264_30", n_frames=30), "d")
    failed = _failing_save(
        monkeypatch, "/proxy.mp4", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    )
    with pytest.raises(StorageError) as raised:
        video_ingest(video_id=video.pk, reporter=QuietReporter())  # type: ignore[arg-type]
    reason = f"Could not store {failed[0]}: No space left on device."
    assert raised.value.message == reason
    video.refresh_from_db()
    assert (video.status, video.error) == (VideoStatus.FAILED, reason)
    # Nothing half-written is left: not the partial proxy, not the files stored before it.
    assert stored_files(f"videos/{project.pk}/{video.uid}") == ["source.mp4"]
    # Once there is room again, the same video ingests.
    monkeypatch.undo()
    Video.objects.filter(pk=video.pk).update(status=VideoStatus.PROCESSING, error="")
    video_ingest(video_id=video.pk, reporter=QuietReporter())  # type: ignore[arg-type]
    assert Video.objects.get(pk=video.pk).status == VideoStatus.READY
    assert len(stored_files(f"videos/{project.pk}/{video.uid}")) == 5


@pytest.mark.django_db
def test_permission_denied_while_writing_an_export_fails_the_job_with_the_reason(
    monkeypatch, people, project
) -> None:
    spotting_project(people, project)
    release = api_client(people["curator"]).post(
        "/api/v1/projects/alpha/releases/", {"name": "v1", "split": {"kind": "loso"}},
        format="json",
    ).json()  # fmt: skip
    failed = _failing_save(
        monkeypatch, "/megc.zip", PermissionError(errno.EACCES, "Permission denied")
    )
    job = job_enqueue(
        kind="release_export",
        task=release_export_task,
        kwargs={"release_id": release["id"], "format_name": "megc"},
        created_by=people["curator"],
    )
    run_job(str(job.pk), release_export_task.job_function)
    job.refresh_from_db()
    assert job.state == JobState.FAILED
    assert job.error == f"Could not store {failed[0]}: Permission denied."
    assert [e.kind for e in JobEvent.objects.filter(job=job)] == ["queued", "started", "failed"]
    assert not ReleaseExport.objects.exists()
    frozen = Release.objects.get(pk=release["id"])
    assert stored_files(f"releases/{project.pk}/{frozen.uid}") == ["release.json"]
    monkeypatch.undo()
    export = release_export(release_id=release["id"], format_name="megc", progress=lambda *_: None)
    assert default_storage.exists(export.file)
