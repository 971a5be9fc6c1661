"""Videos in the browser, end to end: upload through the form, ingest by the real worker, and a
player whose frame readout is checked against the picture it shows."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.conftest import ARTIFACTS, PASSWORD
from tests.media_factory import VARIANTS, make_video, read_barcode
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

N_FRAMES = 60
# The suite's 30 fps H.264 clip at a size that looks like a video on the page.
CLIP = dataclasses.replace(VARIANTS["h264_30"], name="interview_640x360", width=640, height=360)


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_test_id("login-username").fill(username)
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/projects")


def shown_frame(player: Locator) -> int:
    """The frame index in the barcode of the picture that the <video> element shows."""
    png = player.screenshot()
    bgr = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert bgr is not None, "the screenshot is not an image"
    # The element has the video's aspect ratio; crop to the picture all the same, should the
    # browser have letterboxed it.
    box: dict[str, Any] = player.evaluate(
        """video => {
            const r = video.getBoundingClientRect();
            const scale = Math.min(r.width / video.videoWidth, r.height / video.videoHeight);
            const w = video.videoWidth * scale, h = video.videoHeight * scale;
            return {x: (r.width - w) / 2 / r.width, y: (r.height - h) / 2 / r.height,
                    w: w / r.width, h: h / r.height};
        }"""
    )
    height, width = bgr.shape[:2]
    x0, y0 = round(box["x"] * width), round(box["y"] * height)
    x1, y1 = x0 + round(box["w"] * width), y0 + round(box["h"] * height)
    rgb = cv2.cvtColor(bgr[y0:y1, x0:x1], cv2.COLOR_BGR2RGB)
    return read_barcode(rgb)


@pytest.mark.worker
def test_upload_ingest_and_step_through_frames(
    live_server: Any,
    browser: Browser,
    page: Page,
    people: Any,
    project: Any,
    celery_worker: Any,
    tmp_path: Path,
) -> None:
    base = live_server.url
    clip = make_video(tmp_path, CLIP, n_frames=N_FRAMES)

    log_in(page, base, "owner")
    page.goto(f"{base}/projects/alpha")
    expect(page.get_by_test_id("videos-empty")).to_contain_text("No videos yet")

    # Upload through the form; the real worker ingests it and the row turns ready by itself.
    form = page.get_by_test_id("video-upload-form")
    form.get_by_test_id("video-upload-file").set_input_files(str(clip))
    form.get_by_test_id("video-upload-subject").fill("s01")
    form.get_by_test_id("video-upload-source").select_option("interview")
    form.get_by_test_id("video-upload-submit").click()
    row = page.get_by_test_id("video-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("video-status")).to_have_attribute(
        "data-status", "ready", timeout=60_000
    )
    expect(page.get_by_test_id("video-upload-error")).to_have_count(0)
    cells = row.locator("td").all_inner_texts()
    assert "s01" in cells
    assert "TV interview" in cells
    assert [str(N_FRAMES), "30", "00:02"] == [cell.strip() for cell in cells[-4:-1]]

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "video-list.png"), full_page=True)

    # The same file again: recognised, not stored twice.
    form.get_by_test_id("video-upload-file").set_input_files(str(clip))
    form.get_by_test_id("video-upload-submit").click()
    expect(form.get_by_test_id("video-upload-duplicate")).to_contain_text("already in the project")
    expect(row).to_have_count(1)

    row.get_by_test_id("video-link").click()
    page.wait_for_url("**/projects/alpha/videos/*")
    player = page.get_by_test_id("video-player")
    frame_number = page.get_by_test_id("frame-number")
    expect(frame_number).to_have_text("0")
    assert shown_frame(player) == 0

    for _ in range(5):
        page.keyboard.press("ArrowRight")
    expect(frame_number).to_have_text("5")
    expect(page.get_by_test_id("timecode")).to_have_text("00:00:00.166")

    page.get_by_test_id("goto-frame-input").fill("42")
    page.get_by_test_id("goto-frame-submit").click()
    expect(frame_number).to_have_text("42")
    expect(page.get_by_test_id("timecode")).to_have_text("00:00:01.400")
    expect(page.get_by_test_id("timecode-frames")).to_have_text("00:00:01:12")
    # What the player says is what it shows.
    assert shown_frame(player) == 42

    page.keyboard.press("Shift+ArrowLeft")
    expect(frame_number).to_have_text("32")
    assert shown_frame(player) == 32

    page.get_by_test_id("verify-frame").click()
    image = page.get_by_test_id("verify-frame-image")
    video = Video.objects.get(project__slug="alpha")
    expect(image).to_have_attribute("src", f"/api/v1/videos/{video.pk}/frames/32/?format=png")
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    assert image.evaluate("img => img.naturalWidth") == 640

    page.screenshot(path=str(ARTIFACTS / "video-page.png"), full_page=True)

    # Space plays and pauses even with the focus on a button, and does not press the button.
    expect(page.get_by_test_id("verify-frame")).to_be_focused()
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play-pause")).to_have_text("Pause")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("play-pause")).to_have_text("Play")
    expect(image).to_have_attribute("src", f"/api/v1/videos/{video.pk}/frames/32/?format=png")
    page.wait_for_timeout(300)  # let the last presented frame settle
    stopped = int(frame_number.inner_text())
    assert stopped >= 32
    assert shown_frame(player) == stopped

    # An annotator sees the videos but no upload form.
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        annotator = context.new_page()
        log_in(annotator, base, "annotator")
        annotator.goto(f"{base}/projects/alpha")
        expect(annotator.get_by_test_id("video-row")).to_have_count(1)
        expect(annotator.get_by_test_id("video-upload-form")).to_have_count(0)
    finally:
        context.close()


@pytest.mark.parametrize("excess", [1024 * 1024, 16 * 1024], ids=["declared", "streamed"])
def test_too_large_upload_shows_the_reason(
    live_server: Any,
    page: Page,
    people: Any,
    project: Any,
    settings: Any,
    tmp_path: Path,
    excess: int,
) -> None:
    """Refused on the declared length before the body is read, or while it streams in."""
    settings.SPOTLAB_MAX_UPLOAD_BYTES = 1024 * 1024
    big = tmp_path / "long-interview.mp4"
    big.write_bytes(b"\0" * (1024 * 1024 + excess))

    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/projects/alpha")
    form = page.get_by_test_id("video-upload-form")
    form.get_by_test_id("video-upload-file").set_input_files(str(big))
    form.get_by_test_id("video-upload-submit").click()
    expect(form.get_by_test_id("video-upload-error")).to_have_text(
        "long-interview.mp4: The file is larger than the upload limit of 1 MiB."
    )
    expect(page.get_by_test_id("videos-empty")).to_be_visible()
    assert not Video.objects.exists()
