"""The live stream survives a server restart: what was missed arrives once, in order."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from e2e.conftest import OwnSuite, sign_in, stop_server


def test_notifications_missed_during_a_restart_arrive_once(
    own_suite: OwnSuite, new_page: Any
) -> None:
    suite = own_suite
    suite.create_user("sam@lyon.fr", "Sam Roux")
    page = new_page()
    sign_in(page, suite.url, "sam@lyon.fr")
    expect(page.locator("body")).to_have_attribute("data-live", "")
    notify = (
        "from ensemble.accounts.models import User\n"
        "from ensemble.portal.actions import notify\n"
        "sam = User.objects.get(email='sam@lyon.fr')\n"
    )
    suite.shell(notify + "notify(sam, 'Before the restart')")
    expect(page.locator(".fr-header__tools-links [data-notifications-count]")).to_have_text("1")

    stop_server(suite.server)
    expect(page.locator("body")).not_to_have_attribute("data-live", "")
    suite.shell(notify + "notify(sam, 'While down 1')\nnotify(sam, 'While down 2')")
    suite.start()

    expect(page.locator("body")).to_have_attribute("data-live", "", timeout=30000)
    expect(page.locator(".fr-header__tools-links [data-notifications-count]")).to_have_text(
        "3", timeout=10000
    )
    page.locator(".fr-header__tools-links [data-notifications-toggle]").click()
    titles = page.locator("[data-notification] > :first-child").all_inner_texts()
    assert sorted(titles) == ["Before the restart", "While down 1", "While down 2"]
