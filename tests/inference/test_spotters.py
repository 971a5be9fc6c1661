"""Spotters on synthetic regional motion, scored with the MEGC rule on held-out videos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch

from curation.evaluation import megc_spotting
from inference.signals import RegionalMotion
from inference.spotters import ColdStartParams, ColdStartSpotter, Proposal, calibrate
from inference.spotters.decode import DecodeParams, decode_probabilities
from inference.spotters.network import (
    SpotterConfig,
    TrainedSpotter,
    train_spotter,
    training_data_hash,
)
from inference.spotters.synthetic import synthetic_motion

TRAIN_SEEDS = range(12)
TEST_SEEDS = range(100, 104)


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def score(spotter: Any, seeds: Sequence[int], fps: float = 30.0) -> dict[str, Any]:
    truth, predicted = [], []
    for seed in seeds:
        motion, rows = synthetic_motion(seed, fps=fps)
        truth += [(seed, onset, offset, kind) for onset, offset, kind in rows]
        predicted += [(seed, p.onset, p.offset, p.type) for p in spotter.spot(motion)]
    return megc_spotting(truth, predicted)


@pytest.fixture(scope="module")
def trained() -> TrainedSpotter:
    torch.set_num_threads(1)
    data = [synthetic_motion(seed) for seed in TRAIN_SEEDS]
    return train_spotter(
        [m for m, _ in data], [t for _, t in data], SpotterConfig(seed=7), device="cpu"
    )


def test_synthetic_is_deterministic_and_masks_gaps() -> None:
    first, truth = synthetic_motion(3)
    again, truth_again = synthetic_motion(3)
    assert truth == truth_again
    np.testing.assert_array_equal(first.motion, again.motion)
    assert first.motion.shape == (1800, 6)
    assert first.motion.dtype == np.float32
    assert not first.valid.all()
    assert np.isnan(first.motion[~first.valid]).all()
    assert np.isfinite(first.motion[first.valid]).all()
    assert sorted(kind for _, _, kind in truth) == ["macro"] * 3 + ["micro"] * 4
    for onset, offset, kind in truth:
        assert first.valid[onset : offset + 1].all()
        duration = (offset - onset + 1) / first.fps
        assert (0.2 <= duration <= 0.5) if kind == "micro" else (0.6 <= duration <= 2.0)


def test_cold_start_f1_on_held_out_videos() -> None:
    result = score(ColdStartSpotter(), TEST_SEEDS)
    # Measured: overall 0.923 (24 TP, 0 FP, 4 FN), macro 1.0, micro 0.857.
    assert result["overall"]["f1"] >= 0.5
    assert result["by_type"]["macro"]["f1"] >= 0.8


def test_calibration_never_does_worse_on_its_own_data() -> None:
    data = [synthetic_motion(seed) for seed in range(4)]
    motions, truths = [m for m, _ in data], [t for _, t in data]
    base = replace(ColdStartParams(), high=12.0)
    calibrated = calibrate(motions, truths, base)
    assert calibrated.high != 12.0
    assert (
        score(ColdStartSpotter(calibrated), range(4))["overall"]["f1"]
        >= (score(ColdStartSpotter(base), range(4))["overall"]["f1"])
    )
    assert calibrate(motions, [[] for _ in motions], base) == base


def test_trained_spotter_beats_cold_start(trained: TrainedSpotter) -> None:
    result = score(trained, TEST_SEEDS)
    cold = score(ColdStartSpotter(), TEST_SEEDS)
    # Measured: overall, macro and micro F1 all 1.0 (28 TP, 0 FP, 0 FN); about 0.05 s/epoch.
    assert result["overall"]["f1"] >= 0.8
    assert result["overall"]["f1"] > cold["overall"]["f1"]
    assert result["by_type"]["micro"]["f1"] >= 0.8
    assert result["by_type"]["macro"]["f1"] >= 0.8
    assert trained.metrics["training_data_hash"] == training_data_hash(
        *zip(*[synthetic_motion(seed) for seed in TRAIN_SEEDS], strict=True)
    )


def test_trained_spotter_works_at_another_frame_rate(trained: TrainedSpotter) -> None:
    assert score(trained, TEST_SEEDS[:2], fps=200.0)["overall"]["f1"] >= 0.8


def test_same_seed_same_weights_and_proposals() -> None:
    data = [synthetic_motion(seed) for seed in range(3)]
    motions, truths = [m for m, _ in data], [t for _, t in data]
    config = SpotterConfig(seed=1, epochs=3)
    first = train_spotter(motions, truths, config, device="cpu")
    second = train_spotter(motions, truths, config, device="cpu")
    other = train_spotter(motions, truths, replace(config, seed=2), device="cpu")
    for name, tensor in first.state_dict().items():
        assert torch.equal(tensor, second.state_dict()[name]), name
    assert any(
        not torch.equal(tensor, other.state_dict()[name])
        for name, tensor in first.state_dict().items()
    )
    held_out, _ = synthetic_motion(100)
    assert first.spot(held_out) == second.spot(held_out)


def test_save_load_gives_identical_proposals(trained: TrainedSpotter, tmp_path: Path) -> None:
    path = str(tmp_path / "spotter.pt")
    trained.save(path)
    loaded = TrainedSpotter.load(path)
    assert loaded.config == trained.config
    assert loaded.metrics == trained.metrics
    for seed in TEST_SEEDS[:2]:
        motion, _ = synthetic_motion(seed)
        assert loaded.spot(motion) == trained.spot(motion)
        np.testing.assert_array_equal(loaded.probabilities(motion), trained.probabilities(motion))
    torch.load(path, weights_only=True)


def _no_face(motion: RegionalMotion, start: int, end: int) -> RegionalMotion:
    values, valid = motion.motion.copy(), motion.valid.copy()
    values[start:end] = np.nan
    valid[start:end] = False
    return replace(motion, motion=values, valid=valid)


def _touches_invalid(proposals: list[Proposal], valid: np.ndarray) -> bool:
    return any(not valid[p.onset : p.offset + 1].all() for p in proposals)


def test_frames_without_a_face_never_get_proposals(trained: TrainedSpotter) -> None:
    motion, truth = synthetic_motion(101)
    # Hide the middle of every true expression, plus the gaps the generator already made.
    for onset, offset, _ in truth:
        middle = (onset + offset) // 2
        motion = _no_face(motion, middle - 2, middle + 3)
    for spotter in (ColdStartSpotter(), trained):
        proposals = spotter.spot(motion)
        assert proposals
        assert not _touches_invalid(proposals, motion.valid)
        blank = _no_face(motion, 0, motion.n_frames)
        assert spotter.spot(blank) == []


def test_distractors_alone_give_few_proposals(trained: TrainedSpotter) -> None:
    counts = {"cold": 0, "trained": 0}
    for seed in range(200, 203):
        motion, truth = synthetic_motion(
            seed, n_micro=0, n_macro=0, n_head_jerks=6, blink_every_s=2.0
        )
        assert truth == []
        counts["cold"] += len(ColdStartSpotter().spot(motion))
        counts["trained"] += len(trained.spot(motion))
    # 3 minutes with 90 blinks and 18 head jerks. Measured: cold 0, trained 1.
    assert counts["cold"] <= 2
    assert counts["trained"] <= 2


def test_cold_start_parameters_are_in_seconds() -> None:
    for seed in TEST_SEEDS[:2]:
        low, truth_low = synthetic_motion(seed, fps=30.0)
        high, truth_high = synthetic_motion(seed, fps=200.0)
        # The same events in seconds at both frame rates.
        for (a, b, kind), (c, d, kind_high) in zip(truth_low, truth_high, strict=True):
            assert kind == kind_high
            assert abs(a / 30 - c / 200) < 0.05
            assert abs((b + 1) / 30 - (d + 1) / 200) < 0.05
        for motion, truth in ((low, truth_low), (high, truth_high)):
            rows = [(0, *t) for t in truth]
            predicted = [(0, p.onset, p.offset, p.type) for p in ColdStartSpotter().spot(motion)]
            assert megc_spotting(rows, predicted)["overall"]["f1"] >= 0.8


def test_decode_hysteresis_merges_and_types() -> None:
    probs = np.zeros((100, 3))
    probs[:, 0] = 1.0
    probs[10:20] = [0.1, 0.8, 0.1]  # micro
    probs[40:70] = [0.2, 0.2, 0.6]  # macro
    probs[55:57] = [0.9, 0.05, 0.05]  # a dip shorter than the merge gap
    probs[85:87] = [0.6, 0.4, 0.0]  # below high: not an interval
    valid = np.ones(100, dtype=bool)
    params = DecodeParams(smooth_s=0.0, high=0.5, low=0.3, merge_gap_s=0.1, min_duration_s=0.1)
    proposals = decode_probabilities(probs, valid, 30.0, params)
    assert [(p.onset, p.offset, p.type) for p in proposals] == [
        (10, 19, "micro"),
        (40, 69, "macro"),
    ]
    valid[56] = False
    split = decode_probabilities(probs, valid, 30.0, params)
    assert [(p.onset, p.offset) for p in split] == [(10, 19), (40, 54), (57, 69)]
