"""Passes through the API: dealing, segments with revisions, validation, submit and reopen,
the audit trail, time on task, and blindness between passes."""

from __future__ import annotations

import pytest

from annotation.models import Assignment, Segment, SegmentChange
from core.models import Membership, Role
from tests.conftest import api_client, make_user
from videos.models import Video, VideoStatus

pytestmark = pytest.mark.django_db


def ready_video(project, name: str, n_frames: int = 100) -> Video:
    return Video.objects.create(
        project=project,
        original_name=name,
        sha256=name.ljust(64, "0"),
        status=VideoStatus.READY,
        n_frames=n_frames,
        fps_num=30,
        fps_den=1,
    )


@pytest.fixture
def dealt(people, project):
    """Project alpha with two annotators, two passes per video, two ready videos, dealt."""
    second = make_user("annotator2")
    Membership.objects.create(project=project, user=second, role=Role.ANNOTATOR)
    project.passes_per_item = 2
    project.save()
    videos = [ready_video(project, "a.mp4"), ready_video(project, "b.mp4")]
    response = api_client(people["curator"]).post("/api/v1/projects/alpha/assignments/", {})
    assert response.status_code == 200, response.content
    people["annotator2"] = second
    return videos, response.json()


def own_pass(user, video) -> Assignment:
    return Assignment.objects.get(annotator=user, video=video)


def segment(client_id="s1", onset=10, offset=20, **extra):
    return {"client_id": client_id, "onset": onset, "offset": offset, "type": "macro", **extra}


def test_dealing_gives_every_video_its_passes_once(people, dealt) -> None:
    videos, report = dealt
    assert report["created"] == 4
    assert report["load"] == {"annotator": 2, "annotator2": 2}
    assert report["cooccurrence"]["min"] == report["cooccurrence"]["max"] == 2
    for video in videos:
        passes = Assignment.objects.filter(video=video)
        assert sorted(passes.values_list("annotator__username", flat=True)) == [
            "annotator",
            "annotator2",
        ]
        assert sorted(passes.values_list("pass_index", flat=True)) == [1, 2]
    again = api_client(people["owner"]).post("/api/v1/projects/alpha/assignments/", {})
    assert again.json()["created"] == 0
    assert Assignment.objects.count() == 4
    # Annotators cannot deal, and the endpoint does not exist for them.
    assert (
        api_client(people["annotator"]).post("/api/v1/projects/alpha/assignments/", {}).status_code
        == 404
    )


def test_segments_round_trip_with_revisions_and_audit(people, dealt) -> None:
    videos, _ = dealt
    mine = own_pass(people["annotator"], videos[0])
    client = api_client(people["annotator"])
    url = f"/api/v1/assignments/{mine.pk}/segments/"
    first = client.put(
        url, {"revision": 0, "segments": [segment(apex=15, emotion="happy", aus=["AU12", "AU6"])]}
    )
    assert first.status_code == 200, first.content
    assert first.json() == {"revision": 1}
    body = client.get(f"/api/v1/assignments/{mine.pk}/").json()
    assert body["revision"] == 1
    assert body["segments"] == [
        {
            "client_id": "s1",
            "onset": 10,
            "apex": 15,
            "offset": 20,
            "type": "macro",
            "emotion": "happy",
            "aus": ["AU12", "AU6"],
            "note": "",
            "proposal": None,
            "source": "manual",
        }
    ]
    # A stale revision is refused and nothing is overwritten.
    stale = client.put(url, {"revision": 0, "segments": []})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale_revision"
    assert Segment.objects.filter(assignment=mine).count() == 1
    second = client.put(
        url, {"revision": 1, "segments": [segment(onset=11), segment("s2", 40, 42, type="micro")]}
    )
    assert second.json() == {"revision": 2}
    third = client.put(url, {"revision": 2, "segments": [segment("s2", 40, 42, type="micro")]})
    assert third.json() == {"revision": 3}
    history = client.get(f"/api/v1/assignments/{mine.pk}/history/").json()["changes"]
    assert [(c["client_id"], c["action"], c["revision"], c["by"]) for c in history] == [
        ("s1", "created", 1, "annotator"),
        ("s1", "updated", 2, "annotator"),
        ("s2", "created", 2, "annotator"),
        ("s1", "deleted", 3, "annotator"),
    ]
    assert history[1]["before"]["onset"] == 10
    assert history[1]["after"]["onset"] == 11
    assert history[1]["after"]["apex"] is None


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        (segment(onset=95, offset=100), "segments.0.offset", "past the video's last frame (99)"),
        (segment(onset=30, offset=20), "segments.0.offset", "before the onset"),
        (segment(apex=25), "segments.0.apex", "must lie in [10, 20]"),
        (segment(type="giant"), "segments.0.type", "'giant' is not one of macro, micro"),
        (segment(emotion="bored"), "segments.0.emotion", "not an emotion"),
        (segment(aus=["AU99"]), "segments.0.aus", "not an action unit"),
        (segment(onset=-1), "segments.0.onset", "greater than or equal to 0"),
    ],
)
def test_validation_names_the_field_and_writes_nothing(people, dealt, bad, field, message) -> None:
    videos, _ = dealt
    mine = own_pass(people["annotator"], videos[0])
    response = api_client(people["annotator"]).put(
        f"/api/v1/assignments/{mine.pk}/segments/", {"revision": 0, "segments": [bad]}
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert field in fields, fields
    assert message in fields[field][0]
    mine.refresh_from_db()
    assert mine.revision == 0
    assert not Segment.objects.exists()


def test_submit_locks_and_curator_reopens_with_reason(people, dealt) -> None:
    videos, _ = dealt
    mine = own_pass(people["annotator"], videos[0])
    client = api_client(people["annotator"])
    client.put(f"/api/v1/assignments/{mine.pk}/segments/", {"revision": 0, "segments": [segment()]})
    submitted = client.post(f"/api/v1/assignments/{mine.pk}/submit/")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    locked = client.put(f"/api/v1/assignments/{mine.pk}/segments/", {"revision": 1, "segments": []})
    assert locked.status_code == 409
    assert locked.json()["code"] == "pass_submitted"
    assert Segment.objects.filter(assignment=mine).count() == 1
    assert client.post(f"/api/v1/assignments/{mine.pk}/reopen/", {"reason": "x"}).status_code == 403
    curator = api_client(people["curator"])
    assert (
        curator.post(f"/api/v1/assignments/{mine.pk}/reopen/", {"reason": " "}).status_code == 400
    )
    reopened = curator.post(f"/api/v1/assignments/{mine.pk}/reopen/", {"reason": "Offsets late"})
    assert reopened.json()["status"] == "open"
    assert reopened.json()["reopened_reason"] == "Offsets late"
    assert client.put(
        f"/api/v1/assignments/{mine.pk}/segments/", {"revision": 1, "segments": []}
    ).json() == {"revision": 2}
    events = client.get(f"/api/v1/assignments/{mine.pk}/history/").json()["events"]
    assert [(e["kind"], e["by"], e["reason"]) for e in events] == [
        ("submitted", "annotator", ""),
        ("reopened", "curator", "Offsets late"),
    ]


def test_time_on_task_accumulates_and_is_capped(people, dealt) -> None:
    videos, _ = dealt
    mine = own_pass(people["annotator"], videos[0])
    client = api_client(people["annotator"])
    assert client.post(f"/api/v1/assignments/{mine.pk}/activity/", {"seconds": 30}).json() == {
        "time_spent_s": 30.0
    }
    assert client.post(f"/api/v1/assignments/{mine.pk}/activity/", {"seconds": 9999}).json() == {
        "time_spent_s": 150.0
    }
    other = api_client(people["curator"]).post(
        f"/api/v1/assignments/{mine.pk}/activity/", {"seconds": 5}
    )
    assert other.status_code == 403


def test_blindness_matrix(people, dealt) -> None:
    """Another annotator's pass of the same video is not found, through every endpoint."""
    videos, _ = dealt
    theirs = own_pass(people["annotator2"], videos[0])
    api_client(people["annotator2"]).put(
        f"/api/v1/assignments/{theirs.pk}/segments/", {"revision": 0, "segments": [segment()]}
    )
    me = api_client(people["annotator"])
    base = f"/api/v1/assignments/{theirs.pk}"
    for method, path, body in [
        ("get", f"{base}/", None),
        ("put", f"{base}/segments/", {"revision": 1, "segments": []}),
        ("post", f"{base}/submit/", None),
        ("post", f"{base}/reopen/", {"reason": "x"}),
        ("post", f"{base}/activity/", {"seconds": 1}),
        ("get", f"{base}/history/", None),
        ("get", "/api/v1/projects/alpha/assignments/", None),
        ("get", f"/api/v1/projects/alpha/assignments/?video={videos[0].pk}", None),
        ("get", "/api/v1/projects/alpha/assignments/?annotator=annotator2", None),
    ]:
        response = getattr(me, method)(path, body, format="json")
        assert response.status_code == 404, (method, path, response.status_code)
        assert b"annotator2" not in response.content
    mine = me.get("/api/v1/me/assignments/").json()
    assert {p["annotator"] for p in mine} == {"annotator"}
    assert len(mine) == 2
    assert Segment.objects.get(assignment=theirs).onset == 10  # untouched
    # Outsiders see nothing; curators see every pass.
    assert api_client(people["outsider"]).get(f"{base}/").status_code == 404
    everything = api_client(people["curator"]).get("/api/v1/projects/alpha/assignments/").json()
    assert len(everything) == 4
    filtered = (
        api_client(people["curator"])
        .get(f"/api/v1/projects/alpha/assignments/?annotator=annotator2&video={videos[0].pk}")
        .json()
    )
    assert [(p["annotator"], p["segment_count"]) for p in filtered] == [("annotator2", 1)]


def test_removing_an_annotator_redeals_their_open_passes(people, dealt) -> None:
    videos, _ = dealt
    third = make_user("annotator3")
    Membership.objects.create(project=dealt[0][0].project, user=third, role=Role.ANNOTATOR)
    owner = api_client(people["owner"])
    assert owner.delete("/api/v1/projects/alpha/members/annotator2/").status_code == 204
    assert not Assignment.objects.filter(annotator__username="annotator2").exists()
    for video in videos:
        assert sorted(
            Assignment.objects.filter(video=video).values_list("annotator__username", flat=True)
        ) == ["annotator", "annotator3"]
    # A curator cannot remove members.
    assert (
        api_client(people["curator"])
        .delete("/api/v1/projects/alpha/members/annotator3/")
        .status_code
        == 403
    )
    assert SegmentChange.objects.count() == 0


def test_assign_command_deals_and_reports(people, project, capsys) -> None:
    from django.core.management import CommandError, call_command

    for index in range(2, 5):
        Membership.objects.create(
            project=project, user=make_user(f"annotator{index}"), role=Role.ANNOTATOR
        )
    project.passes_per_item = 3
    project.save()
    videos = [ready_video(project, f"v{index}.mp4") for index in range(8)]
    call_command("assign", "--project", "alpha")
    out = capsys.readouterr().out
    assert "24 new passes dealt in 'alpha'." in out
    assert "load: annotator 6, annotator2 6, annotator3 6, annotator4 6" in out
    for video in videos:
        assert Assignment.objects.filter(video=video).values("annotator").distinct().count() == 3
    call_command("assign", "--project", "alpha")
    assert "0 new passes dealt" in capsys.readouterr().out
    with pytest.raises(CommandError, match="'annotator' is not an owner or curator"):
        call_command("assign", "--project", "alpha", "--as", "annotator")
    with pytest.raises(CommandError, match="Not annotators of this project: ghost"):
        call_command("assign", "--project", "alpha", "--annotators", "ghost")


def test_nul_characters_in_paths_and_queries_are_refused_not_crashed(people, dealt) -> None:
    """Found by the fuzzer: PostgreSQL text cannot hold NUL, so a filter with one was a 500."""
    curator = api_client(people["curator"])
    query = curator.get("/api/v1/projects/alpha/assignments/", {"status": "open\x00"})
    assert query.status_code == 400
    assert query.json()["code"] == "null_character"
    path = curator.get("/api/v1/projects/alpha/members/anno%00tator/")
    assert path.status_code == 404
    assert path.json()["code"] == "not_found"
    assert curator.get("/api/v1/projects/alpha/assignments/", {"status": "open"}).status_code == 200
