"""Proposals in assisted passes: who may read them, segment provenance, rejections, modes."""

from __future__ import annotations

from typing import Any

import pytest

from annotation.models import Assignment, PassMode, Segment, SegmentChange
from core.models import Membership, Project, Role
from inference.models import Proposal, SpotterModel
from tests.conftest import api_client, make_user
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db


def _video(project: Project, number: int) -> Video:
    return Video.objects.create(
        project=project, sha256=f"{number:064d}", status=VideoStatus.READY, n_frames=300,
        fps_num=30, fps_den=1, width=64, height=48, original_name=f"v{number}.mp4",
    )  # fmt: skip


@pytest.fixture
def setting(people: dict[str, Any], project: Project) -> dict[str, Any]:
    video, other = _video(project, 1), _video(project, 2)
    model = SpotterModel.objects.create(project=project, version=1, kind="baseline", name="b v1")
    helper = make_user("helper")
    Membership.objects.create(project=project, user=helper, role=Role.ANNOTATOR)
    proposals = [
        Proposal.objects.create(video=v, model=model, onset=a, offset=b, type=kind, score=score)
        for v, a, b, kind, score in (
            (video, 10, 40, "macro", 0.9),
            (video, 100, 110, "micro", 0.7),
            (other, 5, 9, "micro", 0.5),
        )
    ]
    blind = Assignment.objects.create(video=video, annotator=people["annotator"], pass_index=1)
    assisted = Assignment.objects.create(
        video=video, annotator=helper, pass_index=2, mode=PassMode.ASSISTED
    )
    return {
        "video": video,
        "other": other,
        "model": model,
        "helper": helper,
        "proposals": proposals,
        "blind": blind,
        "assisted": assisted,
    }


def test_proposals_for_curators_and_assisted_passes_only(people, setting) -> None:
    url = f"/api/v1/videos/{setting['video'].pk}/proposals/"
    first, second, _ = setting["proposals"]
    expected = [
        {"id": first.pk, "onset": 10, "offset": 40, "type": "macro", "score": 0.9,
         "model": setting["model"].pk, "model_name": "b v1"},
        {"id": second.pk, "onset": 100, "offset": 110, "type": "micro", "score": 0.7,
         "model": setting["model"].pk, "model_name": "b v1"},
    ]  # fmt: skip
    assert api_client(people["curator"]).get(url).json() == expected
    assert api_client(people["owner"]).get(url).json() == expected
    assert api_client(setting["helper"]).get(url).json() == expected
    blind = api_client(people["annotator"]).get(url)
    assert blind.status_code == 403
    assert blind.json()["detail"] == "Proposals are shown in assisted passes only."
    assert api_client(people["outsider"]).get(url).status_code == 404
    assert api_client(None).get(url).status_code in (401, 403)
    assert api_client(people["curator"]).get("/api/v1/videos/999999/proposals/").status_code == 404
    # An annotator of the project without a pass of this video does not learn of it either.
    loner = make_user("loner")
    Membership.objects.create(project=setting["video"].project, user=loner, role=Role.ANNOTATOR)
    assert api_client(loner).get(url).status_code == 404


def test_newest_model_unless_one_is_named(people, setting) -> None:
    newer = SpotterModel.objects.create(
        project=setting["video"].project, version=2, kind="trained", name="t v2"
    )
    fresh = Proposal.objects.create(
        video=setting["video"], model=newer, onset=12, offset=41, type="macro", score=0.95
    )
    client = api_client(people["curator"])
    url = f"/api/v1/videos/{setting['video'].pk}/proposals/"
    assert [p["id"] for p in client.get(url).json()] == [fresh.pk]
    named = client.get(url, {"model": setting["model"].pk}).json()
    assert [p["id"] for p in named] == [p.pk for p in setting["proposals"][:2]]
    assert client.get(url, {"model": "x"}).status_code == 400


def _put(client: Any, assignment: Assignment, body: dict[str, Any]) -> Any:
    return client.put(f"/api/v1/assignments/{assignment.pk}/segments/", body, format="json")


def test_provenance_is_derived_from_the_proposal(people, setting) -> None:
    first, second, _ = setting["proposals"]
    client = api_client(setting["helper"])
    segments = [
        {"client_id": "a", "onset": 10, "offset": 40, "type": "macro", "proposal": first.pk},
        {"client_id": "b", "onset": 100, "offset": 113, "type": "micro", "proposal": second.pk},
        {"client_id": "c", "onset": 200, "offset": 210, "type": "macro"},
    ]
    response = _put(client, setting["assisted"], {"revision": 0, "segments": segments})
    assert response.status_code == 200, response.json()
    body = client.get(f"/api/v1/assignments/{setting['assisted'].pk}/").json()
    assert [(s["client_id"], s["onset"], s["offset"], s["source"], s["proposal"])
            for s in body["segments"]] == [
        ("a", 10, 40, "accepted", first.pk),
        ("b", 100, 113, "edited", second.pk),
        ("c", 200, 210, "manual", None),
    ]  # fmt: skip
    created = SegmentChange.objects.get(assignment=setting["assisted"], client_id="a")
    assert created.after is not None
    assert created.after["source"] == "accepted"
    assert created.after["proposal"] == first.pk
    # Trimming an accepted segment makes it edited; the same proposal's frames make it accepted.
    segments[0] = {**segments[0], "onset": 12}
    segments[1] = {**segments[1], "offset": 110}
    assert (
        _put(client, setting["assisted"], {"revision": 1, "segments": segments}).status_code == 200
    )
    stored = {s.client_id: s.source for s in Segment.objects.filter(assignment=setting["assisted"])}
    assert stored == {"a": "edited", "b": "accepted", "c": "manual"}
    # Changing the type of an accepted proposal is an edit too.
    segments[1] = {**segments[1], "type": "macro"}
    assert (
        _put(client, setting["assisted"], {"revision": 2, "segments": segments}).status_code == 200
    )
    assert Segment.objects.get(assignment=setting["assisted"], client_id="b").source == "edited"


def test_rejections_are_kept_per_pass(people, setting) -> None:
    first, second, _ = setting["proposals"]
    client = api_client(setting["helper"])
    body = {"revision": 0, "segments": [], "rejected_proposals": [second.pk, first.pk, second.pk]}
    assert _put(client, setting["assisted"], body).status_code == 200
    read = client.get(f"/api/v1/assignments/{setting['assisted'].pk}/").json()
    assert read["rejected_proposals"] == sorted([first.pk, second.pk])
    # Omitting the list keeps it; an empty list clears it.
    assert _put(client, setting["assisted"], {"revision": 1, "segments": []}).status_code == 200
    assert Assignment.objects.get(pk=setting["assisted"].pk).rejected_proposals == sorted(
        [first.pk, second.pk]
    )
    cleared = {"revision": 2, "segments": [], "rejected_proposals": []}
    assert _put(client, setting["assisted"], cleared).status_code == 200
    assert Assignment.objects.get(pk=setting["assisted"].pk).rejected_proposals == []


def test_bad_proposal_references_are_400_and_change_nothing(people, setting) -> None:
    first, _, elsewhere = setting["proposals"]
    blind = api_client(people["annotator"])
    body = {
        "revision": 0,
        "segments": [
            {"client_id": "a", "onset": 10, "offset": 40, "type": "macro", "proposal": first.pk}
        ],
    }
    response = _put(blind, setting["blind"], body)
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "segments.0.proposal": ["Proposals are used in assisted passes only."]
    }
    rejected = _put(blind, setting["blind"], {"revision": 0, "segments": [],
                                              "rejected_proposals": [first.pk]})  # fmt: skip
    assert rejected.status_code == 400
    assert "rejected_proposals" in rejected.json()["fields"]
    assisted = api_client(setting["helper"])
    foreign = {
        "revision": 0,
        "segments": [
            {"client_id": "a", "onset": 5, "offset": 9, "type": "micro", "proposal": elsewhere.pk}
        ],
    }
    response = _put(assisted, setting["assisted"], foreign)
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "segments.0.proposal": [f"No proposal {elsewhere.pk} on this pass's video."]
    }
    for assignment in (setting["blind"], setting["assisted"]):
        assignment.refresh_from_db()
        assert assignment.revision == 0
        assert not assignment.segments.exists()
        assert assignment.rejected_proposals == []


def test_a_curator_sets_the_mode_before_work_starts(people, setting) -> None:
    url = f"/api/v1/assignments/{setting['blind'].pk}/"
    assert api_client(people["annotator"]).patch(url, {"mode": "assisted"}).status_code == 403
    response = api_client(people["curator"]).patch(url, {"mode": "assisted"}, format="json")
    assert response.status_code == 200
    assert response.json()["mode"] == "assisted"
    proposals = f"/api/v1/videos/{setting['video'].pk}/proposals/"
    assert api_client(people["annotator"]).get(proposals).status_code == 200
    body = {
        "revision": 0,
        "segments": [{"client_id": "a", "onset": 1, "offset": 2, "type": "micro"}],
    }
    assert _put(api_client(people["annotator"]), setting["blind"], body).status_code == 200
    again = api_client(people["curator"]).patch(url, {"mode": "blind"}, format="json")
    assert again.status_code == 409
    assert Assignment.objects.get(pk=setting["blind"].pk).mode == "assisted"
    bad = api_client(people["curator"]).patch(url, {"mode": "peeking"}, format="json")
    assert bad.status_code == 400


def test_dealing_assisted_passes(people, project) -> None:
    for number in range(2):
        _video(project, number)
    for name in ("a1", "a2"):
        Membership.objects.create(project=project, user=make_user(name), role=Role.ANNOTATOR)
    project.passes_per_item = 3
    project.save()
    response = api_client(people["curator"]).post(
        "/api/v1/projects/alpha/assignments/", {"mode": "assisted"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["created"] == 6
    assert set(Assignment.objects.values_list("mode", flat=True)) == {"assisted"}
