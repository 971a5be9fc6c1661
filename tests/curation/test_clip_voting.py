"""Clip voting through the API: simulated annotators with known confusion matrices, Fleiss'
(1971) example through the platform's own path, validation of votes, and blindness."""

from __future__ import annotations

from collections import Counter
from typing import Any

import krippendorff
import numpy as np
import pytest
from django.contrib.auth.models import User
from scipy.stats import spearmanr

from annotation.models import Assignment, PassStatus, Vote
from core.label_schema import DFEW_EMOTIONS
from core.models import Membership, Project, Role
from tests.conftest import api_client, make_user
from tests.curation.test_kappa import FLEISS_1971
from videos.models import Subject, Video, VideoStatus

pytestmark = pytest.mark.django_db

DFEW = [name for name, _ in DFEW_EMOTIONS]


def clip_project(
    people: dict[str, User],
    *,
    slug: str,
    n_clips: int,
    annotators: list[str],
    passes: int,
    schema: dict[str, Any] | None = None,
) -> tuple[Project, list[Video], dict[str, User]]:
    """A clip project created through the API, with ``n_clips`` ready clips of four subjects
    and its passes dealt to ``annotators``."""
    owner = api_client(people["owner"])
    created = owner.post(
        "/api/v1/projects/",
        {
            "name": slug, "slug": slug, "task_kind": "clip_classification",
            "passes_per_item": passes, **({"label_schema": schema} if schema else {}),
        },
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    project = Project.objects.get(slug=slug)
    Membership.objects.create(project=project, user=people["curator"], role=Role.CURATOR)
    users = {}
    for name in annotators:
        users[name] = User.objects.filter(username=name).first() or make_user(name)
        Membership.objects.create(project=project, user=users[name], role=Role.ANNOTATOR)
    subjects = [Subject.objects.create(project=project, code=f"p{i}") for i in range(4)]
    clips = [
        Video.objects.create(
            project=project,
            subject=subjects[number % 4],
            original_name=f"{number + 1:05d}.mp4",
            sha256=f"{slug}-{number:06d}".ljust(64, "x"),
            status=VideoStatus.READY,
            n_frames=30,
            fps_num=25,
            fps_den=1,
        )
        for number in range(n_clips)
    ]
    dealt = api_client(people["curator"]).post(
        f"/api/v1/projects/{slug}/assignments/", {"seed": 3}, format="json"
    )
    assert dealt.status_code == 200, dealt.content
    assert dealt.json()["created"] == n_clips * passes
    return project, clips, users


def vote(user: User, assignment: Assignment, label: str, **extra: Any) -> Any:
    return api_client(user).put(
        f"/api/v1/assignments/{assignment.pk}/vote/",
        {"revision": assignment.revision, "label": label, **extra},
        format="json",
    )


def simulated_confusion(accuracy: float, n: int, rng: np.random.Generator) -> np.ndarray:
    """Rows: true class; each row puts ``accuracy`` on the diagonal, most of the rest on one
    neighbouring class (a systematic confusion) and the remainder spread evenly."""
    matrix = np.full((n, n), (1 - accuracy) * 0.4 / (n - 2))
    for true in range(n):
        matrix[true, true] = accuracy
        matrix[true, (true + 1 + rng.integers(0, n - 1)) % n] = 0.0
    matrix /= matrix.sum(axis=1, keepdims=True)
    return matrix


def test_simulated_annotators_give_exact_distributions_and_statistics(people) -> None:
    rng = np.random.default_rng(2020)
    names = [f"ann{i:02d}" for i in range(12)]
    _project, clips, users = clip_project(
        people, slug="dfew-sim", n_clips=60, annotators=names, passes=10
    )
    accuracy = {name: 0.45 + 0.04 * index for index, name in enumerate(names)}
    confusion = {name: simulated_confusion(accuracy[name], 7, rng) for name in names}
    truth = {clip.pk: int(rng.integers(0, 7)) for clip in clips}
    cast: dict[tuple[int, str], str] = {}
    for assignment in Assignment.objects.select_related("annotator").order_by("pk"):
        name = assignment.annotator.username
        if name == "ann11" and rng.random() < 0.1:
            label = "unusable"
        else:
            label = DFEW[int(rng.choice(7, p=confusion[name][truth[assignment.video_id]]))]
        response = vote(users[name], assignment, label)
        assert response.status_code == 200, response.content
        assert response.json() == {"revision": 1, "status": "submitted"}
        cast[(assignment.video_id, name)] = label
    assert Vote.objects.count() == len(cast) == 600
    assert not Assignment.objects.filter(status=PassStatus.OPEN).exists()

    body = api_client(people["curator"]).get("/api/v1/projects/dfew-sim/clip-agreement/").json()
    # Distributions equal the simulated votes, clip by clip.
    expected_counts = {
        clip.pk: Counter(label for (video, _), label in cast.items() if video == clip.pk)
        for clip in clips
    }
    for row in body["clips"]:
        counts = expected_counts[row["video"]]
        assert row["votes"] == {name: counts.get(name, 0) for name in DFEW}
        assert row["unusable"] == counts.get("unusable", 0)
        assert row["n_votes"] == 10
    # The single-label set is exactly the clips with more than 6 votes for one class.
    single = {
        clip: counts.most_common(1)[0][0]
        for clip, counts in expected_counts.items()
        if counts.most_common(1)[0][1] > 6 and counts.most_common(1)[0][0] != "unusable"
    }
    assert {row["video"]: row["label"] for row in body["clips"] if row["label"]} == single
    assert body["single_labelled"]["count"] == len(single) > 0
    assert {row["video"] for row in body["clips"] if row["status"] == "ambiguous"} == (
        {clip.pk for clip in clips} - set(single)
    )
    # Alpha and kappa against values computed here, independently of the platform's code.
    matrix = np.full((12, len(clips)), np.nan)
    column = {clip.pk: index for index, clip in enumerate(clips)}
    for (video, name), label in cast.items():
        if label != "unusable":
            matrix[names.index(name), column[video]] = DFEW.index(label)
    assert body["alpha"]["value"] == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"), abs=1e-9
    )
    table = np.array([[expected_counts[clip.pk].get(name, 0) for name in DFEW] for clip in clips])
    complete = table[table.sum(axis=1) == 10]
    p_j = complete.sum(axis=0) / complete.sum()
    p_bar = (((complete**2).sum(axis=1) - 10) / 90).mean()
    kappa = (p_bar - (p_j**2).sum()) / (1 - (p_j**2).sum())
    assert body["kappa"]["n_clips"] == len(complete)
    assert body["kappa"]["value"] == pytest.approx(kappa, abs=1e-9)
    # Per annotator: the confusion against the others' majority, counted here clip by clip.
    for report in body["annotators"]:
        name = report["annotator"]
        mine = np.zeros((7, 7), dtype=int)
        ties = 0
        for clip in clips:
            own = cast.get((clip.pk, name))
            if own is None or own == "unusable":
                continue
            others = Counter(
                other for (video, who), other in cast.items()
                if video == clip.pk and who != name and other != "unusable"
            )  # fmt: skip
            ranked = others.most_common()
            if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
                ties += 1
                continue
            mine[DFEW.index(ranked[0][0]), DFEW.index(own)] += 1
        assert report["confusion"] == mine.tolist()
        assert report["n_ties"] == ties
        rest = np.delete(matrix, names.index(name), axis=0)
        assert report["alpha_without"]["value"] == pytest.approx(
            krippendorff.alpha(reliability_data=rest, level_of_measurement="nominal"), abs=1e-9
        )
    # The simulated accuracy shows: agreement with the others rises with it.
    measured = [
        next(r["agreement"] for r in body["annotators"] if r["annotator"] == n) for n in names
    ]
    assert spearmanr([accuracy[n] for n in names], measured).statistic > 0.7
    # A clip's detail page for the curator carries its votes and whether it is single-labelled.
    clip = clips[0]
    detail = api_client(people["curator"]).get(f"/api/v1/videos/{clip.pk}/").json()
    assert detail["votes"] == {name: expected_counts[clip.pk].get(name, 0) for name in DFEW}
    assert detail["single_label"] is (clip.pk in single)
    assert detail.get("label") == single.get(clip.pk)


def test_fleiss_1971_through_the_platform(people) -> None:
    """Fleiss (1971): 30 patients, 6 psychiatrists each, 5 diagnoses; kappa = 0.430."""
    classes = ["depression", "personality", "schizophrenia", "neurosis", "other"]
    schema = {
        "emotions": [{"name": name, "code": code} for code, name in enumerate(classes, start=1)]
    }
    names = [f"psy{i}" for i in range(6)]
    _project, clips, users = clip_project(
        people, slug="fleiss", n_clips=30, annotators=names, passes=6, schema=schema
    )
    for clip, row in zip(clips, FLEISS_1971, strict=True):
        labels = [classes[j] for j, count in enumerate(row) for _ in range(count)]
        passes = Assignment.objects.filter(video=clip).select_related("annotator")
        for assignment, label in zip(passes.order_by("pass_index"), labels, strict=True):
            assert vote(users[assignment.annotator.username], assignment, label).status_code == 200
    body = api_client(people["curator"]).get("/api/v1/projects/fleiss/clip-agreement/").json()
    assert body["kappa"]["n_clips"] == 30
    assert body["kappa"]["n_raters"] == 6
    assert body["kappa"]["value"] == pytest.approx(0.4302445, abs=5e-7)
    assert round(body["kappa"]["value"], 3) == 0.430


def test_votes_are_validated_locked_and_revisioned(people) -> None:
    _project, clips, users = clip_project(
        people, slug="checks", n_clips=2, annotators=["v1", "v2"], passes=2
    )
    mine = Assignment.objects.get(video=clips[0], annotator=users["v1"])
    client = api_client(users["v1"])
    url = f"/api/v1/assignments/{mine.pk}/vote/"
    bad = client.put(url, {"revision": 0, "label": "joy"}, format="json")
    assert bad.status_code == 400
    assert "'joy' is not a class of this project" in bad.json()["fields"]["label"][0]
    too_strong = client.put(url, {"revision": 0, "label": "sad", "intensity": 6}, format="json")
    assert too_strong.status_code == 400
    # A draft (submit false) can be changed; a stale revision is a 409 and changes nothing.
    draft = client.put(url, {"revision": 0, "label": "sad", "submit": False}, format="json")
    assert draft.json() == {"revision": 1, "status": "open"}
    stale = client.put(url, {"revision": 0, "label": "fear"}, format="json")
    assert stale.status_code == 409
    assert Vote.objects.get(assignment=mine).label == "sad"
    final = client.put(
        url,
        {"revision": 1, "label": "happy", "intensity": 4,
         "caption": {"emotion": " A broad smile. ", "actions": "Cheeks raised, lips pulled."}},
        format="json",
    )  # fmt: skip
    assert final.json() == {"revision": 2, "status": "submitted"}
    stored = Vote.objects.get(assignment=mine)
    assert (stored.label, stored.intensity) == ("happy", 4)
    assert stored.caption == {"emotion": "A broad smile.", "actions": "Cheeks raised, lips pulled."}
    # Locked once cast: another vote is a 409 until a curator reopens the pass.
    locked = client.put(url, {"revision": 2, "label": "sad"}, format="json")
    assert locked.status_code == 409
    assert locked.json()["code"] == "pass_submitted"
    read = client.get(f"/api/v1/assignments/{mine.pk}/").json()
    assert read["task_kind"] == "clip_classification"
    assert read["vote"]["label"] == "happy"
    assert read["vote"]["intensity"] == 4
    # A clip pass takes no segments, and is not submitted without a vote.
    other = Assignment.objects.get(video=clips[1], annotator=users["v1"])
    segments = client.put(
        f"/api/v1/assignments/{other.pk}/segments/",
        {"revision": 0, "segments": [{"client_id": "a", "onset": 0, "offset": 3, "type": "macro"}]},
        format="json",
    )
    assert segments.status_code == 400
    assert segments.json()["code"] == "wrong_task_kind"
    submit = client.post(f"/api/v1/assignments/{other.pk}/submit/")
    assert submit.status_code == 400
    assert submit.json()["code"] == "no_vote"
    # "unusable" is a vote, never a class name.
    reserved = api_client(people["owner"]).post(
        "/api/v1/projects/",
        {"name": "x", "slug": "x", "task_kind": "clip_classification",
         "label_schema": {"emotions": [{"name": "unusable", "code": 1}]}},
        format="json",
    )  # fmt: skip
    assert reserved.status_code == 400
    assert "reserved" in reserved.json()["fields"]["label_schema.emotions.0.name"][0]


def test_spotting_passes_take_no_votes(people, project) -> None:
    Membership.objects.filter(project=project, user=people["annotator"]).delete()
    Membership.objects.create(project=project, user=people["annotator"], role=Role.ANNOTATOR)
    video = Video.objects.create(
        project=project, sha256="s" * 64, status=VideoStatus.READY, n_frames=30, fps_num=25,
        fps_den=1,
    )  # fmt: skip
    assignment = Assignment.objects.create(video=video, annotator=people["annotator"], pass_index=1)
    response = vote(people["annotator"], assignment, "happy")
    assert response.status_code == 400
    assert response.json()["code"] == "wrong_task_kind"


def test_no_annotator_sees_another_vote_or_the_distribution(people) -> None:
    _project, clips, users = clip_project(
        people, slug="blind", n_clips=2, annotators=["b1", "b2", "b3"], passes=3
    )
    for assignment in Assignment.objects.select_related("annotator"):
        assert vote(users[assignment.annotator.username], assignment, "fear").status_code == 200
    b1 = api_client(users["b1"])
    clip = clips[0]
    theirs = Assignment.objects.get(video=clip, annotator=users["b2"])
    # Another annotator's pass of the same clip: not found, to read and to vote.
    assert b1.get(f"/api/v1/assignments/{theirs.pk}/").status_code == 404
    assert b1.get(f"/api/v1/assignments/{theirs.pk}/history/").status_code == 404
    stolen = b1.put(
        f"/api/v1/assignments/{theirs.pk}/vote/", {"revision": 1, "label": "sad"}, format="json"
    )
    assert stolen.status_code == 404
    # The clip's detail has no votes, the statistics and pass lists do not exist for them.
    detail = b1.get(f"/api/v1/videos/{clip.pk}/")
    assert detail.status_code == 200
    assert not {"votes", "unusable", "single_label", "label"} & set(detail.json())
    for url in (
        "/api/v1/projects/blind/clip-agreement/",
        "/api/v1/projects/blind/assignments/",
        f"/api/v1/projects/blind/assignments/?video={clip.pk}",
        f"/api/v1/videos/{clip.pk}/passes/",
        f"/api/v1/videos/{clip.pk}/agreement/",
        "/api/v1/projects/blind/agreement/",
        "/api/v1/projects/blind/releases/",
    ):
        assert b1.get(url).status_code == 404, url
    # Their own queue holds their own votes only.
    rows = b1.get("/api/v1/me/assignments/").json()
    assert {row["annotator"] for row in rows} == {"b1"}
    assert [row["vote_label"] for row in rows] == ["fear", "fear"]
    assert all(row["task_kind"] == "clip_classification" for row in rows)
    # Outsiders see nothing at all; curators see everything.
    outsider = api_client(people["outsider"])
    assert outsider.get(f"/api/v1/videos/{clip.pk}/").status_code == 404
    assert outsider.get("/api/v1/projects/blind/clip-agreement/").status_code == 404
    curator = api_client(people["curator"])
    assert curator.get(f"/api/v1/assignments/{theirs.pk}/").json()["vote"]["label"] == "fear"
    assert curator.get(f"/api/v1/videos/{clip.pk}/").json()["votes"]["fear"] == 3
