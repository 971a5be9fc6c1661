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
   past either cap is reported instead of timed. One row does the same for ratio alpha.
3. Interval and nominal alpha at 10 coders x 100,000 units with 100 distinct values and about
   10 % missing: time and peak traced memory (``tracemalloc``, in a separate call from the
   timed ones) of ``curation.alpha.alpha`` against the package under the same caps.
4. A full ``curation.agreement.video_agreement`` report for one 30-minute, 30 fps video with 10
   passes of 50 segments (50 true expressions, jittered per pass): the median of repeated
   runs. Baseline: the one statistic of the report the package computes, frame-label nominal
   alpha on the dense 10 x 54,000 matrix.
5. A project recompute at SDFE-LV scale: 1,191 videos (2 minutes at 30 fps each) x 5 passes
   x ~3 segments per pass, ``video_agreement`` per video; total time (no baseline).

Times are the best of several repeats (``time.perf_counter``) unless the row says median or
total. Where both run, the values must agree to 1e-9 (asserted). Prints a markdown table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TypeVar

import krippendorff
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from curation.agreement import frame_label_alpha, frame_runs, video_agreement
from curation.alpha import Level, alpha
from curation.types import Pass, Segment
from curation.unitizing import unitizing_alpha

N_FRAMES = 108_000
N_PASSES = 5
PACKAGE_TIME_CAP_S = 120
PACKAGE_MEMORY_CAP_GIB = 8
TOLERANCE = 1e-9
T = TypeVar("T")
Row = tuple[str, str, str, str, str, str, str]


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


def peak_mib(function: Callable[[], object]) -> float:
    """Peak memory traced by ``tracemalloc`` during one call, in MiB."""
    tracemalloc.start()
    try:
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


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


def jittered_passes(
    rng: np.random.Generator, n_frames: int, n_passes: int, n_events: int
) -> list[Pass]:
    """``n_events`` true expressions of 8..120 frames spread over the video; each pass marks
    every one with onset and offset jittered by up to 4 frames, a type, an emotion and AUs."""
    lengths = rng.integers(8, 121, n_events)
    spacing = 9
    free = n_frames - int(lengths.sum()) - (n_events + 1) * spacing
    gaps = np.diff(np.concatenate(([0], np.sort(rng.integers(0, free, n_events))))) + spacing
    onsets = np.cumsum(gaps) + np.concatenate(([0], np.cumsum(lengths)[:-1]))
    emotions = ("happiness", "surprise", "disgust")
    passes = []
    for index in range(n_passes):
        segments = []
        for event in range(n_events):
            onset = max(0, int(onsets[event] + rng.integers(-4, 5)))
            end = int(onsets[event] + lengths[event] - 1 + rng.integers(-4, 5))
            offset = min(n_frames - 1, max(onset, end))
            segments.append(
                Segment(
                    onset,
                    offset,
                    type="micro" if lengths[event] < 16 else "macro",
                    emotion=emotions[int(rng.integers(0, 3))],
                    aus=frozenset({"AU4", "AU12"} if rng.random() < 0.5 else {"AU12"}),
                )
            )
        passes.append(Pass(index, index, tuple(segments)))
    return passes


def coded_table(n_coders: int, n_units: int, n_values: int, seed: int) -> np.ndarray:
    """Coders x units of integer codes 0..n_values-1 near a per-unit truth, 10 % missing."""
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, n_values, n_units)
    noise = rng.integers(-3, 4, (n_coders, n_units)) * (rng.random((n_coders, n_units)) < 0.4)
    table = np.clip(truth[None, :] + noise, 0, n_values - 1).astype(np.float64)
    table[rng.random(table.shape) < 0.1] = np.nan
    return table


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
        value = float(krippendorff.alpha(data, level_of_measurement=sys.argv[4]))
    except MemoryError:
        print(json.dumps({"error": "MemoryError"}))
        sys.exit(0)
    best = min(best, time.perf_counter() - start)
print(json.dumps({"value": value, "seconds": best}))
"""


def package_alpha(
    table: np.ndarray, repeats: int, level: str = "interval"
) -> dict[str, float | str]:
    """``krippendorff.alpha`` at ``level`` in a capped child process."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "table.npy"
        np.save(path, table)
        command = [sys.executable, "-c", PACKAGE_CHILD, str(path), str(repeats)]
        command.extend((str(PACKAGE_MEMORY_CAP_GIB), level))
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=PACKAGE_TIME_CAP_S, check=False
            )
        except subprocess.TimeoutExpired:
            return {"error": f"over {PACKAGE_TIME_CAP_S} s"}
    if done.returncode != 0:
        last = done.stderr.strip().splitlines()[-1] if done.stderr else "crashed"
        return {"error": "MemoryError" if "MemoryError" in last else last}
    result: dict[str, float | str] = json.loads(done.stdout)
    return result


def compare_alpha(
    label: str, table: np.ndarray, level: Level, repeats: int, package_repeats: int
) -> Row:
    """One row: ``curation.alpha.alpha`` against the capped package on ``table``."""
    ours_s, ours = best_time(partial(alpha, table, level), repeats)
    peak = peak_mib(partial(alpha, table, level))
    ours_value = ours.value
    assert ours_value is not None
    reference = package_alpha(table, package_repeats, level)
    if "value" not in reference:
        error = str(reference["error"])
        failure = "exceeds cap" if "over" in error or "Memory" in error else "fails"
        return (
            label,
            f"{ours_s * 1e3:.2f}",
            f"{failure}: {error}",
            "-",
            f"{ours_value:.12f}",
            "-",
            f"{peak:.1f}",
        )
    package_value = float(reference["value"])
    package_s = float(reference["seconds"])
    assert abs(ours_value - package_value) < TOLERANCE
    return (
        label,
        f"{ours_s * 1e3:.2f}",
        f"{package_s * 1e3:.1f}",
        f"{package_s / ours_s:.0f}x",
        f"{ours_value:.12f}",
        f"{abs(ours_value - package_value):.1e}",
        f"{peak:.1f}",
    )


def video_report_row() -> Row:
    """Median time of a full ``video_agreement`` report against the package's frame alpha."""
    n_frames = 30 * 60 * 30
    passes = jittered_passes(np.random.default_rng(30), n_frames, 10, 50)
    times = []
    for _ in range(15):
        start = time.perf_counter()
        report = video_agreement(passes, n_frames, 30, 1)
        times.append(time.perf_counter() - start)
    ours_s = float(np.median(times))
    peak = peak_mib(lambda: video_agreement(passes, n_frames, 30, 1))
    dense = frame_runs(passes, n_frames).dense()
    package_times = []
    for _ in range(5):
        start = time.perf_counter()
        package = float(krippendorff.alpha(dense, level_of_measurement="nominal"))
        package_times.append(time.perf_counter() - start)
    package_s = float(np.median(package_times))
    frame_alpha = report.frame_label_alpha.value
    assert frame_alpha is not None
    assert abs(frame_alpha - package) < TOLERANCE
    return (
        "video_agreement report (median), 54,000 frames x 10 passes x 50 segments; "
        "package: frame-label nominal only",
        f"{ours_s * 1e3:.1f}",
        f"{package_s * 1e3:.1f}",
        "-",
        f"{frame_alpha:.12f} (frames)",
        f"{abs(frame_alpha - package):.1e}",
        f"{peak:.1f}",
    )


def project_row() -> Row:
    """Total time of ``video_agreement`` over a project of 1,191 short videos."""
    rng = np.random.default_rng(1191)
    n_frames = 2 * 60 * 30
    videos = [jittered_passes(rng, n_frames, 5, int(rng.integers(2, 5))) for _ in range(1_191)]
    n_segments = sum(len(p.segments) for video in videos for p in video)
    start = time.perf_counter()
    for passes in videos:
        video_agreement(passes, n_frames, 30, 1)
    total_s = time.perf_counter() - start
    return (
        f"project recompute (total), 1,191 videos x 5 passes, {n_segments:,} segments",
        f"{total_s * 1e3:.0f}",
        "-",
        "-",
        "-",
        "-",
        "-",
    )


def main() -> None:
    rows: list[Row] = []

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
            "-",
        )
    )

    cases: list[tuple[int, Level]] = [
        (n, "interval") for n in (200, 300, 500, 1_000, 3_000, 20_000)
    ]
    cases.append((300, "ratio"))
    for n_clusters, level in cases:
        table = duration_table(n_clusters, seed=n_clusters)
        distinct = int(np.unique(table[~np.isnan(table)]).size)
        label = f"duration {level}, {n_clusters:,} clusters, {distinct:,} distinct values"
        repeats = 3 if n_clusters <= 1_000 else 1
        rows.append(compare_alpha(label, table, level, 20, repeats))

    levels: tuple[Level, ...] = ("interval", "nominal")
    for level in levels:
        table = coded_table(10, 100_000, 100, seed=100)
        label = f"{level}, 10 coders x 100,000 units, 100 distinct values, 10 % missing"
        rows.append(compare_alpha(label, table, level, 5, 1))

    rows.append(video_report_row())
    rows.append(project_row())

    unitizing_s, unitizing = best_time(lambda: unitizing_alpha(passes, N_FRAMES), 20)
    rows.append(
        (
            f"unitizing alpha (ours only), {N_FRAMES:,} frames x {N_PASSES} passes",
            f"{unitizing_s * 1e3:.2f}",
            "-",
            "-",
            f"{unitizing.overall.value:.12f}",
            "-",
            "-",
        )
    )

    limit = f"{PACKAGE_TIME_CAP_S} s, {PACKAGE_MEMORY_CAP_GIB} GiB"
    print(f"krippendorff package cap: {limit}; times are the best of repeated runs\n")
    print(
        "| case | ours (ms) | krippendorff (ms) | speed-up | alpha | abs. difference "
        "| ours peak MiB |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
