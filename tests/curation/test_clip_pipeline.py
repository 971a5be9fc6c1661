"""From a spotting release to a DFEW-layout export, with the real media worker: consensus
intervals cut into the clips of a clip project, voted on, released in five subject-independent
folds, exported as DFEW and scored (UAR, WAR)."""

from __future__ import annotations

import csv
import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from annotation.models import Assignment, PassStatus, Segment
from core.models import Membership, Project, Role
from curation.models import ClipOrigin, Release
from curation.services import consensus_build
from curation.services.releases import release_load
from tests import media_factory as factory
from tests.conftest import api_client, make_user, wait_for_job
from videos.media import FrameReader
from videos.models import Video, VideoStatus
from videos.storage import local_path

PAD = 2
#: Each source video's one expression: [onset, offset] and the annotators' emotion.
INTERVALS = [(10 + 3 * i, 24 + 2 * i) for i in range(6)]
#: The three votes on each clip (in pass order); the last clip stays ambiguous.
VOTES = [
    ("happy", "happy", "sad"),
    ("sad", "sad", "sad"),
    ("angry", "angry", "fear"),
    ("fear", "surprise", "fear"),
    ("disgust", "disgust", "neutral"),
    ("happy", "sad", "neutral"),
]


def wait_until_ready(project: Project, count: int, timeout: float = 180.0) -> list[Video]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        videos = list(Video.objects.filter(project=project).order_by("pk"))
        if len(videos) == count and all(v.status != VideoStatus.PROCESSING for v in videos):
            assert all(v.status == VideoStatus.READY for v in videos), [v.error for v in videos]
            return videos
        time.sleep(0.2)
    raise AssertionError(f"{count} videos of {project.slug} not ready after {timeout} s")


def download(client, url: str) -> dict[str, bytes]:
    response = client.get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return {name: archive.read(name) for name in archive.namelist()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.worker
def test_spotting_release_to_dfew_export(celery_worker, people, project, tmp_path: Path) -> None:
    owner, curator = api_client(people["owner"]), api_client(people["curator"])
    # A spotting project: six generated barcode videos of six subjects, one expression each.
    for number in range(6):
        folder = tmp_path / f"source{number}"
        folder.mkdir()
        made = factory.make_video(folder, "h264_30", n_frames=60 + number)
        with made.open("rb") as handle:
            response = owner.post(
                "/api/v1/projects/alpha/videos/",
                {"file": handle, "subject": f"s{number}", "source": "interview"},
                format="multipart",
            )
        assert response.status_code == 201, response.content
    sources = wait_until_ready(project, 6)
    annotators = [make_user(name) for name in ("a1", "a2", "a3")]
    for index, user in enumerate(annotators, start=1):
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        for video, (onset, offset) in zip(sources, INTERVALS, strict=True):
            assignment = Assignment.objects.create(
                video=video, annotator=user, pass_index=index, status=PassStatus.SUBMITTED
            )
            Segment.objects.create(
                assignment=assignment, client_id="e", onset=onset, offset=offset, type="macro"
            )
    consensus_build(project=project, by=people["curator"])
    spotting = curator.post(
        "/api/v1/projects/alpha/releases/", {"name": "spots", "split": {"kind": "loso"}},
        format="json",
    )  # fmt: skip
    assert spotting.status_code == 201, spotting.content

    # The clip project takes the release's six intervals as clips, padded by two frames.
    created = owner.post(
        "/api/v1/projects/",
        {"name": "Clips", "slug": "clips", "task_kind": "clip_classification",
         "passes_per_item": 3, "single_label_threshold": 1},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    clips_project = Project.objects.get(slug="clips")
    Membership.objects.create(project=clips_project, user=people["curator"], role=Role.CURATOR)
    url = "/api/v1/projects/clips/clips/"
    job = curator.post(url, {"release": spotting.json()["id"], "pad": PAD}, format="json")
    assert job.status_code == 202, job.content
    done = wait_for_job(job.json()["id"], timeout=120)
    assert done.state == "succeeded", done.error
    assert done.result is not None
    assert (done.result["created"], done.result["skipped"]) == (6, 0)
    clips = wait_until_ready(clips_project, 6)
    for clip, source, (onset, offset) in zip(clips, sources, INTERVALS, strict=True):
        origin = ClipOrigin.objects.get(clip=clip)
        assert (origin.source_video_id, origin.onset, origin.offset) == (source.pk, onset, offset)
        assert (origin.first_frame, origin.last_frame) == (onset - PAD, offset + PAD)
        assert clip.subject is not None
        assert source.subject is not None
        assert clip.subject.code == source.subject.code
        assert clip.source == "interview"
        assert clip.n_frames == offset - onset + 1 + 2 * PAD
        with FrameReader(local_path(clip.file.name)) as reader:
            codes = [factory.read_barcode(reader.frame(i)) for i in range(reader.n_frames)]
        assert codes == list(range(onset - PAD, offset + PAD + 1))
    # Running it again cuts nothing twice.
    again = curator.post(url, {"release": spotting.json()["id"], "pad": PAD}, format="json")
    redone = wait_for_job(again.json()["id"], timeout=60)
    assert redone.result is not None
    assert (redone.result["created"], redone.result["skipped"]) == (0, 6)
    assert Video.objects.filter(project=clips_project).count() == 6

    # Three voters per clip, dealt blind; then a release of the single-labelled clips.
    voters = {}
    for name in ("v1", "v2", "v3"):
        voters[name] = make_user(name)
        Membership.objects.create(project=clips_project, user=voters[name], role=Role.ANNOTATOR)
    assert (
        curator.post("/api/v1/projects/clips/assignments/", {}, format="json").json()["created"]
        == 18
    )
    clip_frames = {clip.pk: clip.n_frames or 0 for clip in clips}
    for clip, labels in zip(clips, VOTES, strict=True):
        for assignment, label in zip(
            Assignment.objects.filter(video=clip)
            .select_related("annotator")
            .order_by("pass_index"),
            labels,
            strict=True,
        ):
            response = api_client(voters[assignment.annotator.username]).put(
                f"/api/v1/assignments/{assignment.pk}/vote/",
                {"revision": 0, "label": label},
                format="json",
            )
            assert response.status_code == 200, response.content
    release = curator.post(
        "/api/v1/projects/clips/releases/",
        {"name": "dfew-v1", "split": {"kind": "kfold", "k": 5, "seed": 0}},
        format="json",
    )
    assert release.status_code == 201, release.content
    body = release.json()
    assert body["consensus_version"] is None
    assert body["counts"]["clips"] == 6
    assert body["counts"]["single_labelled"] == 5
    assert len(body["folds"]) == 5
    # release.json keeps every vote as its pass's whole-clip label.
    frozen = release_load(Release.objects.get(pk=body["id"]))
    assert sorted((p.video, p.pass_index, p.segments[0].emotion) for p in frozen.passes) == sorted(
        (clip.pk, index, label)
        for clip, labels in zip(clips, VOTES, strict=True)
        for index, label in enumerate(labels, start=1)
    )
    assert all(
        (p.segments[0].onset, p.segments[0].offset) == (0, clip_frames[p.video] - 1)
        for p in frozen.passes
    )
    export = curator.post(
        f"/api/v1/releases/{body['id']}/exports/", {"format": "dfew"}, format="json"
    )
    finished = wait_for_job(export.json()["id"], timeout=60)
    assert finished.state == "succeeded", finished.error
    assert finished.result is not None
    files = download(curator, finished.result["download"])

    # A clip is named after its source video and interval.
    names = [
        f"{Path(source.original_name).stem}_{a:06d}_{b:06d}"
        for source, (a, b) in zip(sources, INTERVALS, strict=True)
    ]
    assert [clip.original_name for clip in clips] == [f"{name}.mp4" for name in names]
    expected = {"happy": 1, "sad": 2, "angry": 4, "fear": 7, "disgust": 6}
    truth = dict(zip(names[:5], expected.values(), strict=True))
    tested: dict[str, int] = {}
    for k in range(1, 6):
        test_rows = list(csv.reader(io.StringIO(files[f"set_{k}/test.csv"].decode())))
        train_rows = list(csv.reader(io.StringIO(files[f"set_{k}/train.csv"].decode())))
        assert test_rows[0] == train_rows[0] == ["video_name", "label"]
        # Subject-independent: each fold tests one subject's one clip and trains on the rest.
        assert len(test_rows) == 2
        assert len(train_rows) == 5
        assert not {r[0] for r in test_rows[1:]} & {r[0] for r in train_rows[1:]}
        tested.update({name: int(label) for name, label in test_rows[1:]})
    assert tested == truth
    sheet = load_workbook(io.BytesIO(files["annotation.xlsx"])).worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "order", "1happy", "2sad", "3neutral", "4angry", "5surprise", "6disgust", "7fear", "label",
    ]  # fmt: skip
    assert rows[1] == [names[0], 2, 1, 0, 0, 0, 0, 0, 1]
    assert rows[6] == [names[5], 1, 1, 1, 0, 0, 0, 0, 0]  # ambiguous: label 0

    # Scores of a classifier's predictions on the five test sets: one of five wrong.
    predictions = dict(truth)
    predictions[names[0]] = 2  # a happy clip predicted sad
    as_csv = "video_name,label\n" + "".join(f"{n},{c}\n" for n, c in predictions.items())
    gt_csv = "video_name,label\n" + "".join(f"{n},{c}\n" for n, c in truth.items())
    scored = curator.post(
        "/api/v1/evaluate/",
        {"format": "classification", "ground_truth": io.BytesIO(gt_csv.encode()),
         "predictions": io.BytesIO(as_csv.encode())},
        format="multipart",
    )  # fmt: skip
    assert scored.status_code == 200, scored.content
    # Recall: happy 0/1, the other four classes 1/1 -> UAR 4/5; WAR 4/5.
    assert scored.json()["uar"] == pytest.approx(4 / 5)
    assert scored.json()["war"] == pytest.approx(4 / 5)
