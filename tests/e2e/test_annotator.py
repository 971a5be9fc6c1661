"""The annotation page in the browser: frame-exact stepping and seeking (the picture on screen
against the frame counter), segments made with the keyboard and dragged with the mouse and
saved, and two tabs on one pass resolving a conflict without losing an edit."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from annotation.models import Assignment, Segment
from tests.conftest import ARTIFACTS, api_client, wait_for_job
from tests.e2e.test_videos import CLIP, log_in, shown_frame
from tests.media_factory import make_video

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]

N_FRAMES = 150
GUIDELINES = (
    "Mark the onset at the first frame where the face starts to move away from neutral, "
    "the offset at the last frame before it is back. Ignore blinks and talking."
)


def dealt_pass(people: Any, project: Any, tmp_path: Path) -> Assignment:
    """One ready video of N_FRAMES barcoded frames in project alpha, dealt to the annotator."""
    project.passes_per_item = 1
    project.label_schema = {"guidelines": GUIDELINES}
    project.save()
    owner = api_client(people["owner"])
    clip = make_video(tmp_path, CLIP, n_frames=N_FRAMES)
    with clip.open("rb") as handle:
        response = owner.post(
            "/api/v1/projects/alpha/videos/",
            {"file": handle, "subject": "s01", "source": "interview"},
            format="multipart",
        )
    assert response.status_code in (200, 201), response.content
    job = wait_for_job(response.json()["job"], timeout=90)
    assert job.state == "succeeded", job.error
    dealt = owner.post("/api/v1/projects/alpha/assignments/", {}, format="json")
    assert dealt.status_code == 200, dealt.content
    return Assignment.objects.get(annotator=people["annotator"])


def eventually(condition: Any, timeout: float = 10.0) -> None:
    """Wait until `condition()` is true (the page saves in the background)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting for the server"
        time.sleep(0.05)


def open_pass(page: Page, base: str, assignment: Assignment) -> None:
    page.goto(f"{base}/annotate/{assignment.pk}")
    expect(page.get_by_test_id("annotator")).to_be_visible()
    expect(page.get_by_test_id("frame-number")).to_have_text("0")


def go_to(page: Page, frame: int) -> None:
    page.get_by_test_id("goto-frame-input").fill(str(frame))
    page.get_by_test_id("goto-frame-submit").click()
    expect(page.get_by_test_id("frame-number")).to_have_text(str(frame))


def frame_x(page: Page, frame: float) -> float:
    """The page x of the middle of `frame` on the timeline, as the timeline lays frames out."""
    return float(
        page.get_by_test_id("timeline").evaluate(
            """(el, frame) => {
                const content = el.firstElementChild.getBoundingClientRect();
                return content.left + (frame + 0.5) * Number(el.dataset.frameWidth);
            }""",
            frame,
        )
    )


def visible_frames(page: Page) -> tuple[int, int]:
    """The first and last frames wholly visible on the timeline."""
    span: list[int] = page.get_by_test_id("timeline").evaluate(
        """el => {
            const w = Number(el.dataset.frameWidth);
            const first = Math.ceil(el.scrollLeft / w);
            const last = Math.floor((el.scrollLeft + el.clientWidth) / w) - 1;
            return [first, last];
        }"""
    )
    return span[0], min(span[1], N_FRAMES - 1)


def test_step_and_seek_show_the_frame_the_counter_says(
    live_server: Any, page: Page, people: Any, project: Any, celery_worker: Any, tmp_path: Path
) -> None:
    assignment = dealt_pass(people, project, tmp_path)
    log_in(page, live_server.url, "annotator")

    # The queue lists the pass; "Start next" opens it.
    page.get_by_test_id("header-queue").click()
    expect(page.get_by_test_id("queue-item")).to_have_count(1)
    expect(page.get_by_test_id("queue-list")).to_contain_text("0 segments")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "annotator-queue.png"), full_page=True)
    page.get_by_test_id("queue-start").click()
    page.wait_for_url(f"**/annotate/{assignment.pk}")
    expect(page.get_by_test_id("frame-number")).to_have_text("0")

    player = page.get_by_test_id("video-player")
    counter = page.get_by_test_id("frame-number")
    rng = random.Random(7)
    checked = 0
    expected = 0

    def check(want: int) -> None:
        nonlocal checked
        expect(counter).to_have_text(str(want))
        assert shown_frame(player) == int(counter.inner_text())
        checked += 1

    keys = [
        ("ArrowRight", 1),
        ("ArrowLeft", -1),
        ("Shift+ArrowRight", 10),
        ("Shift+ArrowLeft", -10),
    ]
    for _ in range(30):
        key, delta = rng.choice(keys)
        if not 0 <= expected + delta <= N_FRAMES - 1:
            key, delta = next((k, d) for k, d in keys if d == -delta)
        page.keyboard.press(key)
        expected += delta
        check(expected)
    for frame in (0, 149, 73, 1, 148, 100):
        go_to(page, frame)
        expected = frame
        check(expected)

    # Clicks on the timeline, at the whole-video scale and zoomed in.
    timeline = page.get_by_test_id("timeline")
    box = timeline.bounding_box()
    assert box is not None
    for frame in rng.sample(range(N_FRAMES), 12):
        page.mouse.click(frame_x(page, frame), box["y"] + 40)
        check(frame)
    for _ in range(3):
        page.keyboard.press("+")
    for _ in range(8):
        first, last = visible_frames(page)
        frame = rng.randint(first, last)
        page.mouse.click(frame_x(page, frame), box["y"] + 40)
        check(frame)
        page.keyboard.press("Shift+ArrowRight")
        check(min(frame + 10, N_FRAMES - 1))

    print(f"\n{checked} steps and seeks checked against the picture: all matched")
    assert checked >= 50
    page.screenshot(path=str(ARTIFACTS / "annotator-stepping.png"), full_page=True)

    # The help overlay.
    page.keyboard.press("?")
    expect(page.get_by_test_id("help-overlay")).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "annotator-help.png"))
    page.keyboard.press("?")
    expect(page.get_by_test_id("help-overlay")).to_have_count(0)


def test_segment_made_with_keys_and_dragged_survives_a_reload(
    live_server: Any, page: Page, people: Any, project: Any, celery_worker: Any, tmp_path: Path
) -> None:
    assignment = dealt_pass(people, project, tmp_path)
    log_in(page, live_server.url, "annotator")
    open_pass(page, live_server.url, assignment)
    save_state = page.get_by_test_id("save-state")

    go_to(page, 30)
    page.keyboard.press("i")
    go_to(page, 45)
    page.keyboard.press("o")
    page.keyboard.press("m")
    bar = page.get_by_test_id("timeline-segment")
    expect(bar).to_have_count(1)
    expect(bar).to_have_attribute("data-onset", "30")
    expect(bar).to_have_attribute("data-offset", "45")
    expect(save_state).to_have_attribute("data-state", "saved")
    expect(page.get_by_test_id("label-type-macro")).to_be_checked()

    # Drag the offset edge to frame 70.
    handle = page.get_by_test_id("segment-edge-offset").bounding_box()
    assert handle is not None
    y = handle["y"] + handle["height"] / 2
    page.mouse.move(handle["x"] + handle["width"] / 2, y)
    page.mouse.down()
    page.mouse.move(frame_x(page, 60), y, steps=4)
    page.mouse.move(frame_x(page, 70), y, steps=4)
    page.mouse.up()
    expect(bar).to_have_attribute("data-offset", "70")
    expect(page.get_by_test_id("frame-number")).to_have_text("70")
    expect(save_state).to_have_attribute("data-state", "saved")
    page.get_by_test_id("label-emotion").select_option("surprise")
    expect(save_state).to_have_attribute("data-state", "saved")
    page.screenshot(path=str(ARTIFACTS / "annotator-segment.png"), full_page=True)

    page.reload()
    bar = page.get_by_test_id("timeline-segment")
    expect(bar).to_have_count(1)
    expect(bar).to_have_attribute("data-onset", "30")
    expect(bar).to_have_attribute("data-offset", "70")
    rows = list(
        Segment.objects.filter(assignment=assignment).values_list(
            "onset", "offset", "type", "emotion"
        )
    )
    assert rows == [(30, 70, "macro", "surprise")]

    # Undo and redo with the keyboard go through autosave too.
    page.get_by_test_id("segment-row").click()
    page.keyboard.press("Delete")
    expect(bar).to_have_count(0)
    expect(save_state).to_have_attribute("data-state", "saved")
    eventually(lambda: not Segment.objects.filter(assignment=assignment).exists())
    page.keyboard.press("Control+z")
    expect(bar).to_have_count(1)
    expect(save_state).to_have_attribute("data-state", "saved")
    eventually(lambda: Segment.objects.filter(assignment=assignment).count() == 1)
    page.keyboard.press("Control+Shift+z")
    expect(bar).to_have_count(0)
    eventually(lambda: not Segment.objects.filter(assignment=assignment).exists())


def test_two_tabs_conflict_keeps_both_edits(
    live_server: Any,
    browser: Browser,
    people: Any,
    project: Any,
    celery_worker: Any,
    tmp_path: Path,
) -> None:
    assignment = dealt_pass(people, project, tmp_path)
    client = api_client(people["annotator"])
    seeded = client.put(
        f"/api/v1/assignments/{assignment.pk}/segments/",
        {
            "revision": 0,
            "segments": [{"client_id": "s1", "onset": 20, "offset": 40, "type": "macro"}],
        },
        format="json",
    )
    assert seeded.status_code == 200, seeded.content

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        tab_a = context.new_page()
        tab_a.set_default_timeout(15_000)
        log_in(tab_a, live_server.url, "annotator")
        tab_b = context.new_page()
        tab_b.set_default_timeout(15_000)
        open_pass(tab_a, live_server.url, assignment)
        open_pass(tab_b, live_server.url, assignment)

        # Tab A: the segment becomes micro, saved.
        tab_a.get_by_test_id("segment-row").click()
        tab_a.keyboard.press("u")
        expect(tab_a.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")
        assert Segment.objects.get(assignment=assignment).type == "micro"

        # Tab B, still on the old revision: an emotion. Its save is refused, nothing is lost.
        tab_b.get_by_test_id("segment-row").click()
        tab_b.keyboard.press("1")  # the first emotion of the schema: happy
        expect(tab_b.get_by_test_id("save-state")).to_have_attribute("data-state", "conflict")
        expect(tab_b.get_by_test_id("conflict-panel")).to_be_visible()
        expect(tab_b.get_by_test_id("label-emotion")).to_have_value("happy")
        expect(tab_b.get_by_test_id("segment-row")).to_contain_text("happy")
        assert Segment.objects.get(assignment=assignment).emotion == ""
        expect(tab_b.get_by_test_id("conflict-keep-mine")).to_be_enabled()
        tab_b.screenshot(path=str(ARTIFACTS / "annotator-conflict.png"), full_page=True)

        tab_b.get_by_test_id("conflict-keep-mine").click()
        expect(tab_b.get_by_test_id("save-state")).to_have_attribute("data-state", "saved")
        expect(tab_b.get_by_test_id("conflict-panel")).to_have_count(0)
        stored = Segment.objects.get(assignment=assignment)
        assert (stored.type, stored.emotion) == ("macro", "happy")

        # A's edit is in the history.
        history = client.get(f"/api/v1/assignments/{assignment.pk}/history/").json()
        types = [change["after"]["type"] for change in history["changes"] if change["after"]]
        assert types == ["macro", "micro", "macro"], history["changes"]

        # Submit: problems listed first, then the pass is read-only.
        tab_b.get_by_test_id("submit-pass").click()
        expect(tab_b.get_by_test_id("submit-confirm")).to_be_enabled()
        tab_b.get_by_test_id("submit-confirm").click()
        expect(tab_b.get_by_test_id("submitted-banner")).to_be_visible()
        assignment.refresh_from_db()
        assert assignment.status == "submitted"
        tab_b.keyboard.press("i")
        expect(tab_b.get_by_test_id("timeline-segment")).to_have_count(1)
        tab_b.screenshot(path=str(ARTIFACTS / "annotator-submitted.png"), full_page=True)
    finally:
        context.close()
