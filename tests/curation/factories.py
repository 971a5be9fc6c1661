"""Synthetic passes for the curation tests and benchmark: seeded, reproducible."""

from __future__ import annotations

import numpy as np

from curation.types import Pass, Segment


def jittered_passes(
    seed: int,
    n_frames: int = 108_000,
    n_events: int = 200,
    n_passes: int = 5,
    length_range: tuple[int, int] = (15, 120),
    jitter: int = 3,
    miss_rate: float = 0.0,
    types: tuple[str, ...] = ("macro", "micro"),
) -> list[Pass]:
    """``n_events`` true expressions, disjoint and at least ``2 * jitter + 1`` frames apart;
    each pass marks each one (unless missed with ``miss_rate``) with onset and offset moved by
    an independent uniform integer in ``[-jitter, jitter]``, so a pass's segments never overlap.
    """
    rng = np.random.default_rng(seed)
    lengths = rng.integers(length_range[0], length_range[1] + 1, n_events)
    spacing = 2 * jitter + 1
    free = n_frames - int(lengths.sum()) - (n_events + 1) * spacing
    if free < 0:
        raise ValueError("the events do not fit in the video")
    cuts = np.sort(rng.integers(0, free + 1, n_events))
    gaps = np.diff(np.concatenate(([0], cuts))) + spacing
    onsets = np.cumsum(gaps) + np.concatenate(([0], np.cumsum(lengths)[:-1]))
    event_types = rng.choice(types, n_events)
    passes = []
    for index in range(n_passes):
        segments = []
        for event in range(n_events):
            if rng.random() < miss_rate:
                continue
            onset = int(onsets[event] + rng.integers(-jitter, jitter + 1))
            offset = int(onsets[event] + lengths[event] - 1 + rng.integers(-jitter, jitter + 1))
            segments.append(
                Segment(
                    onset,
                    max(onset, offset),
                    type=str(event_types[event]),
                    segment_id=f"{index}-{event}",
                )
            )
        passes.append(Pass(f"pass-{index}", f"annotator-{index}", tuple(segments)))
    return passes


def random_segmentation(
    rng: np.random.Generator,
    pass_index: int,
    n_frames: int,
    n_units: int,
    length_range: tuple[int, int],
) -> Pass:
    """A segmentation drawn independently of any other: ``n_units`` disjoint units of uniform
    random lengths, placed by a uniformly random composition of the remaining frames into gaps."""
    lengths = rng.integers(length_range[0], length_range[1] + 1, n_units)
    free = n_frames - int(lengths.sum())
    cuts = np.sort(rng.integers(0, free + 1, n_units))
    gaps = np.diff(np.concatenate(([0], cuts)))
    starts = np.cumsum(gaps) + np.concatenate(([0], np.cumsum(lengths)[:-1]))
    segments = tuple(
        Segment(int(start), int(start + length - 1))
        for start, length in zip(starts, lengths, strict=True)
    )
    return Pass(pass_index, pass_index, segments)
