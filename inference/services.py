"""Features, spotter building and training, pre-label runs: the writes of the inference app.

Every function here is idempotent, so that a task redelivered after its worker died can simply
run again: features are kept when their parameters have not changed, a Job builds at most one
model, and a pre-label run replaces each video's proposals of its model in one transaction.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.errors import NotFound, SpotlabError
from core.models import Project
from curation.evaluation import megc_spotting
from curation.models import Release
from curation.services.releases import release_load
from inference.features import compute_regional_motion
from inference.models import (
    ModelKind,
    MotionFeatures,
    PrelabelRun,
    Proposal,
    SpotterModel,
    features_path,
    model_path,
)
from inference.signals import RegionalMotion
from inference.spotters import ColdStartParams, ColdStartSpotter, Truth, calibrate
from inference.spotters import Proposal as Proposed
from videos.models import Video, VideoStatus
from videos.storage import local_path, save_file

logger = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
SPOTTED_TYPES = ("micro", "macro")


def _quiet(fraction: float, message: str) -> None:
    """A progress sink for callers that do not report."""


def feature_params() -> dict[str, float | int]:
    """The face pipeline's parameters (seconds and pixels); features are recomputed when
    these change."""
    return dict(settings.SPOTLAB_FEATURE_PARAMS)


# -- features ---------------------------------------------------------------------------------


def features_compute(
    *, video: Video, progress: Progress = _quiet, force: bool = False
) -> MotionFeatures:
    """The video's regional facial motion, computed once and stored beside the video.

    Kept as they are when they exist with the current parameters (unless ``force``). A video
    without any face gives features whose frames are all masked: not an error.
    """
    if video.status != VideoStatus.READY:
        raise SpotlabError(
            f"Video {video.pk} is {video.status}, not ready: its features cannot be computed.",
            code="video_not_ready",
        )
    params = feature_params()
    existing = MotionFeatures.objects.filter(video=video).first()
    if (
        existing is not None
        and not force
        and existing.params == params
        and default_storage.exists(existing.file)
    ):
        return existing
    started = time.perf_counter()
    motion = compute_regional_motion(
        local_path(video.file.name),
        on_progress=lambda fraction: progress(fraction, f"Facial motion of video {video.pk}"),
        **params,  # type: ignore[arg-type]
    )
    with tempfile.TemporaryDirectory(prefix=f"features-{video.pk}-") as work:
        path = Path(work) / "motion.npz"
        motion.save(str(path))
        name = save_file(features_path(video), path)
    features, _ = MotionFeatures.objects.update_or_create(
        video=video,
        defaults={
            "file": name,
            "params": params,
            "n_frames": motion.n_frames,
            "n_valid": int(motion.valid.sum()),
            "fps": motion.fps,
            "compute_s": time.perf_counter() - started,
        },
    )
    return features


def features_compute_many(
    *, video_ids: Sequence[int], progress: Progress = _quiet, force: bool = False
) -> dict[str, Any]:
    """Features of several videos (the media queue's job); one progress bar over all."""
    videos = list(Video.objects.filter(pk__in=video_ids).order_by("pk"))
    done: dict[str, Any] = {}
    for index, video in enumerate(videos):
        share = _share(progress, index, len(videos))
        features = features_compute(video=video, progress=share, force=force)
        done[str(video.pk)] = {
            "n_frames": features.n_frames,
            "valid_fraction": round(features.valid_fraction, 4),
        }
    return {"videos": done}


def motion_of(video: Video, progress: Progress = _quiet) -> RegionalMotion:
    """The stored features of ``video``, computed first if it has none yet."""
    features = features_compute(video=video, progress=progress)
    return RegionalMotion.load(str(local_path(features.file)))


def _share(
    progress: Progress, index: int, count: int, start: float = 0.0, span: float = 1.0
) -> Progress:
    """``progress`` for item ``index`` of ``count`` inside ``[start, start + span]``."""

    def report(fraction: float, message: str) -> None:
        progress(start + span * (index + min(max(fraction, 0.0), 1.0)) / max(count, 1), message)

    return report


# -- training -----------------------------------------------------------------------------------


def torch_device(requested: str | None = None) -> str:
    """``cuda`` when asked for or when ``auto`` finds a GPU; ``cpu`` otherwise."""
    choice = (requested or settings.SPOTLAB_TORCH_DEVICE).lower()
    if choice == "auto":
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    if choice.startswith("cuda"):
        import torch

        if not torch.cuda.is_available():
            raise SpotlabError("CUDA was asked for but this worker has no GPU.", code="no_cuda")
    return choice


def _release_sets(
    release: Release, fold: int
) -> tuple[list[Video], list[Video], dict[int, list[Truth]]]:
    """The release's training and held-out videos for ``fold`` and their consensus truths."""
    if not 0 <= fold < len(release.folds):
        raise SpotlabError(
            f"Release {release.pk} has {len(release.folds)} folds; there is no fold {fold}.",
            code="bad_fold",
            fields={"fold": [f"Choose 0 to {len(release.folds) - 1}."]},
        )
    data = release_load(release)
    truths: dict[int, list[Truth]] = {record.id: [] for record in data.videos}
    for label in data.consensus:
        if label.type in SPOTTED_TYPES and label.video in truths:
            truths[label.video].append((label.onset, label.offset, label.type))
    ready = {
        video.pk: video
        for video in Video.objects.filter(
            project_id=release.project_id, pk__in=list(truths), status=VideoStatus.READY
        )
    }
    chosen = release.folds[fold]
    train = [ready[i] for i in chosen["train"] if i in ready]
    test = [ready[i] for i in chosen["test"] if i in ready]
    if not train:
        raise SpotlabError(
            f"Fold {fold} of release {release.pk} has no training video.", code="no_training_data"
        )
    return train, test, truths


def _megc(
    spotter: Any, motions: Sequence[RegionalMotion], truths: Sequence[Sequence[Truth]]
) -> dict[str, Any]:
    truth_rows = [(i, on, off, kind) for i, rows in enumerate(truths) for on, off, kind in rows]
    predicted = [
        (i, p.onset, p.offset, p.type)
        for i, motion in enumerate(motions)
        for p in spotter.spot(motion)
    ]
    return megc_spotting(truth_rows, predicted)


def _next_version(project: Project) -> int:
    Project.objects.select_for_update().filter(pk=project.pk).first()
    last = SpotterModel.objects.filter(project=project).aggregate(last=Max("version"))["last"]
    return (last or 0) + 1


def model_build(
    *,
    project: Project,
    kind: str,
    release: Release | None = None,
    fold: int = 0,
    hyperparameters: dict[str, Any] | None = None,
    device: str | None = None,
    by: Any = None,
    job_id: Any = None,
    progress: Progress = _quiet,
) -> SpotterModel:
    """Build a baseline or train a network on a release's training split and register it.

    The baseline is the training-free cold-start spotter, its thresholds calibrated on the
    training videos when a release is given. The trained spotter needs a release. Both are
    scored on the fold's held-out videos with the MEGC rule. A Job builds one model: a second
    delivery of the same Job returns the model it already made.
    """
    if job_id is not None:
        made = SpotterModel.objects.filter(job_id=job_id).first()
        if made is not None:
            return made
    if kind not in ModelKind.values:
        raise SpotlabError(
            f"Unknown model kind '{kind}'.", fields={"kind": ["baseline or trained"]}
        )
    if kind == ModelKind.TRAINED and release is None:
        raise SpotlabError(
            "A trained spotter learns from a release's consensus: name the release.",
            code="release_required",
            fields={"release": ["Required for a trained spotter."]},
        )
    if release is not None and release.project_id != project.pk:
        raise NotFound("No such release in this project.")
    hyperparameters = dict(hyperparameters or {})
    train: list[Video] = []
    test: list[Video] = []
    truths: dict[int, list[Truth]] = {}
    if release is not None:
        train, test, truths = _release_sets(release, fold)
    videos = train + test
    motions: dict[int, RegionalMotion] = {}
    for index, video in enumerate(videos):
        motions[video.pk] = motion_of(video, _share(progress, index, len(videos), 0.0, 0.3))
    train_motions = [motions[v.pk] for v in train]
    train_truths = [truths[v.pk] for v in train]
    test_motions = [motions[v.pk] for v in test]
    test_truths = [truths[v.pk] for v in test]

    started = time.perf_counter()
    used_device = "cpu"
    metrics: dict[str, Any] = {}
    data_hash = ""
    weights: Path | None = None
    work = tempfile.TemporaryDirectory(prefix="spotter-")
    try:
        if kind == ModelKind.BASELINE:
            try:
                params = ColdStartParams(**hyperparameters)
            except TypeError as error:
                raise SpotlabError(
                    f"Unknown cold-start parameter: {error}.",
                    fields={"hyperparameters": [str(error)]},
                ) from error
            if train:
                progress(0.4, "Calibrating the cold-start thresholds on the training videos")
                params = calibrate(train_motions, train_truths, params)
            spotter: Any = ColdStartSpotter(params)
            hyperparameters = asdict(params)
        else:
            from inference.spotters.network import SpotterConfig, train_spotter, training_data_hash

            try:
                base = asdict(SpotterConfig())
                base.update(hyperparameters)
                config = SpotterConfig.from_dict(base)
            except (TypeError, ValueError, KeyError) as error:
                raise SpotlabError(
                    f"Bad hyperparameters: {error}.", fields={"hyperparameters": [str(error)]}
                ) from error
            used_device = torch_device(device)
            data_hash = training_data_hash(train_motions, train_truths)

            def on_epoch(epoch: int, n_epochs: int, loss: float) -> None:
                progress(0.3 + 0.6 * epoch / n_epochs, f"Epoch {epoch}/{n_epochs}, loss {loss:.4f}")

            spotter = train_spotter(
                train_motions, train_truths, config, device=used_device, on_progress=on_epoch
            )
            metrics["training"] = {
                key: value for key, value in spotter.metrics.items() if key != "training_data_hash"
            }
            hyperparameters = config.to_dict()
            weights = Path(work.name) / "spotter.pt"
            spotter.save(str(weights))
        progress(0.92, "Scoring the held-out videos (MEGC rule)")
        if train:
            metrics["train"] = _megc(spotter, train_motions, train_truths)
        if test:
            metrics["held_out"] = _megc(spotter, test_motions, test_truths)
        with transaction.atomic():
            version = _next_version(project)
            model = SpotterModel.objects.create(
                project=project,
                version=version,
                kind=kind,
                name=f"{kind} v{version}",
                release=release,
                fold=fold if release is not None else None,
                hyperparameters=hyperparameters,
                training_data_hash=data_hash,
                training_videos=[v.pk for v in train],
                held_out_videos=[v.pk for v in test],
                metrics=metrics,
                device=used_device,
                training_s=round(time.perf_counter() - started, 3),
                job_id=job_id,
                created_by=by,
            )
            if weights is not None:
                model.weights_file = save_file(model_path(model, "spotter.pt"), weights)
                model.save(update_fields=["weights_file"])
    finally:
        work.cleanup()
    return model


def spotter_load(model: SpotterModel) -> Any:
    """The runnable spotter of a registered model (``.spot(motion) -> [Proposal]``)."""
    if model.kind == ModelKind.BASELINE:
        return ColdStartSpotter(ColdStartParams(**model.hyperparameters))
    from inference.spotters.network import TrainedSpotter

    if not model.weights_file or not default_storage.exists(model.weights_file):
        raise SpotlabError(f"The weights of {model.name} are missing.", code="weights_missing")
    return TrainedSpotter.load(str(local_path(model.weights_file)))


# -- pre-label runs -----------------------------------------------------------------------------


def prelabel_run_create(
    *,
    project: Project,
    model: SpotterModel,
    video_ids: Sequence[int] | None,
    by: Any,
) -> PrelabelRun:
    """A run of ``model`` over the given videos (default: every ready video of the project)."""
    if model.project_id != project.pk:
        raise NotFound("No such model in this project.")
    ready = Video.objects.filter(project=project, status=VideoStatus.READY)
    if video_ids is None:
        chosen = list(ready.order_by("pk").values_list("pk", flat=True))
    else:
        wanted = list(dict.fromkeys(video_ids))
        found = set(ready.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = [v for v in wanted if v not in found]
        if missing:
            raise SpotlabError(
                f"Video {missing[0]} is not a ready video of this project.",
                fields={"videos": [f"{missing[0]} is not a ready video of this project."]},
            )
        chosen = wanted
    if not chosen:
        raise SpotlabError("The project has no ready video to pre-label.", code="no_videos")
    return PrelabelRun.objects.create(project=project, model=model, videos=chosen, created_by=by)


def proposals_replace(
    *, video: Video, model: SpotterModel, run: PrelabelRun | None, proposed: Sequence[Proposed]
) -> int:
    """Make the video's proposals of ``model`` exactly ``proposed``, in one transaction.

    Proposals that stay keep their ids (segments accepted from them keep their link); others
    are removed; new ones are added. Running again never duplicates anything.
    """
    wanted: dict[tuple[int, int, str], Proposed] = {
        (p.onset, p.offset, p.type): p for p in proposed
    }
    with transaction.atomic():
        current = {
            (p.onset, p.offset, p.type): p
            for p in Proposal.objects.select_for_update().filter(video=video, model=model)
        }
        stale = [p.pk for key, p in current.items() if key not in wanted]
        Proposal.objects.filter(pk__in=stale).delete()
        kept = [row for key, row in current.items() if key in wanted]
        for row in kept:
            row.score = round(float(wanted[(row.onset, row.offset, row.type)].score), 6)
            row.run = run
        Proposal.objects.bulk_update(kept, ["score", "run"])
        Proposal.objects.bulk_create(
            [
                Proposal(
                    video=video,
                    model=model,
                    run=run,
                    onset=p.onset,
                    offset=p.offset,
                    type=p.type,
                    score=round(float(p.score), 6),
                )
                for key, p in wanted.items()
                if key not in current
            ]
        )
    return len(wanted)


def prelabel_run_execute(*, run: PrelabelRun, progress: Progress = _quiet) -> PrelabelRun:
    """Apply the run's model to each of its videos (computing missing features first)."""
    model = run.model
    spotter = spotter_load(model)
    counts: dict[str, int] = {}
    videos = {v.pk: v for v in Video.objects.filter(pk__in=run.videos)}
    for index, video_id in enumerate(run.videos):
        video = videos.get(video_id)
        if video is None:
            continue  # deleted since the run was asked for
        share = _share(progress, index, len(run.videos))
        motion = motion_of(video, share)
        proposed = spotter.spot(motion)
        counts[str(video_id)] = proposals_replace(
            video=video, model=model, run=run, proposed=proposed
        )
        share(1.0, f"Video {video_id}: {len(proposed)} proposals")
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run
