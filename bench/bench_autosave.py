"""Autosave latency under load: 50 annotators saving their passes at once, against PostgreSQL.

Run from the repository root (PostgreSQL on 127.0.0.1:5432 with trust auth, as in CI)::

    .venv/bin/python bench/bench_autosave.py                 # 50 annotators, 30 s
    .venv/bin/python bench/bench_autosave.py --annotators 100 --seconds 60

It creates a scratch database, a project with one ready video per annotator and one pass each,
starts gunicorn (production settings) on a free loopback port, and runs a load generator in
this process: every simulated annotator saves their whole pass (`PUT .../segments/` with the
revision it last got back; 20 segments, one edited per save) as fast as the server answers.
Baseline in the same run, same concurrency: `GET /api/v1/health/` (one database round trip
through the same stack), the floor of any request. Target: autosave p99 <= 100 ms, 0 errors.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_server import (  # noqa: E402
    free_port,
    manage_shell_json,
    production_env,
    recreate_database,
    wait_up,
)

DATABASE = "spotlab_bench_autosave"


def setup(env: dict[str, str], annotators: int) -> list[tuple[str, int]]:
    """Migrate the scratch database and create the project; returns (token, pass id) pairs."""
    recreate_database(DATABASE)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    script = f"""
import json
from django.contrib.auth.models import User
from rest_framework.authtoken.models import Token
from annotation.models import Assignment
from core.models import Membership, Project
from videos.models import Video
project = Project.objects.create(name="Bench", slug="bench", passes_per_item=1)
out = []
for i in range({annotators}):
    user = User.objects.create_user(f"a{{i:03d}}", password="x")
    Membership.objects.create(project=project, user=user, role="annotator")
    video = Video.objects.create(project=project, sha256=f"{{i:064d}}", status="ready",
                                 n_frames=108000, fps_num=30, fps_den=1)
    passage = Assignment.objects.create(video=video, annotator=user, pass_index=1)
    out.append((Token.objects.create(user=user).key, passage.pk))
print(json.dumps(out))
"""
    return [tuple(pair) for pair in manage_shell_json(script, env)]


def run_load(
    port: int, users: list[tuple[str, int]], seconds: float, kind: str, interval: float = 0.0
) -> tuple[list[float], int]:
    """Every user sends ``kind`` requests for ``seconds``: back to back (``interval`` 0, the
    server's capacity) or one every ``interval`` seconds (an annotator's pace; a request that
    takes longer delays the next one)."""
    latencies: list[list[float]] = [[] for _ in users]
    errors = [0] * len(users)
    stop_at = time.monotonic() + seconds
    start = threading.Barrier(len(users))

    def annotator(index: int, token: str, pass_id: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {
            "Host": "localhost",
            "Authorization": f"Token {token}",
            "Content-Type": "application/json",
        }
        segments = [
            {"client_id": f"s{k}", "onset": k * 100, "offset": k * 100 + 20, "type": "macro"}
            for k in range(20)
        ]
        connection.request("GET", f"/api/v1/assignments/{pass_id}/", headers=headers)
        revision = json.loads(connection.getresponse().read())["revision"]
        step = 0
        start.wait()
        # Spread the first requests over one interval, as annotators do not start in lockstep.
        next_at = time.monotonic() + interval * index / len(users)
        while time.monotonic() < stop_at:
            if interval:
                time.sleep(max(0.0, next_at - time.monotonic()))
                next_at += interval
            step += 1
            if kind == "autosave":
                segments[step % 20]["offset"] = (step % 20) * 100 + 20 + step % 50
                body = json.dumps({"revision": revision, "segments": segments})
                began = time.perf_counter()
                connection.request("PUT", f"/api/v1/assignments/{pass_id}/segments/", body, headers)
            else:
                began = time.perf_counter()
                connection.request("GET", "/api/v1/health/", headers={"Host": "localhost"})
            response = connection.getresponse()
            payload = response.read()
            latencies[index].append(time.perf_counter() - began)
            if response.status != 200:
                errors[index] += 1
            elif kind == "autosave":
                revision = json.loads(payload)["revision"]

    threads = [
        threading.Thread(target=annotator, args=(i, token, pass_id))
        for i, (token, pass_id) in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [value for per_user in latencies for value in per_user], sum(errors)


def row(name: str, latencies: list[float], errors: int, seconds: float) -> str:
    values = np.array(latencies) * 1000
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return (
        f"| {name} | {len(values)} | {len(values) / seconds:.0f} | {errors} | "
        f"{p50:.1f} | {p95:.1f} | {p99:.1f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--annotators", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--interval", type=float, default=1.0, help="seconds between one annotator's saves"
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="spotlab-bench-") as data_dir:
        env = production_env(data_dir=data_dir, database=DATABASE, broker_db=0)
        users = setup(env, args.annotators)
        server = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "config.wsgi:application",
                "--bind", f"127.0.0.1:{port}", "--workers", str(args.workers),
                "--threads", str(args.threads), "--worker-class", "gthread",
                "--log-level", "warning",
            ],
            cwd=ROOT, env=env, start_new_session=True,
        )  # fmt: skip
        try:
            wait_up(port, server)
            run_load(port, users, 3.0, "health")  # warm up connections and workers
            results = [
                (
                    f"baseline: GET /api/v1/health/, 1 per {args.interval:g} s each",
                    "health",
                    args.interval,
                ),
                (
                    f"autosave: PUT 20 segments, 1 per {args.interval:g} s each",
                    "autosave",
                    args.interval,
                ),
                ("baseline: GET /api/v1/health/, back to back", "health", 0.0),
                ("autosave: PUT 20 segments, back to back (capacity)", "autosave", 0.0),
            ]
            rows = [
                row(name, *run_load(port, users, args.seconds, kind, interval), args.seconds)
                for name, kind, interval in results
            ]
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    print(
        f"\n{args.annotators} concurrent annotators, {args.seconds:.0f} s each, gunicorn "
        f"{args.workers} workers x {args.threads} threads, PostgreSQL, load generator on "
        "loopback in one process\n"
    )
    print("| request | requests | per second | errors | p50 ms | p95 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
