"""Fixtures shared by the whole suite: users and projects, API clients, the real Celery worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Job, JobState, Membership, Project, Role

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = settings.DATABASES["default"]
    return [
        f"spotlab: database {database['ENGINE'].rsplit('.', 1)[-1]} "
        f"({database.get('HOST') or database['NAME']}), "
        f"broker {settings.CELERY_BROKER_URL.split('://', 1)[0]}"
    ]


# -- people and projects ---------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "correct-horse-battery"


def make_user(username: str, **extra: Any) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, **extra)


def api_client(user: User | None) -> APIClient:
    """A client authenticated with the user's token (anonymous for None)."""
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


class QuietReporter:
    """A Job reporter that drops progress, for a Job's service called in the test's process."""

    def progress(self, *args: Any, **kwargs: Any) -> None:
        return None


def stored_video(project: Project, source: Path, tag: str) -> Any:
    """A video row of ``project`` whose source is ``source``, stored as an upload stores it
    (not ingested); ``tag`` (one character) makes its hash."""
    from django.core.files.storage import default_storage

    from videos.models import Video

    video = Video.objects.create(project=project, sha256=tag * 64, original_name=f"{tag}.mp4")
    with source.open("rb") as handle:
        video.file.name = default_storage.save(video.storage_name("source", ".mp4"), handle)
    video.save()
    return video


def ingested_video(project: Project, source: Path, tag: str) -> Any:
    """:func:`stored_video`, ingested in this process (probe, proxy, sprite, poster)."""
    from videos.services import video_ingest

    video = stored_video(project, source, tag)
    video_ingest(video_id=video.pk, reporter=QuietReporter())  # type: ignore[arg-type]
    video.refresh_from_db()
    return video


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """One user per role of project ``alpha``, plus an outsider who belongs to ``beta`` only."""
    return {name: make_user(name) for name in ("owner", "curator", "annotator", "outsider")}


@pytest.fixture
def project(people: dict[str, User]) -> Project:
    project = Project.objects.create(name="Alpha", slug="alpha", created_by=people["owner"])
    for name, role in (
        ("owner", Role.OWNER),
        ("curator", Role.CURATOR),
        ("annotator", Role.ANNOTATOR),
    ):
        Membership.objects.create(project=project, user=people[name], role=role)
    beta = Project.objects.create(name="Beta", slug="beta", created_by=people["outsider"])
    Membership.objects.create(project=beta, user=people["outsider"], role=Role.OWNER)
    return project


# -- the real Celery worker ------------------------------------------------------------------


def _database_url(database: dict[str, Any]) -> str:
    """A DATABASE_URL for the test database that pytest-django set up."""
    engine = database["ENGINE"]
    if engine.endswith("sqlite3"):
        return f"sqlite:///{database['NAME']}"
    if engine.endswith("postgresql"):
        auth = database.get("USER") or ""
        if database.get("PASSWORD"):
            auth += f":{database['PASSWORD']}"
        host = database.get("HOST") or "127.0.0.1"
        port = database.get("PORT") or 5432
        return f"postgres://{auth}@{host}:{port}/{database['NAME']}"
    raise RuntimeError(f"no worker support for {engine}")


class WorkerProcess:
    def __init__(self, process: subprocess.Popen[bytes], log_path: Path) -> None:
        self.process = process
        self.log_path = log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_worker(
    log_path: Path,
    queues: str = "default,media,gpu",
    *,
    purge: bool = True,
    extra_env: dict[str, str] | None = None,
) -> WorkerProcess:
    from django.db import connection

    env = dict(os.environ, **(extra_env or {}))
    env["DATABASE_URL"] = _database_url(connection.settings_dict)
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env["PYTHONUNBUFFERED"] = "1"
    if purge:
        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "config", "purge", "-f", "-Q", queues],
            cwd=ROOT,
            env=env,
            check=False,
            capture_output=True,
        )
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-Q",
            queues,
            "--concurrency",
            "2",
            "--pool",
            "prefork",
            "-l",
            "info",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"test-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    worker = WorkerProcess(process, log_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"celery worker exited early:\n{worker.log()}")
        if " ready." in worker.log():
            return worker
        time.sleep(0.2)
    raise RuntimeError(f"celery worker not ready after 60 s:\n{worker.log()}")


def stop_worker(worker: WorkerProcess) -> None:
    """Warm shutdown through the main process (as a service manager would), then cold, then
    kill whatever is left of its process group."""
    process = worker.process
    for sig, grace_s in ((signal.SIGTERM, 20), (signal.SIGQUIT, 5)):
        if process.poll() is not None:
            break
        process.send_signal(sig)
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            continue
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def kill_worker(worker: WorkerProcess) -> None:
    """SIGKILL the worker's whole process group, as a crash or the OOM killer would: no
    message is acknowledged, no Job is finished."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(worker.process.pid, signal.SIGKILL)
    worker.process.wait()


def replace_worker(worker: WorkerProcess, extra_env: dict[str, str] | None = None) -> None:
    """Start a fresh worker in place of ``worker`` (killed or stopped), on the same queues,
    without purging them: what the dead worker left unacknowledged is still there."""
    if worker.process.poll() is None:
        stop_worker(worker)
    log_path = worker.log_path.with_name(f"{worker.log_path.stem}-{time.monotonic_ns()}.log")
    fresh = start_worker(log_path, purge=False, extra_env=extra_env)
    worker.process, worker.log_path = fresh.process, fresh.log_path


@pytest.fixture(scope="session")
def celery_worker(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[WorkerProcess]:
    """A real ``celery -A config worker`` process on every queue, against the test database.

    Tests that use it must be ``django_db(transaction=True)``: the worker only sees committed
    rows. It is stopped before the test database is dropped.
    """
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    with django_db_blocker.unblock():
        worker = start_worker(log_path)
    yield worker
    stop_worker(worker)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "worker.log").write_text(worker.log())


def wait_for_job(job_id: Any, timeout: float = 60.0) -> Job:
    """Poll the Job row until it finishes; fail with the worker's state if it does not."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.get(pk=job_id)
        if job.state in (JobState.SUCCEEDED, JobState.FAILED):
            return job
        time.sleep(0.1)
    job = Job.objects.get(pk=job_id)
    raise AssertionError(f"job {job_id} still {job.state} ({job.message}) after {timeout} s")


# -- the browser (tests/e2e, tests/faults) -------------------------------------------------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make bootstrap` installs Debian's chromium")
    if not (Path(settings.FRONTEND_DIST_DIR) / "index.html").exists():
        pytest.fail("the frontend is not built: run `make frontend`")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between browser steps are synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
