"""Logging in through the browser, end to end."""

from __future__ import annotations

import pytest

from tests.conftest import ARTIFACTS, PASSWORD

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def test_login_lands_on_project_list(live_server, page, people, project) -> None:
    page.goto(f"{live_server.url}/projects/alpha")
    # Not logged in: sent to the login page, which remembers where we were going.
    page.wait_for_url("**/login?next=*")
    page.get_by_test_id("login-username").fill("curator")
    page.get_by_test_id("login-password").fill("wrong password")
    page.get_by_test_id("login-submit").click()
    assert page.get_by_test_id("login-error").inner_text().strip() == "Wrong username or password."

    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/projects/alpha")
    assert page.get_by_test_id("project-title").inner_text().strip() == "Alpha"
    assert page.get_by_test_id("project-role").inner_text().strip().lower() == "curator"
    assert page.get_by_test_id("header-username").inner_text().strip() == "curator"
    assert page.get_by_test_id("member-row").count() == 3

    page.goto(f"{live_server.url}/projects")
    items = page.get_by_test_id("project-item")
    items.first.wait_for()
    assert items.count() == 1
    assert "Alpha" in items.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "login-project-list.png"), full_page=True)

    page.get_by_test_id("logout").click()
    page.wait_for_url("**/login*")


def test_non_member_sees_not_found(live_server, page, people, project) -> None:
    page.goto(f"{live_server.url}/login")
    page.get_by_test_id("login-username").fill("outsider")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    page.wait_for_url("**/projects")
    page.goto(f"{live_server.url}/projects/alpha")
    page.get_by_test_id("not-found").wait_for()
    assert "Alpha" not in page.content()
