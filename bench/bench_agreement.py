"""Benchmark: closed-form Krippendorff's alpha against the ``krippendorff`` package.

Run from the repository root::

    .venv/bin/python bench/bench_agreement.py

1. Frame-label nominal alpha for a 1-hour video at 30 fps (108,000 frames), 5 passes of about
   200 segments each: ``curation.agreement.frame_label_alpha`` (run-length weighted
   coincidences, from the passes themselves) against ``krippendorff.alpha`` on the dense
   5 x 108,000 frame-label matrix (the time to build that matrix is not counted).
2. Interval alpha on cluster durations (units = clusters, 5 passes, 10 % missing), with hundreds
   to thousands of distinct values: ``curation.alpha.alpha`` against ``krippendorff.alpha``,
   which builds a units x values x values array. The package runs in a child process capped
   at ``PACKAGE_TIME_CAP_S`` seconds and ``PACKAGE_MEMORY_CAP_GIB`` of address space; a run
   past either cap is reported instead of timed.

Times are the best of several repeats (``time.perf_counter``). Where both run, the values must
agree to 1e-9 (asserted). Prints a markdown table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import krippendorff
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curation.agreement import frame_label_alpha, frame_runs
from curation.alpha import alpha
from curation.types import Pass, Segment
from curation.unitizing import unitizing_alpha

N_FRAMES = 108_000
N_PASSES = 5
PACKAGE_TIME_CAP_S = 120
PACKAGE_MEMORY_CAP_GIB = 8
TOLERANCE = 1e-9
T = TypeVar("T")


def best_time(function: Callable[[], T], repeats: int) -> tuple[float, T]:
    """Best wall time of ``repeats`` calls, and the last result."""
    start = time.perf_counter()
    result = function()
    best = time.perf_counter() - start
    for _ in range(repeats - 1):
        start = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - start)
    return best, result


def video_passes(seed: int) -> list[Pass]:
    """200 expressions of 8..120 frames in an hour; each pass marks ~90 % of them with onsets
    and offsets jittered by up to 4 frames, labels macro/micro, plus a few false alarms."""
    rng = np.random.default_rng(seed)
    n_events = 200
    lengths = rng.integers(8, 121, n_events)
    spacing = 9
    free = N_FRAMES - int(lengths.sum()) - (n_events + 1) * spacing
    gaps = np.diff(np.concatenate(([0], np.sort(rng.integers(0, free, n_events))))) + spacing
    onsets = np.cumsum(gaps) + np.concatenate(([0], np.cumsum(lengths)[:-1]))
    kinds = np.where(lengths < 16, "micro", "macro")
    passes = []
    for index in range(N_PASSES):
        segments = []
        for event in range(n_events):
            if rng.random() < 0.1:
                continue
            onset = int(onsets[event] + rng.integers(-4, 5))
            offset = max(onset, int(onsets[event] + lengths[event] - 1 + rng.integers(-4, 5)))
            segments.append(Segment(onset, offset, type=str(kinds[event])))
        passes.append(Pass(index, index, tuple(segments)))
    return passes


def duration_table(n_clusters: int, seed: int) -> np.ndarray:
    """Passes x clusters durations in frames: log-uniform 5..5000, per-pass jitter, 10 % missing."""
    rng = np.random.default_rng(seed)
    truth = np.exp(rng.uniform(np.log(5), np.log(5000), n_clusters))
    table = np.round(truth[None, :] * rng.normal(1.0, 0.08, (N_PASSES, n_clusters)))
    table[rng.random(table.shape) < 0.1] = np.nan
    return np.asarray(table, dtype=np.float64)


PACKAGE_CHILD = """
import json, resource, sys, time
import numpy as np, krippendorff
cap = int(sys.argv[3]) * 1024 ** 3
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
data = np.load(sys.argv[1])
best = float("inf")
for _ in range(int(sys.argv[2])):
    start = time.perf_counter()
    try:
        value = float(krippendorff.alpha(data, level_of_measurement="interval"))
    except MemoryError:
        print(json.dumps({"error": "MemoryError"}))
        sys.exit(0)
    best = min(best, time.perf_counter() - start)
print(json.dumps({"value": value, "seconds": best}))
"""


def package_interval(table: np.ndarray, repeats: int) -> dict[str, float | str]:
    """``krippendorff.alpha`` (interval) in a capped child process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.npy"
        np.save(path, table)
        command = [sys.executable, "-c", PACKAGE_CHILD, str(path), str(repeats)]
        command.append(str(PACKAGE_MEMORY_CAP_GIB))
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PACKAGE_TIME_CAP_S, check=False
            )
        except subprocess.TimeoutExpired:
            return {"error": f"over {PACKAGE_TIME_CAP_S} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr else "crashed"}
    result: dict[str, float | str] = json.loads(done.stdout)
    return result


def main() -> None:
    rows: list[tuple[str, str, str, str, str, str]] = []

    passes = video_passes(seed=2024)
    n_segments = sum(len(p.segments) for p in passes)
    ours_s, ours = best_time(lambda: frame_label_alpha(passes, N_FRAMES), 20)
    dense = frame_runs(passes, N_FRAMES).dense()
    package_s, package = best_time(
        lambda: krippendorff.alpha(dense, level_of_measurement="nominal"), 5
    )
    ours_value = ours.value
    assert ours_value is not None
    assert abs(ours_value - package) < TOLERANCE
    rows.append(
        (
            f"frame-label nominal, {N_FRAMES:,} frames x {N_PASSES} passes, {n_segments} segments",
            f"{ours_s * 1e3:.2f}",
            f"{package_s * 1e3:.1f}",
            f"{package_s / ours_s:.0f}x",
            f"{ours_value:.12f}",
            f"{abs(ours_value - package):.1e}",
        )
    )

    for n_clusters in (200, 300, 500, 1_000, 3_000, 20_000):
        table = duration_table(n_clusters, seed=n_clusters)
        distinct = int(np.unique(table[~np.isnan(table)]).size)
        ours_s, ours = best_time(partial(alpha, table, "interval"), 20)
        ours_value = ours.value
        assert ours_value is not None
        reference = package_interval(table, repeats=3 if n_clusters <= 1_000 else 1)
        label = f"duration interval, {n_clusters:,} clusters, {distinct:,} distinct values"
        if "value" in reference:
            package_value = float(reference["value"])
            package_s = float(reference["seconds"])
            assert abs(ours_value - package_value) < TOLERANCE
            rows.append(
                (
                    label,
                    f"{ours_s * 1e3:.2f}",
                    f"{package_s * 1e3:.1f}",
                    f"{package_s / ours_s:.0f}x",
                    f"{ours_value:.12f}",
                    f"{abs(ours_value - package_value):.1e}",
                )
            )
        else:
            rows.append(
                (
                    label,
                    f"{ours_s * 1e3:.2f}",
                    f"fails: {reference['error']}",
                    "-",
                    f"{ours_value:.12f}",
                    "-",
                )
            )

    unitizing_s, unitizing = best_time(lambda: unitizing_alpha(passes, N_FRAMES), 20)
    rows.append(
        (
            f"unitizing alpha (ours only), {N_FRAMES:,} frames x {N_PASSES} passes",
            f"{unitizing_s * 1e3:.2f}",
            "-",
            "-",
            f"{unitizing.overall.value:.12f}",
            "-",
        )
    )

    limit = f"{PACKAGE_TIME_CAP_S} s, {PACKAGE_MEMORY_CAP_GIB} GiB"
    print(f"krippendorff package cap: {limit}; times are the best of repeated runs\n")
    print("| case | ours (ms) | krippendorff (ms) | speed-up | alpha | abs. difference |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
