"""The curators' pages in the browser: the dashboard's plots for a video with five submitted
passes, and one video's consensus adjudicated with the keyboard alone and saved as a new
version with exactly the segments decided."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Page, expect

from annotation.models import Assignment, PassStatus, Segment
from core.models import Membership, Project, Role
from curation.models import ConsensusSegment, ConsensusVersion
from curation.services import consensus_build, video_agreement_refresh
from tests.conftest import ARTIFACTS, api_client, make_user, wait_for_job
from tests.e2e.test_videos import CLIP, log_in
from tests.media_factory import make_video
from videos.models import Video

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.worker]

N_FRAMES = 150
ANNOTATORS = ("ann1", "ann2", "ann3", "ann4", "ann5")

# (onset, offset, type, emotion) per pass. Expression A is marked by all five passes (consensus
# 10 to 30); B by four, with a 2:2 emotion tie that flags it for a curator (consensus 50 to 70);
# C by three (consensus 100 to 120); ann5 also marks a lone expression at 135 to 140.
PASSES: dict[str, list[tuple[int, int, str, str]]] = {
    "ann1": [(10, 30, "macro", ""), (50, 70, "macro", "happy"), (100, 120, "macro", "")],
    "ann2": [(10, 30, "macro", ""), (50, 70, "macro", "happy"), (100, 120, "macro", "")],
    "ann3": [(10, 30, "macro", ""), (52, 70, "macro", "sad"), (100, 120, "macro", "")],
    "ann4": [(9, 31, "macro", ""), (48, 70, "macro", "sad")],
    "ann5": [(11, 29, "macro", ""), (135, 140, "micro", "")],
}


def ingested_video(people: dict[str, User], project: Project, tmp_path: Path) -> Video:
    """One ready video of N_FRAMES frames in project alpha, uploaded by its owner."""
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
    return Video.objects.get(project=project)


def submit_passes(video: Video, project: Project) -> None:
    """Five submitted passes of `video`, one per annotator, with the segments of PASSES."""
    for pass_index, username in enumerate(ANNOTATORS, start=1):
        annotator = make_user(username)
        Membership.objects.create(project=project, user=annotator, role=Role.ANNOTATOR)
        assignment = Assignment.objects.create(
            video=video,
            annotator=annotator,
            pass_index=pass_index,
            status=PassStatus.SUBMITTED,
            submitted_at=timezone.now(),
            time_spent_s=300.0 + pass_index,
        )
        for number, (onset, offset, kind, emotion) in enumerate(PASSES[username]):
            Segment.objects.create(
                assignment=assignment,
                client_id=f"{username}-{number}",
                onset=onset,
                offset=offset,
                type=kind,
                emotion=emotion,
            )


def consensus_rows(version: ConsensusVersion, video: Video) -> list[tuple[Any, ...]]:
    return [
        (row.onset, row.offset, row.type, row.emotion, row.support, row.needs_curator)
        for row in ConsensusSegment.objects.filter(version=version, video=video).order_by("onset")
    ]


def member_ids(username: str, *numbers: int) -> list[int]:
    return [
        Segment.objects.get(
            assignment__annotator__username=username, client_id=f"{username}-{n}"
        ).pk
        for n in numbers
    ]


def test_dashboard_plots_and_keyboard_adjudication(
    live_server: Any,
    page: Page,
    people: dict[str, User],
    project: Project,
    celery_worker: Any,
    tmp_path: Path,
) -> None:
    video = ingested_video(people, project, tmp_path)
    submit_passes(video, project)
    assert video_agreement_refresh(video_id=video.pk) is not None
    first = consensus_build(project=project, by=people["curator"])
    assert consensus_rows(first, video) == [
        (10, 30, "macro", "", 5, False),
        (50, 70, "macro", "", 4, True),
        (100, 120, "macro", "", 3, False),
    ]
    ARTIFACTS.mkdir(exist_ok=True)

    # The dashboard, reached from the project page.
    log_in(page, live_server.url, "curator")
    page.goto(f"{live_server.url}/projects/alpha")
    page.get_by_test_id("project-curate-link").click()
    page.wait_for_url("**/projects/alpha/curate")
    expect(page.get_by_test_id("curate-dashboard")).to_be_visible()
    expect(page.get_by_test_id("alpha-point")).to_have_count(
        Video.objects.filter(project=project).count()
    )
    expect(page.get_by_test_id("reliability-row")).to_have_count(len(ANNOTATORS))
    expect(page.get_by_test_id("progress-bar")).to_have_count(len(ANNOTATORS))
    expect(page.get_by_test_id("progress-total")).to_have_text("5/5")
    expect(page.get_by_test_id("histogram-bar-onset")).to_have_count(31)
    expect(page.get_by_test_id("annotator-link")).to_have_count(len(ANNOTATORS))
    # At a floor of 1 the video is below it: the queue follows ?floor=.
    page.get_by_test_id("floor-input").fill("1")
    page.wait_for_url("**/curate?floor=1")
    expect(page.get_by_test_id("queue-row")).to_have_count(1)
    page.screenshot(path=str(ARTIFACTS / "curator-dashboard.png"), full_page=True)

    # The review page, opened from the plot.
    page.get_by_test_id("alpha-point").first.click()
    page.wait_for_url(f"**/projects/alpha/curate/videos/{video.pk}")
    expect(page.get_by_test_id("curate-review")).to_be_visible()
    expect(page.get_by_test_id("frame-number")).to_have_text("0")
    expect(page.get_by_test_id("pass-row")).to_have_count(len(ANNOTATORS))
    bars = page.get_by_test_id("consensus-segment")
    expect(bars).to_have_count(3)
    lone = page.locator('[data-testid="pass-segment"][data-unmatched="true"]')
    expect(lone).to_have_count(1)
    expect(lone).to_have_attribute("data-onset", "135")
    expect(page.get_by_test_id("f1-cell")).to_have_count(len(ANNOTATORS) ** 2)

    # Only the keyboard from here: A's onset three frames later, B accepted, C rejected.
    frame = page.get_by_test_id("frame-number")
    selected = page.get_by_test_id("selected-segment")
    first_ids = list(
        ConsensusSegment.objects.filter(version=first, video=video)
        .order_by("onset")
        .values_list("pk", flat=True)
    )
    page.keyboard.press("k")
    expect(selected).to_have_attribute("data-key", f"c{first_ids[0]}")
    expect(frame).to_have_text("10")
    for expected in ("11", "12", "13"):
        page.keyboard.press("ArrowRight")
        expect(frame).to_have_text(expected)
    page.keyboard.press("[")
    expect(bars.nth(0)).to_have_attribute("data-onset", "13")
    page.keyboard.press("k")
    expect(selected).to_have_attribute("data-key", f"c{first_ids[1]}")
    expect(bars.nth(1)).to_have_attribute("data-flagged", "true")
    page.keyboard.press("a")
    expect(bars.nth(1)).to_have_attribute("data-flagged", "false")
    page.keyboard.press("k")
    expect(selected).to_have_attribute("data-key", f"c{first_ids[2]}")
    page.keyboard.press("x")
    expect(bars).to_have_count(2)
    expect(page.get_by_test_id("draft-state")).to_have_attribute("data-state", "dirty")
    page.keyboard.press("?")
    expect(page.get_by_test_id("help-overlay")).to_be_visible()
    page.keyboard.press("?")
    expect(page.get_by_test_id("help-overlay")).to_have_count(0)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("save-result")).to_have_text("Saved as consensus version 2.")
    expect(page.get_by_test_id("consensus-version")).to_have_text("consensus v2 (median)")
    page.screenshot(path=str(ARTIFACTS / "curator-review.png"), full_page=True)

    latest = ConsensusVersion.objects.get(project=project, number=2)
    assert latest.based_on_id == first.pk
    assert latest.created_by_id == people["curator"].pk
    assert consensus_rows(latest, video) == [
        (13, 30, "macro", "", 5, False),
        (50, 70, "macro", "", 4, False),
    ]
    members = [
        sorted(row.member_segment_ids)
        for row in ConsensusSegment.objects.filter(version=latest, video=video).order_by("onset")
    ]
    assert members == [
        sorted(
            member_ids("ann1", 0)
            + member_ids("ann2", 0)
            + member_ids("ann3", 0)
            + member_ids("ann4", 0)
            + member_ids("ann5", 0)
        ),
        sorted(
            member_ids("ann1", 1)
            + member_ids("ann2", 1)
            + member_ids("ann3", 1)
            + member_ids("ann4", 1)
        ),
    ]
    # The first version is untouched.
    assert consensus_rows(first, video)[2] == (100, 120, "macro", "", 3, False)
