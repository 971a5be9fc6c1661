"""A small trainable temporal convolution spotter (torch) over regional facial motion.

Input per frame: the detrended robust z-score of every region (see
:func:`inference.spotters.coldstart.robust_z`; 0 where there is no face) plus the face mask,
resampled to ``SpotterConfig.model_fps`` so that the receptive field is fixed in seconds at any
video frame rate, then standardised with statistics of the training set. A stack of dilated 1-D
convolutions with residual connections scores every frame as background / micro / macro; it is
trained with class-weighted cross-entropy on frame labels built from the truth intervals and
decoded with :func:`inference.spotters.decode.decode_probabilities` after mapping the
probabilities back to the video's frames.

Reproducible: one seed drives the initialisation and the order of training windows, and
deterministic algorithms are requested for the duration of training, so two CPU trainings with
the same seed give identical weights. Weights are never downloaded: a model is what it was
trained into, saved with :meth:`TrainedSpotter.save` (plain tensors, lists and numbers, loadable
with ``torch.load(weights_only=True)``).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from torch import nn
from torch.nn import functional as F

from inference.signals import RegionalMotion
from inference.spotters.coldstart import robust_z
from inference.spotters.decode import DecodeParams, Proposal, Truth, decode_probabilities

CLASSES = ("background", "micro", "macro")
FORMAT_VERSION = 1
Progress = Callable[[int, int, float], None]
"""``on_progress(epoch, n_epochs, loss)`` after every epoch (1-based)."""


@dataclass(frozen=True)
class SpotterConfig:
    """Hyperparameters; durations in seconds."""

    seed: int = 0
    model_fps: float = 30.0
    hidden: int = 24
    dilations: tuple[int, ...] = (1, 2, 4, 8, 16)
    kernel_size: int = 3
    epochs: int = 60
    window_s: float = 20.0
    batch_size: int = 16
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    z_clip: float = 30.0
    class_weight_power: float = 0.5
    decode: DecodeParams = field(default_factory=DecodeParams)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["dilations"] = list(self.dilations)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SpotterConfig:
        values = dict(data)
        values["dilations"] = tuple(values["dilations"])
        values["decode"] = DecodeParams(**values["decode"])
        return cls(**values)


class TemporalConvNet(nn.Module):
    """Dilated residual 1-D convolutions: ``[B, C_in, T]`` to logits ``[B, 3, T]``."""

    def __init__(self, in_channels: int, config: SpotterConfig) -> None:
        super().__init__()
        self.inp = nn.Conv1d(in_channels, config.hidden, 5, padding=2)
        self.blocks = nn.ModuleList(
            nn.Conv1d(
                config.hidden,
                config.hidden,
                config.kernel_size,
                dilation=d,
                padding=d * (config.kernel_size - 1) // 2,
            )
            for d in config.dilations
        )
        self.out = nn.Conv1d(config.hidden, len(CLASSES), 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.inp(x))
        for block in self.blocks:
            h = h + F.relu(block(h))
        logits: torch.Tensor = self.out(h)
        return logits


def features(motion: RegionalMotion, config: SpotterConfig) -> npt.NDArray[np.float32]:
    """``[C, T_model]`` unnormalised network input: clipped robust z per region plus the mask."""
    z = np.clip(np.nan_to_num(robust_z(motion), nan=0.0), -config.z_clip, config.z_clip)
    valid = np.asarray(motion.valid, dtype=np.float64)
    native = np.concatenate([z, valid[:, None]], axis=1)
    if motion.fps == config.model_fps:
        return np.ascontiguousarray(native.T, dtype=np.float32)
    # Average over one model frame, then sample at the model's frame times.
    width = max(1, round(motion.fps / config.model_fps))
    kernel = np.ones(width) / width
    smoothed = np.stack([np.convolve(c, kernel, mode="same") for c in native.T])
    model_times = np.arange(_model_length(motion, config)) / config.model_fps
    native_times = np.arange(motion.n_frames) / motion.fps
    resampled = np.stack([np.interp(model_times, native_times, c) for c in smoothed])
    return resampled.astype(np.float32)


def frame_labels(n_frames: int, truth: Sequence[Truth]) -> npt.NDArray[np.int64]:
    """0 background, 1 micro, 2 macro per frame, from inclusive truth intervals."""
    labels = np.zeros(n_frames, dtype=np.int64)
    for onset, offset, kind in truth:
        labels[onset : offset + 1] = CLASSES.index(kind)
    return labels


def _model_length(motion: RegionalMotion, config: SpotterConfig) -> int:
    return max(1, round(motion.n_frames / motion.fps * config.model_fps))


def _model_labels(
    motion: RegionalMotion, truth: Sequence[Truth], config: SpotterConfig
) -> npt.NDArray[np.int64]:
    labels = frame_labels(motion.n_frames, truth)
    if motion.fps == config.model_fps:
        return labels
    index = np.round(np.arange(_model_length(motion, config)) / config.model_fps * motion.fps)
    return labels[np.clip(index.astype(np.int64), 0, motion.n_frames - 1)]


def training_data_hash(motions: Sequence[RegionalMotion], truths: Sequence[Sequence[Truth]]) -> str:
    """sha256 over every video's fps, regions, motion, mask and sorted truth intervals."""
    digest = hashlib.sha256()
    for motion, truth in zip(motions, truths, strict=True):
        digest.update(repr((float(motion.fps), tuple(motion.regions))).encode())
        values = np.asarray(motion.motion, dtype="<f4")
        values = np.where(np.isnan(values), np.float32(np.nan), values).astype("<f4")
        digest.update(values.tobytes())
        digest.update(np.asarray(motion.valid, dtype=np.uint8).tobytes())
        digest.update(repr(sorted((int(a), int(b), str(k)) for a, b, k in truth)).encode())
    return digest.hexdigest()


class TrainedSpotter:
    """A trained network with its config and input normalisation; CPU inference by default."""

    def __init__(
        self,
        config: SpotterConfig,
        state_dict: dict[str, torch.Tensor],
        mean: Sequence[float],
        std: Sequence[float],
        metrics: dict[str, Any] | None = None,
    ) -> None:
        self.config = config
        self.mean = np.asarray(mean, dtype=np.float32)
        self.std = np.asarray(std, dtype=np.float32)
        self.metrics = dict(metrics or {})
        self.model = TemporalConvNet(len(self.mean), config)
        self.model.load_state_dict({k: v.detach().cpu() for k, v in state_dict.items()})
        self.model.eval()

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def probabilities(self, motion: RegionalMotion) -> npt.NDArray[np.float64]:
        """``[n_frames, 3]`` class probabilities on the video's own frames."""
        x = (features(motion, self.config) - self.mean[:, None]) / self.std[:, None]
        with torch.no_grad():
            logits = self.model(torch.from_numpy(x[None]))
            probs = torch.softmax(logits, dim=1)[0].T.double().numpy()
        if motion.fps == self.config.model_fps:
            return probs
        model_times = np.arange(len(probs)) / self.config.model_fps
        native_times = np.arange(motion.n_frames) / motion.fps
        return np.stack([np.interp(native_times, model_times, c) for c in probs.T], axis=1)

    def spot(self, motion: RegionalMotion) -> list[Proposal]:
        probs = self.probabilities(motion)
        return decode_probabilities(probs, motion.valid, motion.fps, self.config.decode)

    def save(self, path: str) -> None:
        torch.save(
            {
                "format": FORMAT_VERSION,
                "config": self.config.to_dict(),
                "state_dict": self.state_dict(),
                "mean": [float(v) for v in self.mean],
                "std": [float(v) for v in self.std],
                "metrics": self.metrics,
            },
            path,
        )

    @classmethod
    def load(cls, path: str) -> TrainedSpotter:
        data = torch.load(path, map_location="cpu", weights_only=True)
        if data.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: not a spotter saved in format {FORMAT_VERSION}")
        return cls(
            SpotterConfig.from_dict(data["config"]),
            data["state_dict"],
            data["mean"],
            data["std"],
            data.get("metrics"),
        )


def train_spotter(
    motions: Sequence[RegionalMotion],
    truths: Sequence[Sequence[Truth]],
    config: SpotterConfig | None = None,
    device: str | None = None,
    on_progress: Progress | None = None,
) -> TrainedSpotter:
    """Train a :class:`TemporalConvNet` on videos and their truth intervals; see the module doc.

    Every epoch draws ``batch_size`` windows of ``window_s`` seconds per ``window_s`` of
    training video (random start, from a seeded generator). The result's ``metrics`` hold the
    final loss, the epoch count, the seconds per epoch and the training data hash.
    """
    config = config or SpotterConfig()
    if not motions or len(motions) != len(truths):
        raise ValueError("train_spotter needs at least one video and one truth list per video")
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    inputs = [features(m, config) for m in motions]
    labels = [_model_labels(m, t, config) for m, t in zip(motions, truths, strict=True)]
    stacked = np.concatenate(inputs, axis=1)
    mean = stacked.mean(axis=1)
    std = np.maximum(stacked.std(axis=1), 1e-3)
    counts = np.bincount(np.concatenate(labels), minlength=len(CLASSES)).astype(np.float64)
    weights = (counts.sum() / np.maximum(counts, 1.0)) ** config.class_weight_power
    weights = weights / weights.mean()

    window = max(1, round(config.window_s * config.model_fps))
    x_all = [torch.from_numpy((x - mean[:, None]) / std[:, None]) for x in inputs]
    y_all = [torch.from_numpy(y) for y in labels]
    total = sum(len(y) for y in labels)
    steps = max(1, int(np.ceil(total / (window * config.batch_size))))

    previous = torch.are_deterministic_algorithms_enabled()
    previous_cudnn = torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark
    torch.use_deterministic_algorithms(True, warn_only=True)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
    try:
        torch.manual_seed(config.seed)
        rng = np.random.default_rng(config.seed)
        model = TemporalConvNet(len(mean), config).to(device)
        optimiser = torch.optim.AdamW(
            model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        class_weights = torch.tensor(weights, dtype=torch.float32, device=device)
        loss_value = float("nan")
        started = time.perf_counter()
        for epoch in range(1, config.epochs + 1):
            model.train()
            epoch_loss = 0.0
            for _ in range(steps):
                xb, yb = _batch(x_all, y_all, window, config.batch_size, rng)
                logits = model(xb.to(device))
                loss = F.cross_entropy(logits, yb.to(device), weight=class_weights, ignore_index=-1)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                epoch_loss += float(loss.detach())
            loss_value = epoch_loss / steps
            if on_progress is not None:
                on_progress(epoch, config.epochs, loss_value)
        seconds_per_epoch = (time.perf_counter() - started) / max(1, config.epochs)
        state = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
    finally:
        torch.use_deterministic_algorithms(previous)
        torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = previous_cudnn
    metrics = {
        "final_loss": loss_value,
        "epochs": config.epochs,
        "seconds_per_epoch": seconds_per_epoch,
        "device": device,
        "training_data_hash": training_data_hash(motions, truths),
    }
    return TrainedSpotter(config, state, mean.tolist(), std.tolist(), metrics)


def _batch(
    x_all: list[torch.Tensor],
    y_all: list[torch.Tensor],
    window: int,
    batch_size: int,
    rng: np.random.Generator,
) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows; shorter videos are padded (label -1, ignored)."""
    channels = x_all[0].shape[0]
    xb = torch.zeros(batch_size, channels, window)
    yb = torch.full((batch_size, window), -1, dtype=torch.int64)
    for row in range(batch_size):
        video = int(rng.integers(len(x_all)))
        length = x_all[video].shape[1]
        start = int(rng.integers(max(1, length - window + 1)))
        piece = min(window, length - start)
        xb[row, :, :piece] = x_all[video][:, start : start + piece]
        yb[row, :piece] = y_all[video][start : start + piece]
    return xb, yb
