"""Assisted passes in the browser: a spotting model's proposals drawn as ghost intervals that the
annotator accepts (Enter), trims (accept, then move an edge with the keys) or rejects (x); the
database holds the exact frames, each segment's proposal and its provenance, and the rejected
proposals. A blind pass of the same video never sees them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from annotation.models import Assignment, Segment
from core.models import Membership, Role
from inference.models import Proposal, SpotterModel
from tests.conftest import ARTIFACTS, api_client, make_user
from tests.e2e.test_annotator import dealt_pass, eventually, open_pass
from tests.e2e.test_videos import log_in

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]


def segment_rows(assignment: Assignment) -> list[tuple[Any, ...]]:
    return list(
        Segment.objects.filter(assignment=assignment)
        .order_by("onset")
        .values_list("onset", "offset", "type", "source", "proposal_id")
    )


def rejected(assignment: Assignment) -> list[int]:
    assignment.refresh_from_db()
    return list(assignment.rejected_proposals)


def test_assisted_pass_accepts_trims_and_rejects_proposals(
    live_server: Any,
    browser: Browser,
    page: Page,
    people: Any,
    project: Any,
    celery_worker: Any,
    tmp_path: Path,
) -> None:
    assignment = dealt_pass(people, project, tmp_path)
    video = assignment.video
    spotter = SpotterModel.objects.create(
        project=project,
        version=1,
        kind="baseline",
        name="baseline v1",
        hyperparameters={},
        metrics={},
        device="cpu",
    )
    first = Proposal.objects.create(
        video=video, model=spotter, onset=20, offset=35, type="macro", score=0.91
    )
    second = Proposal.objects.create(
        video=video, model=spotter, onset=60, offset=66, type="micro", score=0.72
    )
    third = Proposal.objects.create(
        video=video, model=spotter, onset=100, offset=120, type="macro", score=0.55
    )
    Assignment.objects.filter(pk=assignment.pk).update(mode="assisted")

    log_in(page, live_server.url, "annotator")
    open_pass(page, live_server.url, assignment)
    ghosts = page.get_by_test_id("timeline-ghost")
    bars = page.get_by_test_id("timeline-segment")
    left = page.get_by_test_id("proposals-left")
    save_state = page.get_by_test_id("save-state")
    frame = page.get_by_test_id("frame-number")
    provenance = page.get_by_test_id("segment-provenance")

    expect(ghosts).to_have_count(3)
    expect(left).to_have_attribute("data-count", "3")
    expect(ghosts.first).to_have_attribute("data-onset", "20")
    expect(ghosts.first).to_have_attribute("data-offset", "35")
    expect(ghosts.first).to_contain_text("macro · score 0.91")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "assisted-ghosts.png"), full_page=True)

    # g goes to the first proposal; Enter accepts it as it is.
    page.keyboard.press("g")
    expect(frame).to_have_text("20")
    current = page.locator(f'[data-testid="timeline-ghost"][data-proposal-id="{first.pk}"]')
    expect(current).to_have_attribute("data-current", "true")
    expect(page.get_by_test_id("proposal-current")).to_contain_text("score 0.91")
    page.keyboard.press("Enter")
    expect(bars).to_have_count(1)
    expect(bars.first).to_have_attribute("data-onset", "20")
    expect(bars.first).to_have_attribute("data-offset", "35")
    expect(ghosts).to_have_count(2)
    expect(left).to_have_attribute("data-count", "2")
    expect(provenance).to_have_attribute("data-source", "accepted")
    expect(page.get_by_test_id("label-type-macro")).to_be_checked()

    # The next one: accepted, then its offset moved from 66 to 64 with the keys.
    page.keyboard.press("g")
    expect(frame).to_have_text("60")
    page.keyboard.press("Enter")
    expect(bars).to_have_count(2)
    expect(provenance).to_have_attribute("data-source", "accepted")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    expect(frame).to_have_text("64")
    page.keyboard.press("o")
    trimmed = page.locator('[data-testid="timeline-segment"][data-onset="60"]')
    expect(trimmed).to_have_attribute("data-offset", "64")
    expect(provenance).to_have_attribute("data-source", "edited")
    expect(page.get_by_test_id("label-type-micro")).to_be_checked()

    # The last one is rejected with x: no segment, no ghost left.
    page.keyboard.press("g")
    expect(frame).to_have_text("100")
    page.keyboard.press("x")
    expect(ghosts).to_have_count(0)
    expect(bars).to_have_count(2)
    expect(left).to_have_attribute("data-count", "0")
    expect(left).to_contain_text("All proposals reviewed")
    expect(save_state).to_have_attribute("data-state", "saved")
    page.screenshot(path=str(ARTIFACTS / "assisted-reviewed.png"), full_page=True)

    expected = [
        (20, 35, "macro", "accepted", first.pk),
        (60, 64, "micro", "edited", second.pk),
    ]
    eventually(lambda: segment_rows(assignment) == expected)
    assert segment_rows(assignment) == expected
    eventually(lambda: rejected(assignment) == [third.pk])

    # Undo brings the rejected proposal back (and saves that); redo rejects it again.
    page.keyboard.press("Control+z")
    expect(ghosts).to_have_count(1)
    expect(ghosts.first).to_have_attribute("data-proposal-id", str(third.pk))
    eventually(lambda: rejected(assignment) == [])
    page.keyboard.press("Control+Shift+z")
    expect(ghosts).to_have_count(0)
    eventually(lambda: rejected(assignment) == [third.pk])
    expect(save_state).to_have_attribute("data-state", "saved")

    # After a reload: the same segments, provenance from the server's list, no ghost.
    page.reload()
    expect(bars).to_have_count(2)
    expect(left).to_have_attribute("data-count", "0")
    expect(ghosts).to_have_count(0)
    page.locator('[data-testid="segment-row"]').nth(1).click()
    expect(provenance).to_have_attribute("data-source", "edited")
    page.locator('[data-testid="segment-row"]').nth(0).click()
    expect(provenance).to_have_attribute("data-source", "accepted")
    assert segment_rows(assignment) == expected
    assert rejected(assignment) == [third.pk]

    # A blind pass of the same video: no ghost, no proposals request, and a 403 for its annotator.
    blind_annotator = make_user("blind")
    Membership.objects.create(project=project, user=blind_annotator, role=Role.ANNOTATOR)
    blind = Assignment.objects.create(video=video, annotator=blind_annotator, pass_index=2)
    assert blind.mode == "blind"
    answer = api_client(blind_annotator).get(f"/api/v1/videos/{video.pk}/proposals/")
    assert answer.status_code == 403, answer.content
    assert api_client(people["annotator"]).get(f"/api/v1/videos/{video.pk}/proposals/").json()

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = context.new_page()
        other.set_default_timeout(15_000)
        asked: list[str] = []

        def record(request: Request) -> None:
            if "/proposals/" in request.url:
                asked.append(request.url)

        other.on("request", record)
        log_in(other, live_server.url, "blind")
        open_pass(other, live_server.url, blind)
        expect(other.get_by_test_id("timeline")).to_be_visible()
        expect(other.get_by_test_id("timeline-ghost")).to_have_count(0)
        expect(other.get_by_test_id("proposal-panel")).to_have_count(0)
        other.keyboard.press("g")
        other.keyboard.press("Enter")
        other.keyboard.press("x")
        expect(other.get_by_test_id("timeline-segment")).to_have_count(0)
        expect(other.get_by_test_id("frame-number")).to_have_text("0")
        other.screenshot(path=str(ARTIFACTS / "assisted-blind.png"), full_page=True)
        assert asked == []
    finally:
        context.close()
    assert not Segment.objects.filter(assignment=blind).exists()
