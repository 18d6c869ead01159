"""Single sign-on in Chromium: the ProConnect button, the provider's page, back to the portal."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from e2e.conftest import Suite
from ensemble.accounts.tests.conftest import ACCOUNTS


def sign_in_at_provider(page: Any, login: str) -> None:
    expect(page.get_by_role("heading", name="Identity provider")).to_be_visible()
    page.get_by_label("Login").fill(login)
    page.get_by_label("Password").fill(ACCOUNTS[login]["password"])
    page.get_by_role("button", name="Sign in").click()


def test_proconnect_sign_in_and_sign_out_of_both(suite: Suite, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{suite.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with ProConnect").click()
    sign_in_at_provider(page, "camille")

    expect(page.get_by_role("heading", name="Hello Camille")).to_be_visible()
    expect(page.locator("[data-organisation]")).to_have_text("Mairie de Lyon")
    expect(page.locator(".fr-header__tools-links [data-user-name]")).to_have_text("Camille Martin")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    # Our session is over, and so is the provider's: it asks for the password again.
    page.goto(f"{suite.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    page.get_by_role("link", name="Sign in with ProConnect").click()
    expect(page.get_by_label("Password")).to_be_visible()


def test_provider_refusal_shows_a_clear_page(suite: Suite, new_page: Any) -> None:
    page = new_page()
    page.goto(f"{suite.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with ProConnect").click()
    sign_in_at_provider(page, "noemail")
    expect(page.get_by_role("heading", name="Sign-in failed")).to_be_visible()
    expect(page.locator("[data-sign-in-error]")).to_contain_text("valid e-mail address")
