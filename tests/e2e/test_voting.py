"""Clip voting (the DFEW protocol) in the browser: an annotator votes on ten clips with the
keyboard alone (classes, unusable, an intensity, a caption, a look back at a locked vote) and the
database holds exactly those ten votes, every pass submitted; a curator then sees the votes'
agreement on the dashboard, and an annotator of the same project gets no statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from annotation.models import Assignment, PassStatus, Vote
from core.models import Membership, Project, Role, TaskKind
from tests.conftest import ARTIFACTS, api_client, make_user
from tests.e2e.test_annotator import eventually
from tests.e2e.test_videos import log_in
from tests.media_factory import make_video
from videos.models import Subject, Video, VideoStatus
from videos.storage import save_file

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

N_CLIPS = 10
CLIP_FRAMES = 30  # one second at 30 fps
EMOTION_CAPTION = "A faint smile that fades."
ACTIONS_CAPTION = "Lip corners pulled up (AU12), cheeks raised (AU6)."


def clip_project(project: Project, *, passes_per_item: int, threshold: int) -> Project:
    """Project alpha turned into a clip-classification project with the DFEW classes."""
    project.task_kind = TaskKind.CLIP_CLASSIFICATION
    project.passes_per_item = passes_per_item
    project.single_label_threshold = threshold
    project.label_schema = {"emotion_preset": "dfew"}
    project.save()
    return project


def ready_clips(project: Project, tmp_path: Path, count: int) -> list[Video]:
    """`count` ready one-second clips, stored as an ingest stores them (the proxy included, for
    the browser to play), without the worker: the ingest is not what these tests are about."""
    source = make_video(tmp_path, "h264_30", n_frames=CLIP_FRAMES)
    subject, _ = Subject.objects.get_or_create(project=project, code="s01")
    clips = []
    for number in range(count):
        video = Video.objects.create(
            project=project, subject=subject, sha256=f"{number + 1:064d}", status=VideoStatus.READY,
            original_name=f"clip-{number + 1:02d}.mp4", n_frames=CLIP_FRAMES, fps_num=30,
            fps_den=1, width=160, height=120, proxy_width=160, proxy_height=120, duration_s=1.0,
            codec="h264",
        )  # fmt: skip
        video.file.name = save_file(video.storage_name("original", ".mp4"), source)
        video.proxy.name = save_file(video.storage_name("proxy", ".mp4"), source)
        video.save(update_fields=["file", "proxy"])
        clips.append(video)
    return clips


def deal(clips: list[Video], annotators: list[User]) -> list[Assignment]:
    """One pass of every clip per annotator, in clip order (the order of a voting session)."""
    return [
        Assignment.objects.create(video=clip, annotator=annotator, pass_index=index)
        for clip in clips
        for index, annotator in enumerate(annotators, start=1)
    ]


def votes_of(annotator: User) -> list[tuple[Any, ...]]:
    return list(
        Vote.objects.filter(assignment__annotator=annotator)
        .order_by("assignment_id")
        .values_list("assignment__video_id", "label", "intensity", "caption")
    )


def test_annotator_votes_on_ten_clips_with_the_keyboard(
    live_server: Any,
    browser: Browser,
    page: Page,
    people: dict[str, User],
    project: Project,
    tmp_path: Path,
) -> None:
    clip_project(project, passes_per_item=1, threshold=0)
    clips = ready_clips(project, tmp_path, N_CLIPS)
    passes = deal(clips, [people["annotator"]])
    ARTIFACTS.mkdir(exist_ok=True)

    # The queue offers one link to the session, not ten passes.
    log_in(page, live_server.url, "annotator")
    page.get_by_test_id("header-queue").click()
    expect(page.get_by_test_id("queue-vote-project")).to_have_count(1)
    expect(page.get_by_test_id("queue-item")).to_have_count(0)
    page.get_by_test_id("queue-vote-link").click()
    page.wait_for_url("**/projects/alpha/vote")

    position = page.get_by_test_id("vote-position")
    progress = page.get_by_test_id("vote-progress")
    video = page.get_by_test_id("vote-video")
    expect(position).to_have_text(f"Clip 1 of {N_CLIPS}")
    expect(progress).to_have_text(f"0 of {N_CLIPS} voted")
    expect(page.get_by_test_id("vote-class")).to_have_count(7)
    # The clip plays, muted, in a loop.
    expect(video).to_have_attribute("src", f"/api/v1/videos/{clips[0].pk}/proxy/")
    page.wait_for_function(
        """() => { const v = document.querySelector('[data-testid="vote-video"]');
                   return v && v.muted && v.loop && v.readyState >= 2 && !v.paused; }"""
    )

    def on_clip(number: int) -> None:
        expect(position).to_have_text(f"Clip {number} of {N_CLIPS}")
        expect(video).to_have_attribute("src", f"/api/v1/videos/{clips[number - 1].pk}/proxy/")

    keyboard = page.keyboard
    keyboard.press("1")  # 1: happy
    on_clip(2)
    keyboard.press("r")  # a replay votes nothing
    keyboard.press("2")  # 2: sad
    on_clip(3)
    keyboard.press("u")  # 3: unusable
    on_clip(4)
    for _ in range(3):
        keyboard.press("]")
    expect(page.get_by_test_id("vote-intensity")).to_have_text("3 / 5")
    keyboard.press("4")  # 4: angry, intensity 3
    on_clip(5)
    expect(page.get_by_test_id("vote-intensity")).to_have_text("—")
    keyboard.press("5")  # 5: surprise
    on_clip(6)

    # 6: a caption first (digits typed in it are text, not votes), then disgust.
    keyboard.press("c")
    emotion = page.get_by_test_id("vote-caption-emotion")
    expect(emotion).to_be_focused()
    keyboard.type(EMOTION_CAPTION)
    keyboard.press("Tab")
    expect(page.get_by_test_id("vote-caption-actions")).to_be_focused()
    keyboard.type(ACTIONS_CAPTION)
    expect(position).to_have_text(f"Clip 6 of {N_CLIPS}")
    page.screenshot(path=str(ARTIFACTS / "voting-session.png"), full_page=True)
    keyboard.press("Enter")
    expect(page.get_by_test_id("vote-caption-kept")).to_contain_text(EMOTION_CAPTION)
    keyboard.press("6")
    on_clip(7)

    keyboard.press("7")  # 7: fear
    on_clip(8)
    keyboard.press("3")  # 8: neutral
    on_clip(9)
    keyboard.press("1")  # 9: happy
    on_clip(10)

    # Back to clip 9: its vote is shown, locked; a key does not change it.
    keyboard.press("Backspace")
    on_clip(9)
    locked = page.get_by_test_id("vote-locked")
    expect(locked).to_have_attribute("data-label", "happy")
    expect(locked).to_contain_text("locked")
    keyboard.press("5")
    on_clip(9)
    expect(locked).to_have_attribute("data-label", "happy")
    keyboard.press("ArrowRight")
    on_clip(10)
    keyboard.press("2")  # 10: sad

    empty = page.get_by_test_id("vote-empty")
    expect(empty).to_contain_text("No clips left to vote on in this project")
    expect(page.get_by_test_id("vote-saving")).to_have_count(0)
    expect(progress).to_have_text(f"{N_CLIPS} of {N_CLIPS} voted")
    expect(page.get_by_test_id("vote-error")).to_have_count(0)
    page.screenshot(path=str(ARTIFACTS / "voting-done.png"), full_page=True)

    caption = {"emotion": EMOTION_CAPTION, "actions": ACTIONS_CAPTION}
    expected = [
        ("happy", None, None),
        ("sad", None, None),
        ("unusable", None, None),
        ("angry", 3, None),
        ("surprise", None, None),
        ("disgust", None, caption),
        ("fear", None, None),
        ("neutral", None, None),
        ("happy", None, None),
        ("sad", None, None),
    ]
    want = [(clip.pk, *vote) for clip, vote in zip(clips, expected, strict=True)]
    eventually(lambda: len(votes_of(people["annotator"])) == N_CLIPS)
    assert votes_of(people["annotator"]) == want
    assert Vote.objects.count() == N_CLIPS
    submitted = Assignment.objects.filter(pk__in=[p.pk for p in passes]).order_by("pk")
    assert [(p.status, p.submitted_at is not None) for p in submitted] == [
        (PassStatus.SUBMITTED, True)
    ] * N_CLIPS

    # A reload starts no new session: nothing is left to vote on.
    page.reload()
    expect(page.get_by_test_id("vote-empty")).to_be_visible()
    expect(progress).to_have_text(f"{N_CLIPS} of {N_CLIPS} voted")

    # The curator's dashboard: every clip with one vote is single-labelled (threshold 0), but
    # the unusable one; alpha is undefined with one annotator, and says why.
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    try:
        curator = context.new_page()
        curator.set_default_timeout(15_000)
        log_in(curator, live_server.url, "curator")
        curator.goto(f"{live_server.url}/projects/alpha/curate")
        expect(curator.get_by_test_id("clip-stats")).to_be_visible()
        expect(curator.get_by_test_id("clip-count")).to_have_text(str(N_CLIPS))
        expect(curator.get_by_test_id("clip-vote-count")).to_have_text(str(N_CLIPS))
        expect(curator.get_by_test_id("clip-single-count")).to_have_text("9")
        expect(curator.get_by_test_id("clip-unusable-count")).to_have_text("1 (1)")
        expect(curator.get_by_test_id("clip-alpha")).to_have_attribute("data-undefined", "true")
        expect(
            curator.locator('[data-testid="single-class-bar"][data-class="happy"]')
        ).to_have_attribute("data-count", "2")
        panel = curator.get_by_test_id("clip-stats")
        panel.screenshot(path=str(ARTIFACTS / "voting-curator-panel.png"))
    finally:
        context.close()


def test_curator_sees_the_clip_agreement_and_an_annotator_does_not(
    live_server: Any,
    browser: Browser,
    page: Page,
    people: dict[str, User],
    project: Project,
    tmp_path: Path,
) -> None:
    clip_project(project, passes_per_item=3, threshold=1)
    clips = ready_clips(project, tmp_path, 4)
    annotators = []
    for name in ("ann1", "ann2", "ann3"):
        user = make_user(name)
        Membership.objects.create(project=project, user=user, role=Role.ANNOTATOR)
        annotators.append(user)
    deal(clips, annotators)
    # Per clip, the votes of ann1, ann2, ann3: single happy; single sad (2 > 1); ambiguous;
    # unusable (2 of 3 votes).
    votes = [
        ("happy", "happy", "happy"),
        ("sad", "sad", "happy"),
        ("happy", "sad", "angry"),
        ("unusable", "unusable", "neutral"),
    ]
    for clip, labels in zip(clips, votes, strict=True):
        for annotator, label in zip(annotators, labels, strict=True):
            assignment = Assignment.objects.get(video=clip, annotator=annotator)
            answer = api_client(annotator).put(
                f"/api/v1/assignments/{assignment.pk}/vote/",
                {"revision": assignment.revision, "label": label},
                format="json",
            )
            assert answer.status_code == 200, answer.content
    figures = api_client(people["curator"]).get("/api/v1/projects/alpha/clip-agreement/").json()
    alpha = figures["alpha"]["value"]
    assert alpha is not None

    log_in(page, live_server.url, "curator")
    page.goto(f"{live_server.url}/projects/alpha/curate")
    expect(page.get_by_test_id("clip-stats")).to_be_visible()
    counts = {
        "clip-count": "4",
        "clip-vote-count": "12",
        "clip-single-count": "2",
        "clip-ambiguous-count": "1",
        "clip-incomplete-count": "0",
        "clip-unusable-count": "2 (1)",
        "clip-alpha": f"{alpha:.3f}",
    }
    for test_id, text in counts.items():
        expect(page.get_by_test_id(test_id)).to_have_text(text)
    bars = page.get_by_test_id("single-class-bar")
    expect(bars).to_have_count(7)
    assert [
        (bar.get_attribute("data-class"), bar.get_attribute("data-count")) for bar in bars.all()
    ] == [("happy", "1"), ("sad", "1")] + [
        (name, "0") for name in ("neutral", "angry", "surprise", "disgust", "fear")
    ]
    ambiguous = page.get_by_test_id("ambiguous-clip")
    expect(ambiguous).to_have_count(1)
    expect(ambiguous).to_have_attribute("data-video", str(clips[2].pk))
    parts = ambiguous.get_by_test_id("stack-part").all()
    assert [(p.get_attribute("data-class"), p.get_attribute("data-count")) for p in parts] == [
        ("happy", "1"),
        ("sad", "1"),
        ("angry", "1"),
    ]
    expect(page.get_by_test_id("clip-annotator-row")).to_have_count(3)
    expect(page.get_by_test_id("confusion-cell")).to_have_count(49)
    page.get_by_role("button", name="Show the confusion matrix of ann3").click()
    expect(page.get_by_test_id("confusion")).to_have_attribute("data-annotator", "ann3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "clip-agreement-dashboard.png"), full_page=True)

    # The project's annotator: no figures, the not-found state, and a 404 from the API.
    denied = api_client(people["annotator"]).get("/api/v1/projects/alpha/clip-agreement/")
    assert denied.status_code == 404, denied.content
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = context.new_page()
        other.set_default_timeout(15_000)
        log_in(other, live_server.url, "annotator")
        other.goto(f"{live_server.url}/projects/alpha/curate")
        expect(other.get_by_test_id("not-found")).to_be_visible()
        expect(other.get_by_test_id("clip-stats")).to_have_count(0)
        expect(other.get_by_test_id("clip-alpha")).to_have_count(0)
    finally:
        context.close()
