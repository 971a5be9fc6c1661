"""Smoke test of the embedded defaults: serve Spotlab exactly as `make run` does (SQLite,
filesystem broker, a worker beside the web server) in a fresh data dir on a free port, check
that the worker runs a Job, log in through Debian's Chromium, and stop everything cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from scripts.local_server import free_port, wait_healthy

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"


def login_in_browser(url: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(f"{url}/login")
        page.get_by_test_id("login-username").fill("owner")
        page.get_by_test_id("login-password").fill("spotlab-demo")
        page.get_by_test_id("login-submit").click()
        page.wait_for_url("**/projects")
        page.get_by_test_id("project-item").first.wait_for()
        text = page.get_by_test_id("project-list").inner_text()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "smoke-embedded.png"), full_page=True)
        browser.close()
    if "Demo" not in text:
        raise SystemExit(f"smoke: the demo project is not listed after login: {text!r}")


def main() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="spotlab-smoke-") as data_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update(SPOTLAB_DATA_DIR=data_dir, PORT=str(port), HOST="127.0.0.1")
        log_path = Path(data_dir) / "serve.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [str(ROOT / "scripts" / "serve.sh")],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        try:
            wait_healthy(url, server, who="smoke")
            print(f"smoke: serving on {url}")
            check = subprocess.run(
                [sys.executable, "manage.py", "check_worker", "--timeout", "90"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            print(f"smoke: {check.stdout.strip() or check.stderr.strip()}")
            if check.returncode != 0:
                raise SystemExit("smoke: the embedded worker did not run a job")
            login_in_browser(url)
            print("smoke: logged in through Chromium; the demo project is listed")
        except BaseException:
            print(log_path.read_text(errors="replace")[-5000:])
            raise
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)  # the launcher stops its web server and worker
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                print(log_path.read_text(errors="replace")[-3000:])
                raise SystemExit("smoke: the server did not stop within 40 s of SIGTERM") from None
            processes = subprocess.run(
                ["ps", "-g", str(server.pid), "-o", "pid=,stat="],
                capture_output=True,
                text=True,
                check=False,
            ).stdout.splitlines()
            # Zombies have exited already; they only wait for init to reap them.
            leftovers = [
                line.split()[0] for line in processes if not line.split()[1].startswith("Z")
            ]
            if leftovers:
                os.killpg(server.pid, signal.SIGKILL)
                raise SystemExit(f"smoke: processes left running after the stop: {leftovers}")
        print(f"smoke: stopped cleanly (exit status {server.returncode})")


if __name__ == "__main__":
    main()
