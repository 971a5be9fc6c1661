"""Features, the spotter registry and pre-label runs through the platform (services, commands,
API), on generated face videos whose consensus is the known truth."""

from __future__ import annotations

import io
from typing import Any

import pytest
import torch
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import override_settings

from annotation.models import Assignment, PassMode
from core.errors import NotFound, SpotlabError
from core.models import Job
from curation.evaluation import megc_spotting
from inference.models import MotionFeatures, Proposal, SpotterModel
from inference.services import (
    features_compute,
    model_build,
    motion_of,
    prelabel_run_create,
    prelabel_run_execute,
    spotter_load,
)
from inference.signals import RegionalMotion
from inference.spotters.network import training_data_hash
from tests.conftest import api_client
from tests.inference.face_factory import make_face_video
from tests.inference.platform import Clip, face_project, make_clips, ready_video, release_of
from videos.storage import local_path

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> list[Clip]:
    return make_clips(tmp_path_factory.mktemp("faces"))


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    torch.set_num_threads(1)


def _scores(spotter: Any, motions: list[RegionalMotion], truths: list[Any]) -> dict[str, Any]:
    truth = [(i, a, b, k) for i, rows in enumerate(truths) for a, b, k in rows]
    predicted = [
        (i, p.onset, p.offset, p.type) for i, m in enumerate(motions) for p in spotter.spot(m)
    ]
    return megc_spotting(truth, predicted)


def test_features_are_computed_once_and_kept_beside_the_video(people, project, clips) -> None:
    video = ready_video(project, clips[0], 0)
    features = features_compute(video=video)
    assert features.file == f"videos/{project.pk}/{video.uid}/motion.npz"
    assert default_storage.exists(features.file)
    assert features.n_frames == 240
    assert features.fps == 30.0
    # The drawn face is found on (nearly) every frame.
    assert features.valid_fraction >= 0.95
    motion = RegionalMotion.load(str(local_path(features.file)))
    assert motion.motion.shape == (240, 6)
    assert int(motion.valid.sum()) == features.n_valid
    # Asked again with the same parameters: kept, not recomputed.
    again = features_compute(video=video)
    assert (again.pk, again.computed_at) == (features.pk, features.computed_at)
    # New parameters make new features, under the same name.
    with override_settings(
        SPOTLAB_FEATURE_PARAMS={
            "step_s": 0.2,
            "reanchor_s": 2.0,
            "detect_every_s": 0.5,
            "crop_px": 160,
        }
    ):
        changed = features_compute(video=video)
    assert changed.pk == features.pk
    assert changed.params["step_s"] == 0.2
    assert changed.computed_at > features.computed_at
    assert MotionFeatures.objects.count() == 1


def test_a_video_without_a_face_is_masked_and_gets_no_proposal(people, project, tmp_path) -> None:
    truth = make_face_video(tmp_path / "empty.mp4", seconds=3, face=False, seed=4)
    video = ready_video(project, Clip(subject="s9", truth=truth), 50)
    model = model_build(project=project, kind="baseline")
    run = prelabel_run_execute(
        run=prelabel_run_create(project=project, model=model, video_ids=[video.pk], by=None)
    )
    features = MotionFeatures.objects.get(video=video)
    assert (features.n_frames, features.n_valid) == (90, 0)
    assert run.counts == {str(video.pk): 0}
    assert not Proposal.objects.exists()


def test_models_learn_from_a_release_and_pre_label_idempotently(people, project, clips) -> None:
    videos = face_project(people, project, clips)
    release = release_of(people, project)
    fold = release.folds[0]
    by_id = {video.pk: (video, clip) for video, clip in zip(videos, clips, strict=True)}
    train_ids, test_ids = fold["train"], fold["test"]
    assert (len(train_ids), len(test_ids)) == (4, 2)

    baseline = model_build(project=project, kind="baseline", release=release, by=people["curator"])
    assert (baseline.version, baseline.name, baseline.kind) == (1, "baseline v1", "baseline")
    assert (baseline.training_videos, baseline.held_out_videos) == (train_ids, test_ids)
    assert baseline.weights_file == ""
    test_motions = [motion_of(by_id[i][0]) for i in test_ids]
    test_truths = [by_id[i][1].rows for i in test_ids]
    # The registered metrics are the MEGC scores of the registered parameters on held-out videos.
    assert baseline.metrics["held_out"] == _scores(
        spotter_load(baseline), test_motions, test_truths
    )
    baseline_f1 = baseline.metrics["held_out"]["overall"]["f1"]

    reports: list[tuple[float, str]] = []
    trained = model_build(
        project=project,
        kind="trained",
        release=release,
        hyperparameters={"epochs": 40, "seed": 3},
        by=people["curator"],
        progress=lambda fraction, message: reports.append((fraction, message)),
    )
    fractions = [fraction for fraction, _ in reports]
    assert fractions == sorted(fractions)
    assert fractions[0] >= 0.0
    assert fractions[-1] <= 1.0
    epochs = [message.split(",")[0] for _, message in reports if message.startswith("Epoch")]
    assert epochs == [f"Epoch {n}/40" for n in range(1, 41)]
    assert (trained.version, trained.name, trained.device, trained.fold) == (
        2,
        "trained v2",
        "cpu",
        0,
    )
    assert trained.hyperparameters["epochs"] == 40
    assert trained.hyperparameters["seed"] == 3
    train_motions = [motion_of(by_id[i][0]) for i in train_ids]
    train_truths = [by_id[i][1].rows for i in train_ids]
    assert trained.training_data_hash == training_data_hash(train_motions, train_truths)
    assert trained.weights_file == f"models/{project.pk}/{trained.uid}/spotter.pt"
    saved = torch.load(str(local_path(trained.weights_file)), weights_only=True)
    assert saved["config"]["seed"] == 3
    assert trained.metrics["training"]["epochs"] == 40
    held_out = trained.metrics["held_out"]
    assert held_out == _scores(spotter_load(trained), test_motions, test_truths)
    assert held_out["overall"]["f1"] >= baseline_f1

    run = prelabel_run_execute(
        run=prelabel_run_create(project=project, model=trained, video_ids=None, by=None)
    )
    assert run.videos == [video.pk for video in videos]
    assert sum(run.counts.values()) == Proposal.objects.filter(model=trained).count() > 0
    spotter = spotter_load(trained)
    for video in videos:
        expected = [(p.onset, p.offset, p.type) for p in spotter.spot(motion_of(video))]
        stored = list(
            Proposal.objects.filter(video=video, model=trained).values_list(
                "onset", "offset", "type"
            )
        )
        assert stored == expected
    # An annotator accepts a proposal; running again keeps every id and duplicates nothing.
    kept = Proposal.objects.filter(model=trained).first()
    assert kept is not None
    assisted = Assignment.objects.filter(video=kept.video).first()
    assert assisted is not None
    Assignment.objects.filter(pk=assisted.pk).update(mode=PassMode.ASSISTED)
    before = sorted(Proposal.objects.values_list("pk", "video_id", "onset", "offset", "type"))
    again = prelabel_run_execute(
        run=prelabel_run_create(project=project, model=trained, video_ids=None, by=None)
    )
    assert again.counts == run.counts
    assert (
        sorted(Proposal.objects.values_list("pk", "video_id", "onset", "offset", "type")) == before
    )
    assert set(Proposal.objects.values_list("run", flat=True)) == {again.pk}


def test_bad_requests_name_the_problem(people, project, clips) -> None:
    video = ready_video(project, clips[0], 0)
    with pytest.raises(SpotlabError, match="learns from a release"):
        model_build(project=project, kind="trained")
    with pytest.raises(SpotlabError, match="Unknown model kind"):
        model_build(project=project, kind="oracle")
    baseline = model_build(project=project, kind="baseline")
    assert baseline.metrics == {}
    with pytest.raises(SpotlabError, match="is not a ready video of this project"):
        prelabel_run_create(project=project, model=baseline, video_ids=[video.pk, 424242], by=None)
    from core.models import Project

    other = Project.objects.get(slug="beta")
    with pytest.raises(NotFound):
        prelabel_run_create(project=other, model=baseline, video_ids=None, by=None)
    with pytest.raises(SpotlabError, match="Unknown cold-start parameter"):
        model_build(project=project, kind="baseline", hyperparameters={"hgih": 3})


def test_features_endpoint_queues_only_what_is_missing(people, project, clips) -> None:
    videos = [ready_video(project, clip, number) for number, clip in enumerate(clips[:3])]
    features_compute(video=videos[1])
    curator = api_client(people["curator"])
    url = "/api/v1/projects/alpha/features/"
    queued = curator.post(url, {}, format="json")
    assert queued.status_code == 202
    job = Job.objects.get(pk=queued.json()["id"])
    assert (job.kind, job.task_name) == ("features", "inference.tasks.features_compute")
    assert job.task_kwargs == {"video_ids": [videos[0].pk, videos[2].pk], "force": False}
    forced = curator.post(url, {"force": True}, format="json").json()
    assert Job.objects.get(pk=forced["id"]).task_kwargs["video_ids"] == [v.pk for v in videos]
    named = curator.post(url, {"videos": [videos[2].pk]}, format="json").json()
    assert Job.objects.get(pk=named["id"]).task_kwargs["video_ids"] == [videos[2].pk]
    bad = curator.post(url, {"videos": [videos[0].pk, 999999]}, format="json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"videos": ["999999 is not a ready video of this project."]}
    assert api_client(people["annotator"]).post(url, {}, format="json").status_code == 404
    assert Job.objects.count() == 3


def test_api_and_commands(people, project, clips) -> None:
    face_project(people, project, clips[:3])
    release = release_of(people, project)
    curator = api_client(people["curator"])
    bad = curator.post("/api/v1/projects/alpha/models/", {"kind": "trained"}, format="json")
    assert bad.status_code == 400
    assert bad.json()["fields"] == {"release": ["Required for a trained spotter."]}
    fold = curator.post(
        "/api/v1/projects/alpha/models/",
        {"kind": "baseline", "release": release.pk, "fold": 3},
        format="json",
    )
    assert fold.status_code == 400
    assert fold.json()["fields"] == {"fold": ["Choose 0 to 2."]}
    foreign = curator.post(
        "/api/v1/projects/alpha/models/", {"kind": "baseline", "release": 99999}, format="json"
    )
    assert foreign.status_code == 404
    for who in ("annotator", "outsider"):
        response = api_client(people[who]).post(
            "/api/v1/projects/alpha/models/", {"kind": "baseline"}, format="json"
        )
        assert response.status_code == 404, who

    out = io.StringIO()
    call_command("train_spotter", "--project", "alpha", "--kind", "baseline", "--release",
                 str(release.pk), stdout=out, stderr=io.StringIO())  # fmt: skip
    model = SpotterModel.objects.get()
    assert out.getvalue().startswith(f"model {model.pk}: baseline v1 on cpu, held-out F1 ")
    listed = curator.get("/api/v1/projects/alpha/models/").json()
    assert [(m["id"], m["name"], m["release"]) for m in listed] == [
        (model.pk, "baseline v1", release.pk)
    ]
    assert curator.get(f"/api/v1/models/{model.pk}/").json()["metrics"] == model.metrics
    assert api_client(people["annotator"]).get(f"/api/v1/models/{model.pk}/").status_code == 404

    out = io.StringIO()
    call_command("prelabel", "--project", "alpha", "--model", str(model.pk), stdout=out)
    total = Proposal.objects.count()
    assert out.getvalue().splitlines()[0].endswith(f"baseline v1 wrote {total} proposals")
    with pytest.raises(CommandError, match="no model 999"):
        call_command("prelabel", "--project", "alpha", "--model", "999")
    with pytest.raises(CommandError, match="no release 999 in 'alpha'"):
        call_command("train_spotter", "--project", "alpha", "--release", "999")
    with pytest.raises(CommandError, match="learns from a release"):
        call_command("train_spotter", "--project", "alpha", "--kind", "trained")
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command("prelabel", "--project", "nope", "--model", "1")
    runs = curator.get("/api/v1/projects/alpha/prelabel-runs/").json()
    assert [(r["model"], r["model_name"], sum(r["counts"].values())) for r in runs] == [
        (model.pk, "baseline v1", total)
    ]
    unknown = curator.post(
        "/api/v1/projects/alpha/prelabel-runs/", {"model": 999, "videos": [1]}, format="json"
    )
    assert unknown.status_code == 404
