"""Celery entry points of inference: features on the ``media`` queue, models and pre-label runs
on the ``gpu`` queue (see config/settings/celery.py). All are idempotent Job tasks."""

from __future__ import annotations

from typing import Any

from core.jobs import JobReporter, job_task
from core.models import Job, Project
from curation.models import Release
from inference import services
from inference.models import PrelabelRun, SpotterModel


def model_summary(model: SpotterModel) -> dict[str, Any]:
    held_out = model.metrics.get("held_out", {}).get("overall", {})
    return {
        "model": model.pk,
        "name": model.name,
        "version": model.version,
        "kind": model.kind,
        "device": model.device,
        "held_out_f1": held_out.get("f1"),
    }


@job_task("inference.tasks.features_compute")
def features_compute(
    reporter: JobReporter, *, video_ids: list[int], force: bool = False
) -> dict[str, Any]:
    """Regional facial motion of each video, stored beside it."""
    return services.features_compute_many(
        video_ids=video_ids, progress=reporter.progress, force=force
    )


@job_task("inference.tasks.model_build")
def model_build(
    reporter: JobReporter,
    *,
    project_id: int,
    kind: str,
    release_id: int | None,
    fold: int,
    hyperparameters: dict[str, Any],
) -> dict[str, Any]:
    """Build the cold-start baseline or train the network, and register it."""
    job = Job.objects.select_related("created_by").get(pk=reporter.job_id)
    model = services.model_build(
        project=Project.objects.get(pk=project_id),
        kind=kind,
        release=Release.objects.get(pk=release_id) if release_id is not None else None,
        fold=fold,
        hyperparameters=hyperparameters,
        by=job.created_by,
        job_id=job.pk,
        progress=reporter.progress,
    )
    return model_summary(model)


@job_task("inference.tasks.prelabel")
def prelabel(reporter: JobReporter, *, run_id: int) -> dict[str, Any]:
    """Write a model's proposals for the run's videos (replacing, never duplicating)."""
    run = services.prelabel_run_execute(
        run=PrelabelRun.objects.select_related("model").get(pk=run_id), progress=reporter.progress
    )
    return {
        "run": run.pk,
        "model": run.model_id,
        "proposals": sum(run.counts.values()),
        "videos": run.counts,
    }
