"""A person signs in, sees the portal, switches to French, gets a live notification, signs out."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from e2e.conftest import Suite, sign_in


def test_sign_in_portal_french_live_notification_sign_out(suite: Suite, new_page: Any) -> None:
    suite.create_user("camille@lyon.fr", "Camille Martin")
    page = new_page()
    sign_in(page, suite.url, "camille@lyon.fr")
    expect(page.get_by_role("heading", name="Hello Camille")).to_be_visible()
    expect(page.locator("[data-organisation]")).to_have_text("Mairie de Lyon")
    expect(page.locator("[data-tile]")).to_have_count(4)  # chat, meetings, docs, one's account
    expect(page.get_by_role("link", name="Chat")).to_have_attribute("href", "/chat/")

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", name="Bonjour Camille")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("link", name="Mon compte")).to_be_visible()

    # A notification made by another process (an operator's shell) shows up live.
    expect(page.locator("body")).to_have_attribute("data-live", "")
    suite.shell(
        "from ensemble.accounts.models import User\n"
        "from ensemble.portal.actions import notify\n"
        "notify(User.objects.get(email='camille@lyon.fr'), 'Réunion à 15 h', 'Salle 2')"
    )
    badge = page.locator(".fr-header__tools-links [data-notifications-count]")
    expect(badge).to_have_text("1", timeout=10000)
    page.locator(".fr-header__tools-links [data-notifications-toggle]").click()
    item = page.locator("[data-notification]")
    expect(item).to_contain_text("Réunion à 15 h")
    item.get_by_role("button", name="Marquer comme lue").click()
    expect(badge).to_be_hidden()

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto(suite.url + "/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))


def test_wrong_password_shows_an_error(suite: Suite, new_page: Any) -> None:
    suite.create_user("dominique@lyon.fr", "Dominique Petit")
    page = new_page()
    sign_in(page, suite.url, "dominique@lyon.fr", "not the password")
    expect(page.locator("[data-form-error]")).to_have_text(
        "E-mail address or password is incorrect."
    )


def test_lock_out_after_repeated_failures(suite: Suite, new_page: Any) -> None:
    suite.create_user("alex@lyon.fr", "Alex Durand")
    page = new_page()
    for _ in range(3):
        sign_in(page, suite.url, "alex@lyon.fr", "guess")
    sign_in(page, suite.url, "alex@lyon.fr")  # even the right password, while locked
    expect(page.locator("[data-form-error]")).to_contain_text("Too many failed sign-in attempts")
    expect(page.get_by_role("heading", name="Hello Alex")).to_have_count(0)


def test_small_screens_reach_the_header_through_its_menu(suite: Suite, new_page: Any) -> None:
    suite.create_user("nina@lyon.fr", "Nina Roche")
    page = new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, suite.url, "nina@lyon.fr")
    expect(page.get_by_role("heading", name="Hello Nina")).to_be_visible()
    expect(page.locator(".fr-header__tools-links")).to_be_hidden()
    page.get_by_role("button", name="Menu").click()
    menu = page.locator("#header-menu")
    expect(menu.get_by_role("button", name="Sign out")).to_be_visible()
    menu.locator("[data-notifications-toggle]").click()
    expect(page.locator("[data-notifications-panel]")).to_be_visible()
    assert errors == []
