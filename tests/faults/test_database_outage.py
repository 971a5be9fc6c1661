"""PostgreSQL goes away while an annotator works: the browser keeps every unsent edit (in
localStorage until the server acknowledges it) and delivers it when the database is back.

The real cluster is shared with the test process and other tests, so it is not restarted: a web
server (gunicorn, as in the container) is started against the test database through a TCP proxy,
and the proxy is cut, which drops its connections and refuses new ones as a restart would.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from playwright.sync_api import Page, expect

from annotation.models import Assignment, Segment, SegmentChange
from config.settings.env import DATA_DIR
from tests.conftest import ARTIFACTS, PASSWORD, ROOT, _database_url
from tests.e2e.test_annotator import dealt_pass, eventually, go_to, open_pass
from tests.e2e.test_videos import log_in
from tests.faults.tcpproxy import TcpProxy

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]

# A request that needs the database fails within this many seconds while it is down.
CONNECT_TIMEOUT_S = 2


@pytest.fixture
def database_proxy(transactional_db: None) -> Iterator[TcpProxy]:
    database = connection.settings_dict
    if not database["ENGINE"].endswith("postgresql"):
        pytest.skip("the outage is staged between the web server and PostgreSQL")
    upstream = (database.get("HOST") or "127.0.0.1", int(database.get("PORT") or 5432))
    with TcpProxy(*upstream) as proxy:
        yield proxy


@pytest.fixture
def web_server(database_proxy: TcpProxy, tmp_path: Path) -> Iterator[str]:
    """gunicorn with the container's settings, on the test database through the proxy; its
    base URL. Its log goes to test-artifacts/database-outage-web.log."""
    url = _database_url(
        {**connection.settings_dict, "HOST": "127.0.0.1", "PORT": database_proxy.port}
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(
        os.environ,
        DATABASE_URL=f"{url}?connect_timeout={CONNECT_TIMEOUT_S}",
        CELERY_BROKER_URL=settings.CELERY_BROKER_URL,
        SPOTLAB_DATA_DIR=str(DATA_DIR),
        DJANGO_SETTINGS_MODULE="config.settings",
        PYTHONUNBUFFERED="1",
        # Two processes, each with its own persistent connection (CONN_MAX_AGE) to lose.
        WEB_CONCURRENCY="2",
        GUNICORN_GRACEFUL_TIMEOUT="3",
    )
    log_path = tmp_path / "web.log"
    with log_path.open("wb") as log_file:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-c",
                "docker/gunicorn_conf.py",
                "--bind",
                f"127.0.0.1:{port}",
                "config.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _healthy(base):
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not come up:\n{log_path.read_text()}")
            time.sleep(0.2)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "database-outage-web.log").write_text(log_path.read_text(errors="replace"))


def _healthy(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/api/v1/health/", timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def _use_default_hasher(user: User) -> None:
    """The suite hashes passwords with MD5 for speed; the web server, on the project's
    settings, only accepts the hashers those list."""
    hasher = PBKDF2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])


def stored_draft(page: Page, assignment: Assignment) -> dict[str, Any] | None:
    raw = page.evaluate(
        "key => window.localStorage.getItem(key)", f"spotlab:draft:assignment:{assignment.pk}"
    )
    return None if raw is None else dict(json.loads(raw))


def spans(segments: list[dict[str, Any]]) -> list[tuple[int, int]]:
    return sorted((segment["onset"], segment["offset"]) for segment in segments)


def stored_segments(assignment: Assignment) -> list[tuple[str, int, int]]:
    return sorted(
        Segment.objects.filter(assignment=assignment).values_list("client_id", "onset", "offset")
    )


def stored_spans(assignment: Assignment) -> list[tuple[int, int]]:
    return sorted((onset, offset) for _, onset, offset in stored_segments(assignment))


def draw(page: Page, onset: int, offset: int) -> None:
    """A new segment with the keyboard: i at the onset, o at the offset, n to finish it."""
    go_to(page, onset)
    page.keyboard.press("i")
    go_to(page, offset)
    page.keyboard.press("o")
    page.keyboard.press("n")


def test_edits_made_while_postgresql_is_down_are_delivered_when_it_is_back(
    page: Page,
    people: Any,
    project: Any,
    celery_worker: Any,
    tmp_path: Path,
    database_proxy: TcpProxy,
    web_server: str,
) -> None:
    started = time.monotonic()
    assignment = dealt_pass(people, project, tmp_path)
    _use_default_hasher(people["annotator"])
    # A reload with unsent edits asks "leave the page?" first: the annotator says yes.
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, web_server, "annotator")
    open_pass(page, web_server, assignment)
    failed_saves: list[int] = []
    page.on(
        "response",
        lambda response: (
            failed_saves.append(response.status)
            if response.request.method == "PUT" and response.status >= 500
            else None
        ),
    )
    save_state = page.get_by_test_id("save-state")
    bars = page.get_by_test_id("timeline-segment")

    # Two segments, saved while the database is up.
    draw(page, 10, 20)
    draw(page, 120, 130)
    expect(bars).to_have_count(2)
    expect(save_state).to_have_attribute("data-state", "saved")
    eventually(lambda: stored_spans(assignment) == [(10, 20), (120, 130)])
    revision_up = Assignment.objects.get(pk=assignment.pk).revision
    changes_up = SegmentChange.objects.filter(assignment=assignment).count()
    assert stored_draft(page, assignment) is None

    # -- PostgreSQL goes down: two new segments, a boundary moved, a saved segment deleted. --
    database_proxy.cut()
    draw(page, 40, 55)
    draw(page, 70, 90)
    page.get_by_test_id("segment-row").first.click()  # the segment at 10..20
    go_to(page, 30)
    page.keyboard.press("o")
    page.keyboard.press("n")
    page.get_by_test_id("segment-row").last.click()  # the segment at 120..130
    page.keyboard.press("Delete")
    expect(bars).to_have_count(3)

    expect(save_state).to_have_attribute("data-state", "offline")
    expect(page.get_by_text("Your edits are kept in this browser")).to_be_visible()
    expect(page.get_by_text("The database is unavailable or busy")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "database-outage-offline.png"), full_page=True)
    expected = [(10, 30), (40, 55), (70, 90)]
    draft = stored_draft(page, assignment)
    assert draft is not None
    assert (draft["baseRevision"], spans(draft["segments"])) == (revision_up, expected)
    assert database_proxy.refused > 0, "the web server never tried the database while it was down"
    # The outage outlasts a retry: the autosave tries again on its own, and fails again.
    deadline = time.monotonic() + 15
    while len(failed_saves) < 2:
        assert time.monotonic() < deadline, f"no retry while the database was down: {failed_saves}"
        page.wait_for_timeout(100)  # (Playwright delivers the page's events only in its calls)
    expect(save_state).to_have_attribute("data-state", "offline")
    assert set(failed_saves) == {503}, failed_saves
    # Nothing reached the database.
    assert stored_spans(assignment) == [(10, 20), (120, 130)]
    assert Assignment.objects.get(pk=assignment.pk).revision == revision_up

    # -- PostgreSQL is back: the autosave's retry delivers the edits by itself. --------------
    database_proxy.restore()
    expect(save_state).to_have_attribute("data-state", "saved", timeout=40_000)
    sent = {s["client_id"]: (s["onset"], s["offset"]) for s in draft["segments"]}
    assert {
        client_id: (onset, offset) for client_id, onset, offset in stored_segments(assignment)
    } == sent
    assert Assignment.objects.get(pk=assignment.pk).revision == revision_up + 1
    delivered = sorted(
        SegmentChange.objects.filter(assignment=assignment, revision=revision_up + 1).values_list(
            "action", "after__onset", "after__offset", "before__onset", "before__offset"
        )
    )
    assert delivered == [
        ("created", 40, 55, None, None),
        ("created", 70, 90, None, None),
        ("deleted", None, None, 120, 130),
        ("updated", 10, 30, 10, 20),
    ]
    assert SegmentChange.objects.filter(assignment=assignment).count() == changes_up + 4
    assert stored_draft(page, assignment) is None
    page.screenshot(path=str(ARTIFACTS / "database-outage-saved.png"), full_page=True)

    # -- Down again, and the page is reloaded before the edit is sent. -----------------------
    database_proxy.cut()
    draw(page, 135, 145)
    expect(save_state).to_have_attribute("data-state", "offline")
    page.reload()
    # The page cannot tell who is logged in without the database: it says the server is
    # unavailable (not "logged out"), and the draft outlives the page.
    unavailable = page.get_by_test_id("server-unavailable")
    expect(unavailable).to_contain_text("The database is unavailable or busy")
    expect(unavailable).to_contain_text("kept in this browser")
    expect(page.get_by_test_id("login-form")).to_have_count(0)
    session = page.request.get(f"{web_server}/api/v1/auth/session/")
    assert session.status == 503
    assert session.json()["code"] == "database_unavailable"
    assert session.headers["retry-after"] == "5"
    page.screenshot(path=str(ARTIFACTS / "database-outage-reload.png"), full_page=True)
    draft = stored_draft(page, assignment)
    assert draft is not None
    assert (draft["baseRevision"], spans(draft["segments"])) == (
        revision_up + 1,
        [*expected, (135, 145)],
    )

    # Back: the page asks again by itself, opens the pass and delivers the draft.
    database_proxy.restore()
    expect(bars).to_have_count(4, timeout=20_000)
    assert page.url.endswith(f"/annotate/{assignment.pk}")
    expect(save_state).to_have_attribute("data-state", "saved")
    eventually(lambda: len(stored_segments(assignment)) == 4)
    sent = {s["client_id"]: (s["onset"], s["offset"]) for s in draft["segments"]}
    assert {
        client_id: (onset, offset) for client_id, onset, offset in stored_segments(assignment)
    } == sent
    assert Assignment.objects.get(pk=assignment.pk).revision == revision_up + 2
    assert SegmentChange.objects.filter(assignment=assignment).count() == changes_up + 5
    assert stored_draft(page, assignment) is None
    print(
        f"\ndatabase outage: {time.monotonic() - started:.1f} s, {database_proxy.refused} refused"
    )
