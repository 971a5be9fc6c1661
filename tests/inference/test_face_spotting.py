"""End to end on generated face videos: pixels -> regional motion -> spotters -> MEGC F1.

Unlike ``test_spotters.py`` (spotters on synthetic motion *signals*), every number here comes out
of :func:`compute_regional_motion` run on H.264 videos from ``face_factory``: a drawn face whose
brows or mouth corners are warped over known frames (micro: 0.2-0.5 s, 0.6-1 px at the apex;
macro: 0.6-1.6 s, 2-4 px), with blinks, slow head drift, sensor noise and compression as
distractors. Six videos train (or calibrate), three others are held out; all of them are
computed once per module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from curation.evaluation import megc_spotting
from inference.features import compute_regional_motion
from inference.signals import RegionalMotion
from inference.spotters import ColdStartParams, ColdStartSpotter, Truth, calibrate
from inference.spotters.network import SpotterConfig, TrainedSpotter, train_spotter
from tests.inference.face_factory import Event, EventKind, EventRegion, make_face_video

FPS = 30
SECONDS = 12.0
SIZE = 160  # face about 76 x 100 px
CROP = 112  # motion in pixels of a 112 px crop (the default 224 is four times slower)
CRF = 20
TRAIN_SEEDS = range(6)
TEST_SEEDS = range(6, 9)
N_MICRO, N_MACRO = 3, 2


@dataclass(frozen=True)
class Video:
    seed: int
    events: tuple[Event, ...]
    blinks: tuple[int, ...]
    motion: RegionalMotion

    @property
    def truth(self) -> list[Truth]:
        return [(e.onset, e.offset, e.kind) for e in self.events]


def plan(seed: int) -> tuple[list[Event], list[int]]:
    """Five events (3 micro, 2 macro, shuffled) 1-1.5 s apart, and two blinks between them."""
    rng = np.random.default_rng(seed)
    kinds: list[EventKind] = [
        "micro" if i < N_MICRO else "macro" for i in rng.permutation(N_MICRO + N_MACRO)
    ]
    events, start = [], 0.8
    for kind in kinds:
        if kind == "micro":
            duration, amplitude = rng.uniform(0.2, 0.5), rng.uniform(0.6, 1.0)
        else:
            duration, amplitude = rng.uniform(0.6, 1.6), rng.uniform(2.0, 4.0)
        region: EventRegion = "brows" if rng.random() < 0.5 else "mouth"
        onset = round(start * FPS)
        offset = onset + round(duration * FPS) - 1
        events.append(Event(kind, onset, offset, region, float(amplitude)))
        start += duration + rng.uniform(1.0, 1.5)
    n_frames = round(SECONDS * FPS)
    busy = [(e.onset - 8, e.offset + 8) for e in events]
    blinks: list[int] = []
    while len(blinks) < 2:
        frame = int(rng.integers(5, n_frames - 10))
        if all(frame + 6 < a or frame > b for a, b in busy) and all(
            abs(frame - other) > 30 for other in blinks
        ):
            blinks.append(frame)
    return events, sorted(blinks)


@pytest.fixture(scope="module")
def videos(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Video]:
    folder = tmp_path_factory.mktemp("face_spotting")
    out = {}
    for seed in [*TRAIN_SEEDS, *TEST_SEEDS]:
        events, blinks = plan(seed)
        truth = make_face_video(
            folder / f"face{seed}.mp4",
            fps=FPS,
            seconds=SECONDS,
            size=SIZE,
            events=events,
            blinks=blinks,
            drift_px_per_s=2.0,
            noise=2.0,
            crf=CRF,
            seed=seed,
        )
        motion = compute_regional_motion(truth.path, crop_px=CROP)
        out[seed] = Video(seed, truth.events, tuple(b for b, _ in truth.blinks), motion)
    return out


def score(spotter: Any, videos: Iterable[Video]) -> dict[str, Any]:
    truth: list[tuple[int, int, int, str]] = []
    predicted: list[tuple[int, int, int, str]] = []
    for video in videos:
        truth += [(video.seed, *row) for row in video.truth]
        predicted += [(video.seed, p.onset, p.offset, p.type) for p in spotter.spot(video.motion)]
    return megc_spotting(truth, predicted)


def counts(result: dict[str, Any]) -> tuple[float, int, int, int]:
    overall = result["overall"]
    return round(overall["f1"], 3), overall["tp"], overall["fp"], overall["fn"]


def pick(videos: dict[int, Video], seeds: Sequence[int]) -> list[Video]:
    return [videos[seed] for seed in seeds]


@pytest.fixture(scope="module")
def calibrated(videos: dict[int, Video]) -> ColdStartParams:
    train = pick(videos, TRAIN_SEEDS)
    return calibrate([v.motion for v in train], [v.truth for v in train])


@pytest.fixture(scope="module")
def trained(videos: dict[int, Video]) -> TrainedSpotter:
    torch.set_num_threads(1)
    train = pick(videos, TRAIN_SEEDS)
    return train_spotter(
        [v.motion for v in train], [v.truth for v in train], SpotterConfig(seed=1), device="cpu"
    )


def test_generated_videos_show_the_face_and_the_planned_events(videos: dict[int, Video]) -> None:
    for video in videos.values():
        motion = video.motion
        assert motion.n_frames == round(SECONDS * FPS)
        # Measured: every frame but the last k = 3 (no frame t + k), 0.992, on all nine.
        assert motion.valid[:-3].all()
        assert not motion.valid[-3:].any()
        kinds = sorted(e.kind for e in video.events)
        assert kinds == ["macro"] * N_MACRO + ["micro"] * N_MICRO
        for event in video.events:
            seconds = (event.offset - event.onset + 1) / FPS
            if event.kind == "micro":
                assert 0.2 <= seconds <= 0.5
                assert event.amplitude <= 1.0
            else:
                assert 0.6 <= seconds <= 1.6
                assert event.amplitude >= 2.0
        assert len(video.blinks) == 2


def test_cold_start_on_held_out_videos(
    videos: dict[int, Video], calibrated: ColdStartParams
) -> None:
    test = pick(videos, TEST_SEEDS)
    result = score(ColdStartSpotter(calibrated), test)
    # Measured: calibrated on the six training videos (high 4, low 1.5): overall 0.72
    # (9 TP, 1 FP, 6 FN), macro 1.0, micro 0.46. Default parameters: 0.64 (7 TP, 0 FP, 8 FN),
    # macro 1.0, micro 0.2. Without the blink gate of the cold start (blinks spill into the
    # brows as much as a micro movement) these were 0.44 (6 TP, 6 FP, 9 FN) and 0.46.
    # Sensitivity to the encoder (same videos at CRF 18 / 23): calibrated 0.93 / 0.64,
    # default 0.82 / 0.30; hence only the calibrated spotter is held to 0.5.
    assert result["overall"]["f1"] >= 0.5, counts(result)
    assert result["by_type"]["macro"]["f1"] >= 0.8, counts(result)


def test_trained_spotter_on_held_out_videos_beats_cold_start(
    videos: dict[int, Video], calibrated: ColdStartParams, trained: TrainedSpotter
) -> None:
    test = pick(videos, TEST_SEEDS)
    result = score(trained, test)
    cold = max(
        score(ColdStartSpotter(params), test)["overall"]["f1"]
        for params in (ColdStartParams(), calibrated)
    )
    # Measured: overall, macro and micro 1.0 (15 TP, 0 FP, 0 FN); training 2-5 s. (With
    # SpotterConfig seed 0 also 1.0; seed 7: 0.93, 14 TP, 1 FP, 1 FN. Same videos at CRF 18:
    # 0.93 (14 TP, 1 FP, 1 FN); at CRF 23: 0.87 (13 TP, 2 FP, 2 FN).)
    assert result["overall"]["f1"] >= 0.8, counts(result)
    assert result["overall"]["f1"] >= cold
    assert result["by_type"]["macro"]["f1"] >= 0.8, counts(result)
    assert result["by_type"]["micro"]["f1"] >= 0.6, counts(result)


def test_blinks_and_drift_alone_give_almost_no_proposals(
    tmp_path: Path, calibrated: ColdStartParams, trained: TrainedSpotter
) -> None:
    path = tmp_path / "blinks.mp4"
    make_face_video(
        path,
        fps=FPS,
        seconds=8,
        size=SIZE,
        blinks=[20, 65, 110, 150, 200],
        drift_px_per_s=3.0,
        noise=2.0,
        crf=CRF,
        seed=50,
    )
    motion = compute_regional_motion(path, crop_px=CROP)
    assert motion.valid.mean() > 0.95
    # Measured: cold start (default and calibrated) none; trained two, both below 0.5 (frames
    # 41-47 and 87-91, scores 0.48 and 0.45). Without the cold start's blink gate: five, one
    # per blink.
    assert len(ColdStartSpotter().spot(motion)) <= 1
    assert len(ColdStartSpotter(calibrated).spot(motion)) <= 1
    assert len(trained.spot(motion)) <= 2
