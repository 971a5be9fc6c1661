"""Releases through the API and the commands: frozen, split by subject, exported in every format,
imported back, diffed, evaluated; clips cut frame-exactly by the real worker."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from annotation.models import Assignment, PassStatus, Segment
from core.models import Membership, Project, Role
from curation.formats.registry import FORMAT_NAMES
from curation.models import ConsensusSegment, ConsensusVersion, Release, ReleaseExport
from curation.services import consensus_build, release_export
from tests import media_factory as factory
from tests.conftest import api_client, make_user, wait_for_job
from tests.videos.test_ingest_api import ingest
from videos.media import FrameReader
from videos.models import Subject, Video, VideoStatus

#: Six videos of three subjects (two ethnicities); every video has three passes that agree on
#: a macro expression and two of which mark a micro one.
SUBJECTS = {"s1": "east_asian", "s2": "european", "s3": "east_asian"}
ANNOTATORS = ("ann1", "ann2", "ann3")


def _no_progress(fraction: float, message: str) -> None:
    return None


def spotting_project(people: dict[str, User], project: Project, slug_suffix: str = "") -> None:
    """Fill ``project`` with six ready videos, three submitted passes each, and consensus v1."""
    users = []
    for name in ANNOTATORS:
        user = User.objects.filter(username=name).first() or make_user(name)
        Membership.objects.get_or_create(project=project, user=user, role=Role.ANNOTATOR)
        users.append(user)
    for number in range(6):
        code = f"s{number % 3 + 1}"
        subject, _ = Subject.objects.get_or_create(
            project=project, code=code, defaults={"metadata": {"ethnicity": SUBJECTS[code]}}
        )
        video = Video.objects.create(
            project=project, subject=subject, sha256=f"{number:064d}", status=VideoStatus.READY,
            n_frames=600, fps_num=30, fps_den=1, width=64, height=48,
            original_name=f"{code}_clip{number}.mp4",
        )  # fmt: skip
        for index, user in enumerate(users, start=1):
            assignment = Assignment.objects.create(
                video=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
            )
            Segment.objects.create(
                assignment=assignment, client_id="a", onset=100 + index + number, apex=110,
                offset=140 + index, type="macro", emotion="happy", aus=["AU6", "AU12"],
            )  # fmt: skip
            if index < 3:
                Segment.objects.create(
                    assignment=assignment, client_id="b", onset=300, offset=310 + index,
                    type="micro", emotion="surprise",
                )  # fmt: skip
    consensus_build(project=project, by=people["curator"])


def release_of_one_video(
    people: dict[str, User],
    project: Project,
    video: Video,
    spans: list[tuple[int, int]],
    annotators: tuple[str, ...] = ANNOTATORS,
) -> dict[str, Any]:
    """A release of ``video`` (of subject s1) as the API returns it: a submitted pass by each
    of ``annotators`` with ``spans`` as macro expressions, a second subject's unlabelled video
    so that a leave-one-subject-out split exists, and consensus v1."""
    for index, name in enumerate(annotators, start=1):
        user = make_user(name)
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        assignment = Assignment.objects.create(
            video=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
        )
        for number, (onset, offset) in enumerate(spans):
            Segment.objects.create(
                assignment=assignment, client_id=f"s{number}", onset=onset, offset=offset,
                type="macro",
            )  # fmt: skip
    Video.objects.create(
        project=project, subject=Subject.objects.create(project=project, code="s2"),
        sha256="f" * 64, status=VideoStatus.READY, n_frames=10, fps_num=30, fps_den=1,
    )  # fmt: skip
    consensus_build(project=project, by=people["curator"])
    release = api_client(people["curator"]).post(
        f"/api/v1/projects/{project.slug}/releases/",
        {"name": "clips", "split": {"kind": "loso"}},
        format="json",
    )
    assert release.status_code == 201, release.content
    body: dict[str, Any] = release.json()
    return body


@pytest.fixture
def released(people: dict[str, User], project: Project) -> Release:
    spotting_project(people, project)
    response = api_client(people["curator"]).post(
        "/api/v1/projects/alpha/releases/",
        {"name": "v1", "split": {"kind": "kfold", "k": 3, "seed": 7}},
        format="json",
    )
    assert response.status_code == 201, response.content
    return Release.objects.get(pk=response.json()["id"])


def result_of(job: Any) -> dict[str, Any]:
    assert job.result is not None
    result: dict[str, Any] = job.result
    return result


def download(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def read_zip(export: ReleaseExport) -> dict[str, bytes]:
    from django.core.files.storage import default_storage

    with default_storage.open(export.file, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.django_db
def test_release_freezes_consensus_with_a_subject_split(people, released) -> None:
    body = api_client(people["curator"]).get(f"/api/v1/releases/{released.pk}/").json()
    assert body["counts"] == {
        "videos": 6, "subjects": 3, "consensus_segments": 12, "passes": 18,
        "pass_segments": 30, "clips": 12, "single_labelled": 12,
    }  # fmt: skip
    assert body["consensus_version"] == 1
    assert body["split"]["kind"] == "kfold"
    assert body["split"]["seed"] == 7
    assert len(body["folds"]) == 3
    for fold in body["folds"]:
        assert not set(fold["train_subjects"]) & set(fold["test_subjects"])
    tested = sorted(s for fold in body["folds"] for s in fold["test_subjects"])
    assert tested == ["s1", "s2", "s3"]
    assert len(body["sha256"]) == 64
    # Annotators and outsiders cannot see releases.
    assert (
        api_client(people["annotator"]).get(f"/api/v1/releases/{released.pk}/").status_code == 404
    )
    assert api_client(people["outsider"]).get(f"/api/v1/releases/{released.pk}/").status_code == 404
    assert (
        api_client(people["annotator"]).post("/api/v1/projects/alpha/releases/", {"name": "x"})
    ).status_code == 404


@pytest.mark.django_db
def test_release_errors(people, project) -> None:
    curator = api_client(people["curator"])
    none_yet = curator.post("/api/v1/projects/alpha/releases/", {"name": "v1"}, format="json")
    assert none_yet.status_code == 404
    assert "consensus" in none_yet.json()["detail"]
    spotting_project(people, project)
    bad = curator.post(
        "/api/v1/projects/alpha/releases/",
        {"name": "v1", "split": {"kind": "kfold", "k": 9}},
        format="json",
    )
    assert bad.status_code == 400
    assert bad.json()["code"] == "bad_split"
    assert Release.objects.count() == 0
    loso = {"name": "v1", "split": {"kind": "loso"}}
    first = curator.post("/api/v1/projects/alpha/releases/", loso, format="json")
    assert first.status_code == 201, first.content
    again = curator.post("/api/v1/projects/alpha/releases/", loso, format="json")
    assert again.status_code == 409
    bad_name = curator.post("/api/v1/projects/alpha/releases/", {"name": "../x"}, format="json")
    assert bad_name.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("format_name", FORMAT_NAMES)
def test_every_format_exports_with_a_checked_manifest(released, format_name) -> None:
    export = release_export(release_id=released.pk, format_name=format_name, progress=_no_progress)
    files = read_zip(export)
    manifest = json.loads(files.pop("MANIFEST.json"))
    assert manifest["format"] == format_name
    assert manifest["release_json_sha256"] == released.data_sha256
    assert set(manifest["files"]) == set(files)
    for name, content in files.items():
        assert manifest["files"][name]["sha256"] == hashlib.sha256(content).hexdigest()
    assert export.sha256 == hashlib.sha256(read_zip_bytes(export)).hexdigest()
    # Exporting again returns the same export.
    again = release_export(release_id=released.pk, format_name=format_name, progress=_no_progress)
    assert again.pk == export.pk


def read_zip_bytes(export: ReleaseExport) -> bytes:
    from django.core.files.storage import default_storage

    with default_storage.open(export.file, "rb") as handle:
        return handle.read()


@pytest.mark.django_db
def test_megc_export_rows_and_immutability(people, released) -> None:
    # After the release, a new consensus with other boundaries must not change the release.
    ConsensusSegment.objects.filter(version__number=1).update(onset=0)
    export = release_export(release_id=released.pk, format_name="megc", progress=_no_progress)
    rows = list(csv.reader(io.StringIO(read_zip(export)["megc.csv"].decode())))
    assert rows[0] == ["subject", "video", "onset", "offset", "emotion", "type"]
    # Video s1_clip0: passes mark 101-141, 102-142, 103-143 -> median 102-142; 1-based in MEGC.
    assert ["s1", "s1_clip0", "103", "143", "happy", "macro"] in rows
    # The micro expression: 300-311 and 300-312 -> median onset 300, offset 311.5 -> 312.
    assert ["s1", "s1_clip0", "301", "313", "surprise", "micro"] in rows
    assert len(rows) == 1 + 12


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_export_job_and_download(celery_worker, people, released) -> None:
    curator = api_client(people["curator"])
    response = curator.post(
        f"/api/v1/releases/{released.pk}/exports/", {"format": "samm_lv"}, format="json"
    )
    assert response.status_code == 202
    job = wait_for_job(response.json()["id"])
    assert job.state == "succeeded", job.error
    result = result_of(job)
    assert result["format"] == "samm_lv"
    head = curator.get(result["download"])
    assert head["Content-Type"] == "application/zip"
    content = download(curator, result["download"])
    assert hashlib.sha256(content).hexdigest() == result["sha256"]
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert "MANIFEST.json" in names
    assert curator.get(f"/api/v1/releases/{released.pk}/exports/casme2/").status_code == 404
    bad = curator.post(f"/api/v1/releases/{released.pk}/exports/", {"format": "x"}, format="json")
    assert bad.status_code == 400
    annotator = api_client(people["annotator"])
    assert annotator.get(result["download"]).status_code == 404


def second_project(people: dict[str, User]) -> Project:
    """An empty project with the same six videos (same names and subjects) and members."""
    other = Project.objects.create(name="Gamma", slug="gamma", created_by=people["owner"])
    Membership.objects.create(project=other, user=people["curator"], role=Role.CURATOR)
    for video in Video.objects.filter(project__slug="alpha").select_related("subject"):
        assert video.subject is not None
        subject, _ = Subject.objects.get_or_create(
            project=other, code=video.subject.code, defaults={"metadata": video.subject.metadata}
        )
        Video.objects.create(
            project=other, subject=subject, sha256=video.sha256, status=VideoStatus.READY,
            n_frames=video.n_frames, fps_num=30, fps_den=1, width=64, height=48,
            original_name=video.original_name,
        )  # fmt: skip
    return other


def consensus_rows(project: Project) -> list[tuple[Any, ...]]:
    version = ConsensusVersion.objects.filter(project=project).order_by("-number").first()
    assert version is not None
    return sorted(
        (s.video.original_name, s.onset, s.offset, s.type, s.emotion)
        for s in version.segments.select_related("video")
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "format_name", ["native", "sdfe_lv", "casme2", "casme3", "samm_lv", "megc", "activitynet"]
)
def test_import_of_each_format_reproduces_the_segments(people, released, format_name) -> None:
    export = release_export(release_id=released.pk, format_name=format_name, progress=_no_progress)
    files = {
        name: content
        for name, content in read_zip(export).items()
        if name not in ("MANIFEST.json", "README.txt")
    }
    other = second_project(people)
    for user in ANNOTATORS:
        Membership.objects.create(
            project=other, user=User.objects.get(username=user), role=Role.ANNOTATOR
        )
    response = api_client(people["curator"]).post(
        "/api/v1/projects/gamma/imports/",
        {"format": format_name, "file": [upload(n, c) for n, c in files.items()]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    expected = [
        (name, onset, offset, kind, emotion if format_name != "activitynet" else "")
        for name, onset, offset, kind, emotion in consensus_rows(Project.objects.get(slug="alpha"))
    ]
    got = consensus_rows(other)
    if format_name == "activitynet":
        got = [(n, a, b, t, "") for n, a, b, t, _ in got]
    assert got == expected


@pytest.mark.django_db
def test_native_round_trip_through_an_empty_project(people, released) -> None:
    export = release_export(release_id=released.pk, format_name="native", progress=_no_progress)
    original = json.loads(read_zip(export)["release.json"])
    other = second_project(people)
    for user in ANNOTATORS:
        Membership.objects.create(
            project=other, user=User.objects.get(username=user), role=Role.ANNOTATOR
        )
    path_content = read_zip(export)["release.json"]
    report = api_client(people["curator"]).post(
        "/api/v1/projects/gamma/imports/",
        {"format": "native", "file": upload("release.json", path_content)},
        format="multipart",
    )
    assert report.status_code == 201, report.content
    assert report.json()["pass_segments"] == 30
    again = api_client(people["curator"]).post(
        "/api/v1/projects/gamma/releases/",
        {"name": "v1", "split": {"kind": "kfold", "k": 3, "seed": 7}},
        format="json",
    )
    assert again.status_code == 201, again.content
    second = release_export(
        release_id=again.json()["id"], format_name="native", progress=_no_progress
    )
    copy = json.loads(read_zip(second)["release.json"])

    def comparable(document: dict[str, Any]) -> str:
        ids = {video["id"]: video["name"] for video in document["videos"]}
        for key in ("project_slug", "created_at"):
            document.pop(key, None)
        for video in document["videos"]:
            video["id"] = ids[video["id"]]
        for collection in ("consensus", "passes", "clips"):
            for item in document.get(collection, []):
                if item.get("video") is not None:
                    item["video"] = ids[item["video"]]
                for segment in item.get("segments", []):
                    segment["video"] = ids[segment["video"]]
        return json.dumps(document, sort_keys=True)

    assert comparable(copy) == comparable(original)


@pytest.mark.django_db
def test_malformed_import_names_row_and_column_and_imports_nothing(people, released) -> None:
    versions = ConsensusVersion.objects.count()
    curator = api_client(people["curator"])
    bad = b"subject,video,onset,offset,emotion\ns1,s1_clip0,12,40,happy\ns1,s1_clip0,1x,40,happy\n"
    response = curator.post(
        "/api/v1/projects/alpha/imports/",
        {"format": "megc", "file": upload("labels.csv", bad)},
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_import"
    assert body["fields"]["row"] == ["3"]
    assert body["fields"]["column"] == ["onset"]
    unknown = b"subject,video,onset,offset,emotion\ns1,nope,12,40,happy\n"
    response = curator.post(
        "/api/v1/projects/alpha/imports/",
        {"format": "megc", "file": upload("labels.csv", unknown)},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["fields"]["row"] == ["2"]
    assert ConsensusVersion.objects.count() == versions


@pytest.mark.django_db
def test_diff_between_releases(people, released) -> None:
    curator = api_client(people["curator"])
    video = Video.objects.get(original_name="s1_clip0.mp4")
    current = curator.get(f"/api/v1/videos/{video.pk}/consensus/").json()
    segments = [
        {key: s[key] for key in ("onset", "apex", "offset", "type", "emotion", "aus")}
        for s in current["segments"]
    ]
    segments[0]["emotion"] = "sad"  # changed
    del segments[1]  # removed
    segments.append({"onset": 500, "offset": 520, "type": "macro", "emotion": "", "aus": []})
    decided = curator.post(
        f"/api/v1/videos/{video.pk}/consensus/", {"base_version": 1, "segments": segments},
        format="json",
    )  # fmt: skip
    assert decided.status_code == 201, decided.content
    second = curator.post(
        "/api/v1/projects/alpha/releases/",
        {"name": "v2", "split": {"kind": "loso"}},
        format="json",
    )
    diff = curator.get(f"/api/v1/releases/{second.json()['id']}/diff/?against={released.pk}")
    body = diff.json()
    assert [(c["video"], c["fields"]) for c in body["changed"]] == [("s1_clip0", ["emotion"])]
    assert [(r["video"], r["onset"], r["offset"]) for r in body["removed"]] == [
        ("s1_clip0", 300, 312)
    ]
    assert [(a["video"], a["onset"], a["offset"]) for a in body["added"]] == [
        ("s1_clip0", 500, 520)
    ]
    assert body["unchanged"] == 10


@pytest.mark.django_db
def test_commands(people, project, tmp_path: Path, capsys) -> None:
    spotting_project(people, project)
    call_command("release", "--project", "alpha", "--name", "cmd", "--split", '{"kind": "loso"}')
    out = capsys.readouterr().out.splitlines()
    release = Release.objects.get(name="cmd")
    assert out[0].startswith(f"release {release.pk} 'cmd' of 'alpha': consensus v1, 6 videos")
    assert len(out) == 1 + 3  # one fold per subject
    target = tmp_path / "megc.zip"
    call_command(
        "export", "--release", str(release.pk), "--format", "megc", "--output", str(target)
    )
    assert zipfile.ZipFile(target).read("megc.csv").startswith(b"subject,video,onset")
    sheet = tmp_path / "labels.csv"
    sheet.write_bytes(b"subject,video,onset,offset,emotion\ns2,s2_clip1,11,21,sad\n")
    call_command("import_labels", "--project", "alpha", "--format", "megc", str(sheet))
    assert "imported 1 segments into consensus v2" in capsys.readouterr().out
    assert ConsensusSegment.objects.filter(version__number=2).values_list(
        "onset", "offset", "emotion"
    ).get() == (10, 20, "sad")
    with pytest.raises(CommandError, match="no project"):
        call_command("release", "--project", "nope", "--name", "x")
    with pytest.raises(CommandError, match="--split is not JSON"):
        call_command("release", "--project", "alpha", "--name", "x", "--split", "{")
    with pytest.raises(CommandError, match="no release 999"):
        call_command("export", "--release", "999", "--format", "megc")


def test_evaluate_command_and_api(tmp_path: Path, capsys, people) -> None:
    truth = tmp_path / "truth.csv"
    predicted = tmp_path / "predicted.csv"
    truth.write_text("subject,video,onset,offset,emotion\ns1,v1,10,20,happy\ns1,v1,50,53,\n")
    # One hit (IoU 10/12), one miss, one false positive.
    predicted.write_text("subject,video,onset,offset,emotion\ns1,v1,11,21,\ns1,v1,80,90,\n")
    call_command(
        "evaluate", "--format", "megc", "--ground-truth", str(truth),
        "--predictions", str(predicted), "--fps", "30",
    )  # fmt: skip
    scores = json.loads(capsys.readouterr().out)
    assert scores["overall"]["tp"] == 1
    assert scores["overall"]["fp"] == 1
    assert scores["overall"]["fn"] == 1
    assert scores["overall"]["f1"] == pytest.approx(0.5)
    assert scores["rule"].startswith("MEGC: inclusive-frame IoU >= 0.5")
    # 50-53 is 4 frames at 30 fps: micro; 10-20 is 11 frames (0.37 s): micro as well.
    assert scores["by_type"]["micro"]["tp"] == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,video,onset,offset,emotion\ns1,v1,x,20,\n")
    with pytest.raises(CommandError, match="line 2, column onset"):
        call_command(
            "evaluate", "--format", "megc", "--ground-truth", str(bad),
            "--predictions", str(predicted),
        )  # fmt: skip


@pytest.mark.django_db
def test_evaluate_api_classification(people) -> None:
    client = api_client(people["annotator"])
    truth = b"video_name,label\n1,1\n2,1\n3,2\n4,3\n"
    predicted = b"video_name,label\n1,1\n2,2\n3,2\n4,3\n"
    response = client.post(
        "/api/v1/evaluate/",
        {
            "format": "classification",
            "ground_truth": io.BytesIO(truth),
            "predictions": io.BytesIO(predicted),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    # Recall: class 1 1/2, class 2 1/1, class 3 1/1 -> UAR 5/6; WAR 3/4.
    assert body["uar"] == pytest.approx(5 / 6)
    assert body["war"] == pytest.approx(3 / 4)
    assert api_client(None).post("/api/v1/evaluate/", {}).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_clips_are_cut_frame_exactly_by_the_media_worker(
    celery_worker, people, project, tmp_path: Path
) -> None:
    uploaded = ingest(
        api_client(people["owner"]), factory.make_video(tmp_path, "h264_30", n_frames=90),
        timeout=90, subject="s1",
    )  # fmt: skip
    assert uploaded["job_state"] == "succeeded"
    release = release_of_one_video(
        people, project, Video.objects.get(pk=uploaded["id"]), [(20, 40)]
    )
    curator = api_client(people["curator"])
    job = curator.post(f"/api/v1/releases/{release['id']}/clips/", {"pad": 2}, format="json")
    assert job.status_code == 202
    done = wait_for_job(job.json()["id"], timeout=120)
    assert done.state == "succeeded", done.error
    content = download(curator, result_of(done)["download"])
    archive = zipfile.ZipFile(io.BytesIO(content))
    [clip_name] = [name for name in archive.namelist() if name.endswith(".mp4")]
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(archive.read(clip_name))
    with FrameReader(clip) as reader:
        codes = [factory.read_barcode(reader.frame(i)) for i in range(reader.n_frames)]
    assert codes == list(range(18, 43))
    listing = archive.read("clips.csv").decode().splitlines()
    assert listing[1].split(",")[2:4] == ["18", "42"]
