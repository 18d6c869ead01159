"""What tells people about messages, with real browsers: a meeting's link shows its card,
"seen by" follows the reader, the threads panel marks unread replies, and a mention in a tab
left in the background makes a browser notification (permission asked from a button)."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from e2e.conftest import ARTIFACTS, Suite, sign_in

ROOM = """
from ensemble.accounts.models import User
from ensemble.chat.actions import members, rooms
from ensemble.meet.models import Meeting
amel = User.objects.get(email='amel.a@lyon.fr')
bruno = User.objects.get(email='bruno.a@lyon.fr')
room = rooms.create_room(amel, 'private', 'Comité de pilotage')
members.add_member(amel, room, bruno)
meeting = Meeting.objects.create(title='Point hebdomadaire', organiser=amel)
print(room.pk, meeting.code)
"""

# The page sees itself in the background, and Notification records what it is asked to show
# (a headless browser shows no notification of its own).
BACKGROUND = """
Object.defineProperty(document, "hidden", { get: () => window.__hidden === true });
window.__notices = [];
class RecordedNotification {
  static permission = "default";
  static async requestPermission() {
    RecordedNotification.permission = "granted";
    return "granted";
  }
  constructor(title, options) { window.__notices.push({ title, body: options.body }); }
  close() {}
}
window.Notification = RecordedNotification;
"""


def open_room(page: Any, url: str, email: str, room: str) -> None:
    sign_in(page, url, email)
    page.goto(f"{url}/chat/{room}/")
    # This module runs first: the first sockets to a server just started, on a machine still
    # busy with the rest of the run, may take a while (as test_chat_page.open_room allows).
    expect(page.locator("[data-chat]")).to_have_attribute("data-live", "", timeout=30000)


def write(page: Any, text: str) -> None:
    page.locator("[data-composer-text]").fill(text)
    page.locator("[data-composer-text]").press("Enter")


def test_cards_seen_by_threads_and_browser_notifications(suite: Suite, new_page: Any) -> None:
    suite.create_user("amel.a@lyon.fr", "Amel Haddad")
    suite.create_user("bruno.a@lyon.fr", "Bruno Petit")
    room, code = suite.shell(ROOM).strip().splitlines()[-1].split()
    amel, bruno = new_page(), new_page()
    bruno.add_init_script(BACKGROUND)
    open_room(amel, suite.url, "amel.a@lyon.fr", room)
    open_room(bruno, suite.url, "bruno.a@lyon.fr", room)

    # Notifications: asked from the button, not on load.
    assert bruno.evaluate("Notification.permission") == "default"
    bruno.locator("[data-notify-permission]").click()
    expect(bruno.locator("[data-notify-permission]")).to_be_hidden()

    # A meeting's link shows its card, with Join.
    write(amel, f"Rendez-vous : {suite.url}/meet/{code}/")
    card = bruno.locator("[data-card='meeting']")
    expect(card).to_contain_text("Point hebdomadaire")
    expect(card.get_by_role("link", name="Join")).to_have_attribute(
        "href", f"{suite.url}/meet/{code}/"
    )

    # Bruno has read it: Amel sees it.
    expect(amel.locator("[data-seen-by]")).to_have_text("Seen by Bruno Petit", timeout=25000)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    amel.screenshot(path=str(ARTIFACTS / "chat-seen-by.png"))

    # A reply in a thread, then the threads panel marks it unread for Bruno.
    first = amel.locator("[data-messages] [data-message]").first
    first.hover()
    first.get_by_role("button", name="Reply in a thread").click()
    amel.locator("[data-thread-text]").fill("Ordre du jour en pièce jointe")
    amel.locator("[data-thread-text]").press("Enter")
    # The reply drawn in the thread and under its message before Amel writes on (the panel
    # drawn again while the @ list is open closed it in some runs: see the closing note).
    expect(amel.locator("[data-thread-messages]")).to_contain_text("Ordre du jour")
    expect(amel.locator("[data-messages] [data-replies]")).to_have_text("1 reply")
    bruno.evaluate("window.__hidden = true")
    text = amel.locator("[data-composer-text]")
    text.press_sequentially("@Bru")
    expect(amel.locator("[data-mention-list] [data-mention]")).to_have_count(1)
    expect(amel.locator("[data-mention-list]")).to_be_visible()
    expect(text).to_be_focused()
    text.press("Enter")  # chooses Bruno: the message names him by his id
    expect(text).to_have_value("@Bruno Petit ")
    text.press_sequentially("tu confirmes ?")
    text.press("Enter")
    notices: list[dict[str, str]] = []
    # Up to 25 s, as for "Seen by" above: as the first test of a cold run (a fresh server, the
    # first Chromium) the mention's event once took longer than 10 s to reach Bruno's page.
    for _wait in range(125):  # wait_for_function evaluates a string: the page's CSP forbids it
        notices = bruno.evaluate("() => window.__notices")
        if notices:
            break
        bruno.wait_for_timeout(200)
    assert notices[0]["title"] == "Amel Haddad mentioned you in Comité de pilotage"
    assert notices[0]["body"] == "@Bruno Petit tu confirmes ?"
    bruno.evaluate("window.__hidden = false")
    bruno.locator("[data-open-panel='threads']").click()
    expect(bruno.locator("[data-thread-list] [data-thread-root]")).to_have_count(1)
    amel.screenshot(path=str(ARTIFACTS / "chat-awareness-amel.png"))
    bruno.screenshot(path=str(ARTIFACTS / "chat-awareness-bruno.png"))

    # The switch on the profile page.
    bruno.goto(f"{suite.url}/accounts/profile/")
    switch = bruno.get_by_label("Share read receipts")
    expect(switch).to_be_checked()
    bruno.screenshot(path=str(ARTIFACTS / "profile-receipts.png"))
