"""Meetings with real browsers: Chromium's fake camera and microphone, the real Janus that
`ensemble serve` starts, all inside a private network namespace (scripts/media-netns) where
WebRTC works without a network card. Two people see and hear each other and share their
screens at once; the waiting room admits and refuses; a moderator mutes someone and both
screens show it; guests and members talk in the meeting's chat (a room of Chat) and react;
a recording becomes one video; pages reconnect after Janus restarts."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import (
    OwnSuite,
    Suite,
    close_pages,
    sign_in,
    stop_server,
)

pytestmark = pytest.mark.skipif(
    not os.environ.get("MEDIA_NETNS"),
    reason="WebRTC needs the network namespace of scripts/media-netns (make e2e runs it)",
)


@pytest.fixture
def person(media_browser: Browser, suite: Suite, request: Any) -> Iterator[Any]:
    """person(email): a signed-in browser of its own (guest=True: nobody signed in)."""
    pages: list[Page] = []

    def make(email: str = "", name: str = "") -> Page:
        context = media_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
        context.set_default_timeout(20000)
        page = context.new_page()
        pages.append(page)
        page.on("console", lambda message: print(f"[{email or 'guest'}] {message.text}"))
        page.on("pageerror", lambda error: print(f"[{email or 'guest'}] error: {error}"))
        if email:
            suite.create_user(email, name)
            sign_in(page, suite.url, email)
            expect(page.locator(".fr-header__tools-links [data-user-name]")).to_be_visible()
        return page

    yield make
    close_pages(request, pages)


def join(page: Page, url: str, muted: bool = False, timeout: float = 10_000) -> None:
    page.goto(url)
    expect(page.locator("[data-preview]")).to_have_js_property("readyState", 4, timeout=timeout)
    if muted:
        page.locator("label[for=join-muted]").click()
    page.get_by_role("button", name="Join the meeting").click()


def media_flowing(page: Page, timeout: float = 30) -> dict[str, int]:
    """Wait until this browser decodes video frames and receives audio from the others."""
    deadline = time.monotonic() + timeout
    while True:
        stats: dict[str, int] = page.evaluate("window.ensembleMeet.stats()")
        if stats["framesDecoded"] > 10 and stats["audioBytes"] > 1000:
            return stats
        assert time.monotonic() < deadline, f"no media received: {stats}"
        page.wait_for_timeout(500)


def open_people(page: Page) -> None:
    if page.locator("[data-side]").is_hidden():
        page.locator("[data-toggle-side]").click()


def test_two_people_see_hear_and_share_screens_and_a_moderator_mutes(
    suite: Suite, person: Any
) -> None:
    host = person("hana@lyon.fr", "Hana Morel")
    host.goto(f"{suite.url}/meet/")
    host.get_by_label("Title").fill("Point hebdomadaire")
    host.get_by_role("button", name="Start the meeting").click()
    expect(host.locator("#prejoin-title")).to_have_text("Point hebdomadaire")
    meeting_url = host.url
    join(host, meeting_url)
    expect(host.locator("[data-room]")).to_be_visible()

    # Someone else waits in the waiting room until the host lets them in.
    guest = person("yann@lyon.fr", "Yann Caron")
    join(guest, meeting_url)
    expect(guest.locator("[data-waiting]")).to_have_text("Waiting for a moderator to let you in…")
    open_people(host)
    waiting = host.locator("[data-waiting-person]")
    expect(waiting).to_contain_text("Yann Caron")
    expect(host.locator("[data-waiting-count]")).to_have_text("1")
    waiting.get_by_role("button", name="Admit").click()
    expect(guest.locator("[data-room]")).to_be_visible()

    # Each receives the other's camera (frames decoded) and microphone (bytes received).
    media_flowing(host)
    media_flowing(guest)
    other = guest.locator("[data-tile]:not([hidden]) video").first
    expect(guest.locator(".ens-meet__tile--video")).to_have_count(2)
    assert guest.evaluate(
        "() => [...document.querySelectorAll('[data-tile] video')].some(v => v.videoWidth > 0)"
    ), other

    # The host mutes Yann: his microphone turns off, and both screens show it.
    yann = host.locator("[data-people] [data-person]", has_text="Yann Caron")
    yann.get_by_role("button", name="Mute").click()
    expect(guest.locator("[data-toggle-mic]")).to_have_attribute("aria-pressed", "false")
    expect(guest.locator(".ens-meet__notice")).to_contain_text("Hana Morel muted your microphone.")
    expect(yann.locator("[data-muted]")).to_be_visible()
    yann_tile = host.locator("[data-tile]", has_text="Yann Caron")
    expect(yann_tile).to_have_attribute("data-muted", "true")
    open_people(guest)
    expect(
        guest.locator("[data-people] [data-person]", has_text="Yann Caron").locator("[data-muted]")
    ).to_be_visible()

    # Both share their screens at once: each sees the other's, in a tile of its own.
    host.locator("[data-toggle-screen]").click()
    guest.locator("[data-toggle-screen]").click()
    for page, sharer in ((guest, "Hana Morel"), (host, "Yann Caron")):
        screen = page.locator(".ens-meet__tile--screen", has_text=f"Screen of {sharer}")
        expect(screen).to_be_visible()
        expect(screen).to_have_class(re.compile("ens-meet__tile--video"))
        page.wait_for_function(
            "() => [...document.querySelectorAll('.ens-meet__tile--screen video')]"
            ".some(v => v.videoWidth > 0)"
        )
    host.locator("[data-toggle-screen]").click()  # stops sharing
    expect(guest.locator(".ens-meet__tile--screen", has_text="Screen of Hana Morel")).to_have_count(
        0
    )
    expect(host.locator("[data-toggle-screen]")).to_have_attribute("aria-pressed", "false")


def test_the_waiting_room_refuses(suite: Suite, person: Any) -> None:
    host = person("ines@lyon.fr", "Inès Roux")
    host.goto(f"{suite.url}/meet/")
    host.get_by_role("button", name="Start the meeting").click()
    meeting_url = host.url
    join(host, meeting_url, muted=True)
    expect(host.locator("[data-room]")).to_be_visible()
    expect(host.locator("[data-toggle-mic]")).to_have_attribute("aria-pressed", "false")

    stranger = person("paul@lyon.fr", "Paul Garnier")
    join(stranger, meeting_url)
    open_people(host)
    host.locator("[data-waiting-person]", has_text="Paul Garnier").get_by_role(
        "button", name="Refuse"
    ).click()
    expect(stranger.locator("[data-after-title]")).to_have_text("A moderator did not let you in.")
    expect(host.locator("[data-waiting-person]")).to_have_count(0)


def test_guests_talk_in_the_meetings_chat_room_and_react(suite: Suite, person: Any) -> None:
    host = person("lea@lyon.fr", "Léa Martin")
    code = suite.shell(
        "from ensemble.accounts.models import User\n"
        "from ensemble.meet.actions import create_meeting\n"
        "host = User.objects.get(email='lea@lyon.fr')\n"
        "print(create_meeting(host, 'Réunion publique', access='public', lobby=False).code)"
    ).split()[-1]
    url = f"{suite.url}/meet/{code}/"
    join(host, url, muted=True)
    guest = person()
    guest.goto(url)
    guest.get_by_label("Your name").fill("Jean Dupont")
    guest.get_by_role("button", name="Join the meeting").click()
    expect(guest.locator("[data-room]")).to_be_visible()

    # The guest writes (Markdown); the host, whose panel is closed, is told and reads it.
    open_people(guest)
    guest.locator("[data-tab=chat]").click()
    guest.locator("[data-chat-text]").fill("Bonjour **à tous**")
    guest.locator("[data-chat-text]").press("Enter")
    expect(host.locator("[data-chat-unread]")).to_have_text("1")
    open_people(host)
    host.locator("[data-tab=chat]").click()
    said = host.locator("[data-chat-messages] li", has_text="Bonjour à tous")
    expect(said).to_contain_text("Jean Dupont")
    expect(said).to_contain_text("Guest")
    expect(said.locator("strong", has_text="à tous")).to_be_visible()
    expect(host.locator("[data-chat-unread]")).to_be_hidden()
    host.locator("[data-chat-text]").fill("Bienvenue")
    host.locator("[data-chat-text]").press("Enter")
    expect(guest.locator("[data-chat-messages] li", has_text="Bienvenue")).to_contain_text(
        "Léa Martin"
    )

    # Guests react too, and everyone sees it.
    guest.locator("[data-react='👏']").click()
    expect(host.locator("[data-reaction='👏']")).to_contain_text("Jean Dupont")

    # A guest who reloads (and so leaves) and comes back finds the conversation again.
    guest.reload()
    guest.get_by_label("Your name").fill("Jean Dupont")
    guest.get_by_role("button", name="Join the meeting").click()
    expect(guest.locator("[data-room]")).to_be_visible()
    open_people(guest)
    guest.locator("[data-tab=chat]").click()
    expect(guest.locator("[data-chat-messages] li")).to_have_count(2)

    # The same conversation is a room of the Chat app, for the host to read later.
    link = host.locator("[data-chat-open]")
    expect(link).to_be_visible()
    chat = host.context.new_page()
    chat.goto(suite.url + str(link.get_attribute("href")))
    expect(chat.locator("[data-room-name]")).to_have_text("Réunion publique")
    message = chat.locator(".ens-msg", has_text="Bonjour à tous")
    expect(message).to_contain_text("Jean Dupont")
    expect(message).to_contain_text("Guest")
    expect(chat.locator(".ens-msg", has_text="Bienvenue")).to_be_visible()


def test_a_recording_is_made_of_the_meeting(suite: Suite, person: Any, tmp_path: Any) -> None:
    host = person("rose@lyon.fr", "Rose Lefèvre")
    host.goto(f"{suite.url}/meet/")
    host.get_by_label("Title").fill("Commission des finances")
    host.get_by_role("button", name="Start the meeting").click()
    meeting_url = host.url
    code = meeting_url.rstrip("/").rsplit("/", 1)[1]
    join(host, meeting_url)
    other = person("theo@lyon.fr", "Théo Marchand")
    join(other, meeting_url)
    open_people(host)
    host.locator("[data-waiting-person]").get_by_role("button", name="Admit").click()
    media_flowing(host)
    media_flowing(other)

    # Everyone sees that the meeting is recorded, for as long as it is.
    host.get_by_role("button", name="Start recording").click()
    expect(other.locator("[data-recording]")).to_be_visible()
    expect(other.locator(".ens-meet__notice")).to_contain_text("This meeting is being recorded.")
    host.wait_for_timeout(8000)
    host.get_by_role("button", name="Stop recording").click()
    expect(other.locator("[data-recording]")).to_be_hidden()

    # The worker makes one video of it, and tells the organiser.
    api = f"{suite.url}/api/v1/meet/recordings/?meeting={code}"
    deadline = time.monotonic() + 180
    while True:
        found = host.request.get(api).json()["results"]
        if found and found[0]["state"] in ("ready", "failed"):
            break
        assert time.monotonic() < deadline, found
        host.wait_for_timeout(1000)
    assert found[0]["state"] == "ready", found[0]["error"]
    expect(host.locator(".fr-header__tools-links [data-notifications-count]")).to_have_text(
        "1", timeout=10000
    )
    video = host.request.get(f"{suite.url}/api/v1/meet/recordings/{found[0]['id']}/download/")
    assert video.ok and video.headers["content-type"] == "application/octet-stream"
    path = tmp_path / "recording.mp4"
    path.write_bytes(video.body())
    probe = json.loads(
        subprocess.run(
            ["ffprobe", "-v", "error", "-show_streams", "-show_format", "-of", "json", str(path)],
            capture_output=True, text=True, check=True,
        ).stdout
    )  # fmt: skip
    kinds = {stream["codec_type"]: stream for stream in probe["streams"]}
    assert set(kinds) == {"audio", "video"}
    assert 6 <= float(probe["format"]["duration"]) <= 12, probe["format"]
    assert (kinds["video"]["width"], kinds["video"]["height"]) == (1280, 720)
    # Nobody else may download it.
    other_video = other.request.get(
        f"{suite.url}/api/v1/meet/recordings/{found[0]['id']}/download/"
    )
    assert other_video.status == 404


def test_pages_reconnect_by_themselves_when_janus_restarts(
    own_suite: OwnSuite, media_browser: Browser, request: Any
) -> None:
    """Janus killed mid-meeting: both pages say so; `ensemble serve` starts Janus again; the
    pages join the meeting placed anew (new room, new tokens) and receive each other again."""
    pages: list[Page] = []
    for email, name in (("lea@lyon.fr", "Léa Girard"), ("marc@lyon.fr", "Marc Dupuis")):
        own_suite.create_user(email, name)
        context = media_browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 860})
        context.set_default_timeout(20000)
        page = context.new_page()
        pages.append(page)
        sign_in(page, own_suite.url, email)
    host, other = pages
    try:
        host.goto(f"{own_suite.url}/meet/")
        host.get_by_role("button", name="Start the meeting").click()
        meeting_url = host.url
        join(host, meeting_url)
        join(other, meeting_url)
        open_people(host)
        host.locator("[data-waiting-person]").get_by_role("button", name="Admit").click()
        media_flowing(host)
        media_flowing(other)
        share = host.locator("[data-toggle-screen]")
        share.click()
        expect(other.locator(".ens-meet__tile--screen")).to_have_class(
            re.compile("ens-meet__tile--video")
        )

        conf = Path(own_suite.env["ENSEMBLE_DATA_DIR"]) / "janus" / "conf"
        janus = subprocess.run(
            ["pgrep", "-f", f"janus -C {conf}"], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        os.kill(int(janus), signal.SIGKILL)  # `ensemble serve` starts it again
        for page in pages:
            expect(page.locator("[data-offline]")).to_be_visible()
        for page in pages:
            expect(page.locator("[data-offline]")).to_be_hidden(timeout=45000)
        media_flowing(host)
        media_flowing(other)
        # The share went with the connection: the button says so, and sharing again works.
        expect(share).to_have_attribute("aria-pressed", "false")
        expect(share).to_have_text("Share the screen")
        expect(other.locator(".ens-meet__tile--screen")).to_have_count(0)
        share.click()
        expect(other.locator(".ens-meet__tile--screen")).to_have_class(
            re.compile("ens-meet__tile--video")
        )
        restarted = subprocess.run(
            ["pgrep", "-f", f"janus -C {conf}"], capture_output=True, text=True, check=True
        ).stdout.split()[0]
        assert restarted != janus
    finally:
        close_pages(request, pages)


SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"


def shot(page: Page, name: str) -> None:
    """A screenshot to look at after changing the page (var/screenshots/, not compared)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"meet-{name}.png"))


def pasted(page: Page) -> str:
    """What a paste gives (the pages may not read the clipboard: Permissions-Policy)."""
    page.evaluate(
        "() => { const f = document.createElement('textarea'); f.id = 'paste-here';"
        " document.body.append(f); f.focus(); }"
    )
    page.keyboard.press("ControlOrMeta+V")
    return str(page.evaluate("() => { const f = document.getElementById('paste-here');"
                             " f.remove(); return f.value; }"))  # fmt: skip


def start_meeting(host: Page, url: str, title: str = "") -> str:
    host.goto(f"{url}/meet/")
    if title:
        host.get_by_label("Title").fill(title)
    host.get_by_role("button", name="Start the meeting").click()
    expect(host.locator("[data-join-form]")).to_be_visible()
    return host.url


def test_the_host_is_told_at_once_that_someone_waits_and_sets_who_may_join(
    suite: Suite, person: Any
) -> None:
    host = person("nora@lyon.fr", "Nora Petit")
    host.context.grant_permissions(["clipboard-read", "clipboard-write"])
    meeting_url = start_meeting(host, suite.url, "Comité de pilotage")
    code = meeting_url.rstrip("/").rsplit("/", 1)[1]
    join(host, meeting_url, muted=True)
    expect(host.locator("[data-room]")).to_be_visible()
    expect(host.locator("[data-side]")).to_be_hidden()

    # The link and the code, copied from the page.
    host.locator("[data-copy-link]").click()
    expect(host.locator(".ens-meet__notice").last).to_contain_text("Copied")
    assert pasted(host) == meeting_url
    host.locator("[data-copy-code]").click()
    expect(host.locator(".ens-meet__notice").last).to_contain_text(f"Copied: {code}")
    assert pasted(host) == code

    # Someone knocks: with the panel closed, the host sees it at once, and lets them in.
    other = person("omar@lyon.fr", "Omar Benali")
    join(other, meeting_url, muted=True)
    knock = host.locator("[data-knock]")
    expect(knock).to_contain_text("Omar Benali is waiting to join.")
    expect(host.locator("[data-side-badge]")).to_have_text("1")
    expect(host.locator("[data-side]")).to_be_hidden()
    shot(host, "waiting-notice")
    knock.get_by_role("button", name="Admit").click()
    expect(other.locator("[data-room]")).to_be_visible()
    expect(knock).to_be_hidden()
    expect(host.locator("[data-side-badge]")).to_be_hidden()

    # Only the host sees who may join, and changes it: the meeting opens to guests.
    open_people(other)
    expect(other.locator("[data-access]")).to_be_hidden()
    open_people(host)
    access = host.locator("[data-access]")
    expect(access).to_have_value("signed_in")
    guest = person()
    guest.goto(meeting_url)
    expect(guest.get_by_label("Your name")).to_have_count(0)  # sent to sign in
    access.select_option("public")
    expect(host.locator(".ens-meet__notice").last).to_contain_text(
        "Who may join: Anyone with the link, guests included"
    )
    assert host.request.get(f"{suite.url}/api/v1/meet/meetings/{code}/").json()["access"] == (
        "public"
    )
    guest.goto(meeting_url)
    guest.get_by_label("Your name").fill("Zoé Marchal")
    guest.get_by_role("button", name="Join the meeting").click()
    expect(host.locator("[data-knock]")).to_contain_text("Zoé Marchal is waiting to join.")
    host.locator("[data-knock]").get_by_role("button", name="Refuse").click()
    expect(guest.locator("[data-after-title]")).to_have_text("A moderator did not let you in.")


def test_tiles_keep_faces_whole_and_the_meeting_ends_for_good(suite: Suite, person: Any) -> None:
    host = person("iris@lyon.fr", "Iris Lambert")
    meeting_url = start_meeting(host, suite.url, "Point d'étape")
    join(host, meeting_url, muted=True)

    # Alone: one's own tile, whole (contain), not stretched over the stage.
    mine = host.locator("[data-tile]:not([hidden])")
    expect(mine).to_have_count(1)
    expect(mine).to_have_class(re.compile("ens-meet__tile--mine"))
    expect(mine).to_have_class(re.compile("ens-meet__tile--video"))
    stage = host.locator("[data-tiles]").bounding_box()
    tile = mine.bounding_box()
    assert stage and tile and tile["width"] < 0.8 * stage["width"], (tile, stage)
    assert abs(tile["width"] / tile["height"] - 16 / 9) < 0.05, tile
    assert mine.locator("video").evaluate("v => getComputedStyle(v).objectFit") == "contain"
    shot(host, "1-person")

    # Noise suppression: on by default, turned off and on again during the meeting.
    expect(host.locator("[data-toggle-noise]")).to_have_attribute("aria-pressed", "true")
    assert host.evaluate("window.ensembleMeet.audio().noiseSuppression") is True
    host.locator("[data-toggle-noise]").click()
    expect(host.locator("[data-toggle-noise]")).to_have_attribute("aria-pressed", "false")
    host.wait_for_function("() => window.ensembleMeet.audio().noiseSuppression === false")
    host.locator("[data-toggle-noise]").click()
    host.wait_for_function("() => window.ensembleMeet.audio().noiseSuppression === true")

    other = person("jules@lyon.fr", "Jules Fabre")
    join(other, meeting_url)
    host.locator("[data-knock]").get_by_role("button", name="Admit").click()
    media_flowing(host)
    expect(host.locator("[data-tile]:not([hidden])")).to_have_count(2)
    expect(host.locator("[data-tile]:not([hidden])").first).to_have_class(
        re.compile("ens-meet__tile--mine")
    )
    shot(host, "2-people")

    # The host ends it: the other is told, and not offered to join again.
    host.once("dialog", lambda dialog: dialog.accept())
    host.locator("[data-end]").click()
    expect(other.locator("[data-after-title]")).to_have_text("The meeting has ended.")
    expect(other.locator("[data-rejoin]")).to_be_hidden()
    expect(host.locator("[data-rejoin]")).to_be_hidden()
    shot(other, "ended")
    other.reload()
    expect(other.get_by_text("This meeting has ended.")).to_be_visible()
    expect(other.get_by_role("button", name="Join the meeting")).to_have_count(0)


def test_the_site_has_an_icon(suite: Suite, person: Any) -> None:
    page = person("ugo@lyon.fr", "Ugo Blanc")
    icons = page.locator("link[rel=icon]")
    expect(icons).to_have_count(2)
    for href, kind in zip(
        icons.evaluate_all("links => links.map(l => l.href)"),
        ("image/svg+xml", "image/png"),
        strict=True,
    ):
        answer = page.request.get(href)
        assert answer.ok and answer.headers["content-type"] == kind, href


def test_screens_shared_again_and_again_always_show(suite: Suite, person: Any) -> None:
    """Sharing, stopping, sharing again: each time the other page plays the screen (it once
    missed one try in eight: a subscription Janus had not applied was taken as done)."""
    host = person("alix@lyon.fr", "Alix Meyer")
    meeting_url = start_meeting(host, suite.url)
    join(host, meeting_url)
    other = person("basile@lyon.fr", "Basile Roy")
    join(other, meeting_url, muted=True)
    host.locator("[data-knock]").get_by_role("button", name="Admit").click()
    media_flowing(other)
    button = host.locator("[data-toggle-screen]")
    screen = other.locator(".ens-meet__tile--screen", has_text="Screen of Alix Meyer")
    for _ in range(6):
        button.click()
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(button).to_have_text("Stop sharing")
        expect(screen).to_have_class(re.compile("ens-meet__tile--video"))
        other.wait_for_function(
            "() => [...document.querySelectorAll('.ens-meet__tile--screen video')]"
            ".some(v => v.videoWidth > 0)"
        )
        button.click()
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(button).to_have_text("Share the screen")
        expect(screen).to_have_count(0)


class SmallPages(OwnSuite):
    """A suite whose meeting pages show five tiles at a time."""

    def start(self) -> None:
        self.env["MEET_PAGE_SIZE"] = "5"
        super().start()


@pytest.mark.timeout(600)  # six browsers with cameras
def test_the_last_of_six_to_join_sees_themselves_on_the_first_page(
    tmp_path: Path, media_browser: Browser, request: Any
) -> None:
    small = SmallPages(tmp_path)
    pages: list[Page] = []
    names = ["Anne Roche", "Bruno Caron", "Chloé Dumas", "David Henry", "Emma Joly", "Félix Noël"]
    try:
        for number, name in enumerate(names):
            email = f"p{number}@lyon.fr"
            small.create_user(email, name)
            context = media_browser.new_context(
                locale="en-GB", viewport={"width": 1280, "height": 860}
            )
            context.set_default_timeout(30000)
            page = context.new_page()
            pages.append(page)
            sign_in(page, small.url, email)
        host, *others = pages
        meeting_url = start_meeting(host, small.url, "Réunion de service")
        join(host, meeting_url, muted=True)
        for page in others:  # six browsers on a busy machine: a camera takes longer to open
            join(page, meeting_url, muted=True, timeout=45_000)
            expect(host.locator("[data-knock]")).to_be_visible(timeout=30_000)
            host.locator("[data-knock]").get_by_role("button", name="Admit").first.click()
            expect(page.locator("[data-room]")).to_be_visible(timeout=45_000)
        last = pages[-1]
        shown = last.locator("[data-tile]:not([hidden])")
        expect(shown).to_have_count(5, timeout=30_000)
        expect(shown.first).to_contain_text("Félix Noël (you)")
        expect(last.locator("[data-page-label]")).to_have_text("Page 1 of 2")
        last.wait_for_function(  # the others' cameras (all muted: no audio to wait for)
            "() => [...document.querySelectorAll('[data-tile]:not([hidden]) video')]"
            ".filter(v => v.videoWidth > 0).length >= 5",
            timeout=60_000,
        )
        shot(last, "6-people-page-1")
        # The second page holds one person, in a tile of a full page's size.
        last.locator("[data-page-next]").click()
        expect(shown).to_have_count(1)
        stage = last.locator("[data-tiles]").bounding_box()
        tile = shown.bounding_box()
        assert stage and tile and tile["width"] < 0.4 * stage["width"], (tile, stage)
        shot(last, "6-people-page-2")
    finally:
        close_pages(request, pages)
        stop_server(small.server)
