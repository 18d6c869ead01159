"""Pages load nothing from outside the server, and break no rule of their
Content-Security-Policy: every request to another host fails (as on a network that reaches
only the suite) and each page still loads with no error, no failed request and no violation."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from e2e.conftest import Suite, close_pages, sign_in

LOCAL = {"127.0.0.1", "localhost", "[::1]", "::1"}
# Violations of the page's policy, as the page itself hears of them (Chromium reports them in
# its own log, which Playwright does not pass on).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) =>
  console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`));
"""


INJECT = """
const script = document.createElement("script");
script.textContent = "window.inlineRan = true";
document.body.append(script);
const image = Object.assign(document.createElement("img"), {src: "https://cdn.example.org/a.png"});
image.dataset.outside = "";
document.body.append(image);
"""


class Watched:
    """A page whose problems are written down: outside requests (refused), failed requests,
    answers of 500 or more, 4xx answers for files, console errors, uncaught errors."""

    def __init__(self, page: Page) -> None:
        self.page, self.problems = page, []  # type: list[str]
        page.context.route("**/*", self.only_local)
        page.add_init_script(LISTEN)
        page.on(
            "console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text}")
        )
        page.on("pageerror", lambda error: self.problems.append(f"error: {error}"))
        page.on(
            "requestfailed",
            lambda r: self.problems.append(f"failed: {r.url} {r.failure}"),
        )
        page.on("response", self.answered)

    def only_local(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname in LOCAL:
            route.continue_()
        else:
            route.abort("internetdisconnected")

    def answered(self, response: Any) -> None:
        path = urlsplit(response.url).path
        if response.status >= 500 or (response.status >= 400 and path.startswith("/static/")):
            self.problems.append(f"answer {response.status}: {response.url}")


@pytest.fixture
def watched(media_browser: Browser, request: Any) -> Iterator[Any]:
    pages: list[Page] = []

    def make() -> Watched:
        context = media_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        page = context.new_page()
        pages.append(page)
        return Watched(page)

    yield make
    close_pages(request, pages)


def settle(page: Page) -> None:
    """Let late requests (fonts, icons, sockets) happen before the problems are read."""
    page.wait_for_load_state("load")
    page.wait_for_timeout(1500)


def test_the_sign_in_page_and_the_api_docs_load_only_from_the_suite(
    suite: Suite, watched: Any
) -> None:
    anonymous = watched()
    anonymous.page.goto(f"{suite.url}/accounts/login/")
    expect(anonymous.page.get_by_role("button", name="Sign in")).to_be_visible()
    settle(anonymous.page)
    assert anonymous.problems == []
    # The watch itself: an inline script and an image from elsewhere are refused and noticed.
    anonymous.page.evaluate(INJECT)
    expect(anonymous.page.locator("img[data-outside]")).to_have_js_property("complete", True)
    assert anonymous.page.evaluate("window.inlineRan") is None
    assert "console: CSP violation: script-src-elem inline" in anonymous.problems
    assert "console: CSP violation: img-src https://cdn.example.org/a.png" in anonymous.problems
    assert any(p.startswith("failed: https://cdn.example.org/a.png") for p in anonymous.problems)

    docs = watched()
    docs.page.goto(f"{suite.url}/api/docs/")
    expect(docs.page.locator(".swagger-ui .info .title")).to_contain_text("Ensemble API")
    expect(docs.page.locator(".opblock").first).to_be_visible()
    settle(docs.page)
    assert docs.problems == []


def test_the_portal_chat_and_meeting_pages_load_only_from_the_suite(
    suite: Suite, watched: Any
) -> None:
    suite.create_user("noor@lyon.fr", "Noor Haddad")
    code = (
        suite.shell(
            "from ensemble.accounts.models import User\n"
            "from ensemble.meet.actions import create_meeting\n"
            "print(create_meeting(User.objects.get(email='noor@lyon.fr'), 'Point hebdo').code)"
        )
        .strip()
        .splitlines()[-1]
    )
    person = watched()
    sign_in(person.page, suite.url, "noor@lyon.fr")
    expect(person.page.get_by_role("heading", name="Hello Noor")).to_be_visible()
    expect(person.page.locator("body")).to_have_attribute("data-live", "")
    settle(person.page)

    person.page.goto(f"{suite.url}/chat/")
    expect(person.page.locator("[data-chat]")).to_have_attribute("data-live", "")
    settle(person.page)

    person.page.goto(f"{suite.url}/meet/{code}/")
    expect(person.page.locator("[data-preview]")).to_have_js_property("readyState", 4)
    expect(person.page.get_by_role("button", name="Join the meeting")).to_be_visible()
    settle(person.page)
    assert person.problems == []


def test_a_guest_keeps_their_key_in_an_http_only_cookie_not_in_addresses(
    suite: Suite, watched: Any
) -> None:
    suite.create_user("jury@lyon.fr", "Jeanne Host")
    code = (
        suite.shell(
            "from ensemble.accounts.models import User\n"
            "from ensemble.meet.actions import create_meeting\n"
            "print(create_meeting(User.objects.get(email='jury@lyon.fr'), 'Jury', 'public').code)"
        )
        .strip()
        .splitlines()[-1]
    )
    guest = watched()
    addresses: list[str] = []
    guest.page.on("request", lambda request: addresses.append(request.url))
    guest.page.goto(f"{suite.url}/meet/{code}/")
    expect(guest.page.locator("[data-preview]")).to_have_js_property("readyState", 4)
    guest.page.get_by_label("Your name").fill("Élise")
    guest.page.get_by_role("button", name="Join the meeting").click()
    expect(guest.page.locator("[data-waiting]")).to_be_visible()
    guest.page.wait_for_timeout(2500)  # the page asks for its place again meanwhile
    key = (
        suite.shell(
            "from ensemble.meet.models import Participant\n"
            f"print(Participant.objects.get(meeting__code={code!r}, user=None).guest_key)"
        )
        .strip()
        .splitlines()[-1]
    )
    asked = [url for url in addresses if f"/meetings/{code}/me/" in url]
    assert len(asked) >= 1
    assert [url for url in addresses if key in url or "key=" in url] == []
    [cookie] = [c for c in guest.page.context.cookies() if c["name"] == f"meet_guest_{code}"]
    assert cookie["value"] == key and cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    assert key not in guest.page.evaluate("document.cookie")
    assert key not in guest.page.evaluate(
        "JSON.stringify(sessionStorage) + JSON.stringify(localStorage)"
    )
    settle(guest.page)
    assert guest.problems == []
