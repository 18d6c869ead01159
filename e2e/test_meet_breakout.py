"""Breakout rooms with real browsers (fake cameras and microphones, the suite's own Janus, in
the network namespace of scripts/media-netns): the host places someone in a room by hand and
opens two rooms, someone who comes in late is let in and placed in the other room by the
host, each page moves its media there (Janus says who is in which room), a message reaches
every room, the host visits a room and is seen there, then brings everyone back to
the main room."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from e2e.conftest import Suite
from e2e.test_meet_page import (  # noqa: F401  (person: the fixture of the meeting pages)
    join,
    media_flowing,
    open_people,
    person,
    pytestmark,
    start_meeting,
)

SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meet-breakout-{name}.png"))


def who_is_where(suite: Suite, code: str) -> dict[str, list[str]]:
    """Who publishes in the meeting's Janus room and in each open breakout room, as Janus
    itself says."""
    out = suite.shell(
        "import json\n"
        "from ensemble.meet.models import Meeting\n"
        "from ensemble.meet.actions import server_of\n"
        f"m = Meeting.objects.get(code={code!r})\n"
        "s = server_of(m)\n"
        "rooms = {'main': m.janus_room}\n"
        "b = m.breakouts.filter(closed_at__isnull=True).first()\n"
        "rooms.update({r.name: r.janus_room for r in b.rooms.all()} if b else {})\n"
        "print(json.dumps({name: sorted(p.get('display', '') for p in s.participants(n)"
        " if p.get('publisher')) for name, n in rooms.items()}))"
    )
    return dict(json.loads(out.strip().splitlines()[-1]))


def frames_from_the_room(page: Page) -> None:
    """Wait until this page decodes video from the room it is in now (its new connection)."""
    for _ in range(60):
        stats = page.evaluate("window.ensembleMeet.stats()")
        if stats["framesDecoded"] > 10:
            return
        page.wait_for_timeout(500)
    raise AssertionError(f"no video received: {stats}")


def wait_where(page: Page, suite: Suite, code: str, expected: dict[str, list[str]]) -> None:
    for _ in range(60):
        now = who_is_where(suite, code)
        if now == expected:
            return
        page.wait_for_timeout(500)
    assert now == expected


def test_a_breakout_session_with_two_rooms_and_a_return_to_the_main_room(
    suite: Suite,
    person: Any,  # noqa: F811
) -> None:
    host = person("bea.breakout@lyon.fr", "Béatrice Roux")
    meeting_url = start_meeting(host, suite.url, "Atelier")
    code = meeting_url.rstrip("/").rsplit("/", 1)[1]
    join(host, meeting_url, muted=True)
    expect(host.locator("[data-room]")).to_be_visible()
    paul = person("paul.breakout@lyon.fr", "Paul Girard")
    join(paul, meeting_url)
    knock = host.locator("[data-knock]")
    expect(knock).to_contain_text("Paul Girard")
    knock.get_by_role("button", name="Admit", exact=True).click()
    expect(paul.locator("[data-room]")).to_be_visible()
    wait_where(host, suite, code, {"main": ["Béatrice Roux", "Paul Girard"]})

    # The host places Paul in room 1, by hand, and opens two rooms.
    open_people(host)
    panel = host.locator("[data-breakout-panel]")
    expect(panel).to_be_visible()
    panel.get_by_label("Number of rooms").fill("2")
    panel.get_by_text("By hand").click()
    panel.get_by_label("Paul Girard").select_option(label="Room 1")
    shot(host, "host-panel")
    # (Enter: the panel scrolls inside a page that scrolls, where a click may land outside it)
    panel.get_by_role("button", name="Open the rooms").press("Enter")
    expect(paul.locator("[data-breakout-banner]")).to_contain_text("You are in Room 1.")
    expect(host.locator("[data-breakout-banner]")).to_contain_text("Breakout rooms are open.")

    # Lina comes in late: let in, she is in the main room until the host places her in room 2.
    lina = person("lina.breakout@lyon.fr", "Lina Haddad")
    join(lina, meeting_url)
    expect(knock).to_contain_text("Lina Haddad")
    knock.get_by_role("button", name="Admit", exact=True).click()
    expect(lina.locator("[data-breakout-banner]")).to_contain_text("Breakout rooms are open.")
    place = panel.get_by_label("Lina Haddad")
    expect(place).to_have_value("")  # the main room
    wait_where(
        host,
        suite,
        code,
        {"main": ["Béatrice Roux", "Lina Haddad"], "Room 1": ["Paul Girard"], "Room 2": []},
    )
    place.evaluate("select => select.scrollIntoView({ block: 'center', behavior: 'instant' })")
    shot(host, "host-panel-open")
    place.select_option(label="Room 2")

    # Each page says where it is and moves its media there: Janus has them in their rooms.
    expect(lina.locator("[data-breakout-banner]")).to_contain_text("You are in Room 2.")
    expect(place).to_have_value(re.compile(".+"))
    people = {"Paul Girard": paul, "Lina Haddad": lina}
    everyone = ["Béatrice Roux", "Lina Haddad", "Paul Girard"]
    wait_where(
        host,
        suite,
        code,
        {"main": ["Béatrice Roux"], "Room 1": ["Paul Girard"], "Room 2": ["Lina Haddad"]},
    )
    expect(paul.locator("[data-tile]:not([hidden])")).to_have_count(1)  # alone in the room

    # A message to every room.
    panel.get_by_label("Message to every room").fill("Five minutes left")
    panel.get_by_role("button", name="Send to every room").press("Enter")
    for page in people.values():
        expect(page.locator("[data-breakout-message]")).to_contain_text(
            "Message from Béatrice Roux: Five minutes left"
        )

    # The host visits room 1: Paul receives her camera there.
    panel.locator("[data-breakout-room='Room 1']").get_by_role(
        "button", name="Go to this room"
    ).press("Enter")
    expect(host.locator("[data-breakout-banner]")).to_contain_text("You are in Room 1.")
    wait_where(
        host,
        suite,
        code,
        {"main": [], "Room 1": ["Béatrice Roux", "Paul Girard"], "Room 2": ["Lina Haddad"]},
    )
    frames_from_the_room(paul)
    shot(paul, "participant-in-room")

    # Everyone back in the main room.
    panel.get_by_role("button", name="Bring everyone back").press("Enter")
    for page in (host, paul, lina):
        expect(page.locator("[data-breakout-banner]")).to_be_hidden()
    wait_where(host, suite, code, {"main": everyone})
    expect(paul.locator("[data-tile]:not([hidden])")).to_have_count(3)
    media_flowing(lina)
    shot(lina, "back-in-main")
