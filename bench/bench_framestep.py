"""Frame-step latency in the browser: from the → keypress on the annotation page to the
`requestVideoFrameCallback` that presents the next frame.

Run from the repository root (the frontend built, Debian's Chromium installed)::

    .venv/bin/python bench/bench_framestep.py              # 200 steps
    .venv/bin/python bench/bench_framestep.py --steps 400

It serves Spotlab as `make run` does (scripts/serve.sh: SQLite, a worker beside the web
server) in a fresh data dir on a free loopback port, generates a 720p 30 fps clip of 20 s,
ingests it with `manage.py ingest`, deals the passes, logs in as an annotator in headless
Chromium and presses → on the pass's annotation page, timing each step inside the page (the
keydown event's timestamp to the presenting frame callback whose frame is the next one).
Baseline in the same run and browser: the same steps done by setting `video.currentTime`
directly on a bare `<video>` of the same proxy, with no app code (raw seek-to-present
latency). Target: p95 <= 33 ms (one frame at 30 fps).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts.local_server import free_port, wait_healthy  # noqa: E402

PASSWORD = "spotlab-demo"
ANNOTATOR = "annotator01"
N_FRAMES = 600  # 20 s at 30 fps
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Runs in the page: record, for every → keydown, the time until the next frame is presented.
INSTALL_APP_PROBE = """(fps) => {
    const video = document.querySelector('[data-testid="video-player"]');
    const probe = {results: [], t0: null, want: null, frame: null};
    window.__probe = probe;
    window.addEventListener("keydown", (event) => {
        if (event.key !== "ArrowRight") return;
        probe.t0 = event.timeStamp;
        probe.want = probe.frame + 1;
    }, true);
    const onFrame = (now, metadata) => {
        const frame = Math.round(metadata.mediaTime * fps);
        probe.frame = frame;
        if (probe.t0 !== null && frame === probe.want) {
            probe.results.push(performance.now() - probe.t0);
            probe.t0 = null;
        }
        video.requestVideoFrameCallback(onFrame);
    };
    video.requestVideoFrameCallback(onFrame);
}"""

# Runs in a bare page: a <video> of the proxy, seeked frame by frame with no app code.
RAW_SEEKS = """async ({src, fps, steps}) => {
    document.body.innerHTML = "";
    const video = document.createElement("video");
    video.preload = "auto";
    video.muted = true;
    video.src = src;
    document.body.appendChild(video);
    await new Promise((resolve, reject) => {
        video.addEventListener("loadeddata", resolve, {once: true});
        video.addEventListener("error", () => reject(new Error("video error")), {once: true});
    });
    const presented = (want) => new Promise((resolve) => {
        const onFrame = (now, metadata) => {
            if (Math.round(metadata.mediaTime * fps) === want) resolve(performance.now());
            else video.requestVideoFrameCallback(onFrame);
        };
        video.requestVideoFrameCallback(onFrame);
    });
    const results = [];
    for (let n = 1; n <= steps; n += 1) {
        const done = presented(n);
        const t0 = performance.now();
        video.currentTime = (n + 0.5) / fps;
        results.push((await done) - t0);
    }
    return results;
}"""


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"bench: manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def make_clip(directory: Path) -> Path:
    from tests.media_factory import VARIANTS, make_video

    variant = dataclasses.replace(
        VARIANTS["h264_30"], name="bench_1280x720", width=1280, height=720
    )
    return make_video(directory, variant, n_frames=N_FRAMES)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


STATE = """() => {
    const v = document.querySelector("video");
    const p = window.__probe;
    return JSON.stringify({want: p.want, presented: p.frame, seeking: v.seeking,
                           currentTime: v.currentTime, readyState: v.readyState});
}"""


def step_and_wait(page: Any, count: int) -> None:
    """Press → and wait for its measurement (the `count`-th one)."""
    page.keyboard.press("ArrowRight")
    try:
        page.wait_for_function(f"() => window.__probe.results.length >= {count}", timeout=5000)
    except Exception as exc:
        raise SystemExit(
            f"bench: step {count} presented no new frame: {page.evaluate(STATE)}"
        ) from exc


def measure(url: str, steps: int) -> dict[str, list[float]]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{url}/login")
        page.get_by_test_id("login-username").fill(ANNOTATOR)
        page.get_by_test_id("login-password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        page.wait_for_url("**/projects")
        passes: list[dict[str, Any]] = page.request.get(f"{url}/api/v1/me/assignments/").json()
        mine = next(p for p in passes if p["video_name"].startswith("bench_1280x720"))
        video: dict[str, Any] = page.request.get(f"{url}/api/v1/videos/{mine['video']}/").json()
        fps = video["fps_num"] / video["fps_den"]

        page.goto(f"{url}/annotate/{mine['id']}")
        counter = page.get_by_test_id("frame-number")
        counter.wait_for()
        page.wait_for_function(
            "() => document.querySelector('[data-testid=\"frame-number\"]').textContent === '0'"
        )
        page.evaluate(INSTALL_APP_PROBE, fps)
        # Warm up: the first seeks fetch the proxy's ranges.
        for warm in range(1, 6):
            step_and_wait(page, warm)
        page.evaluate("() => { window.__probe.results = []; }")
        for step in range(1, steps + 1):
            step_and_wait(page, step)
        app: list[float] = page.evaluate("() => window.__probe.results")
        last = int(counter.inner_text())
        if last != min(5 + steps, N_FRAMES - 1):
            raise SystemExit(f"bench: the page ended on frame {last}, not {5 + steps}")

        page.goto(f"{url}/api/v1/health/")
        raw: list[float] = page.evaluate(
            RAW_SEEKS, {"src": f"/api/v1/videos/{mine['video']}/proxy/", "fps": fps, "steps": steps}
        )
        browser.close()
    return {"app: → keypress to presented frame": app, "raw: currentTime to presented": raw}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args()
    if args.steps >= N_FRAMES - 6:
        raise SystemExit(f"bench: at most {N_FRAMES - 7} steps")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="spotlab-bench-framestep-") as data_dir:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        }
        import_root = Path(data_dir) / "import"
        import_root.mkdir()
        env.update(
            SPOTLAB_DATA_DIR=data_dir,
            SPOTLAB_IMPORT_ROOTS=str(import_root),
            PORT=str(port),
            HOST="127.0.0.1",
        )
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
            wait_healthy(url, server, who="bench")
            clip = make_clip(import_root)
            manage(env, "ingest", str(clip), "--project", "demo", "--wait", "--timeout", "300")
            manage(env, "assign", "--project", "demo")
            results = measure(url, args.steps)
        except BaseException:
            print(log_path.read_text(errors="replace")[-4000:])
            raise
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)

    print(f"\nFrame step, 1280x720 H.264 proxy at 30 fps, {args.steps} steps, headless Chromium\n")
    print("| path | n | p50 (ms) | p95 (ms) | max (ms) |")
    print("|---|---:|---:|---:|---:|")
    for name, values in results.items():
        print(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | "
            f"{percentile(values, 95):.1f} | {max(values):.1f} |"
        )
    app_p95 = percentile(next(iter(results.values())), 95)
    print(f"\ntarget p95 <= 33 ms: {'met' if app_p95 <= 33 else 'NOT met'} ({app_p95:.1f} ms)")


if __name__ == "__main__":
    main()
