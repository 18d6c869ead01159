"""The chat page with two real browsers: live delivery, a cut network that loses nothing,
files and reactions, and a room that stays closed to people outside it."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from e2e.conftest import Suite, sign_in
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
    expect(page.locator("[data-chat]")).to_have_attribute("data-live", "")
    expect(page.locator("[data-history-end]")).to_be_visible()


def write(page: Any, text: str) -> None:
    page.locator("[data-composer-text]").fill(text)
    page.locator("[data-composer-text]").press("Enter")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 600), (0, 0, 145)).save(out, "PNG")
    return out.getvalue()


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
        expect(bruno.locator("[data-messages] [data-body]").nth(4)).to_have_text(expected[4])
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

        # Bruno mutes the room, then leaves it.
        with bruno.expect_response(lambda answer: "/notifications/" in answer.url) as saved:
            bruno.locator("[data-notify]").select_option("none")
        assert saved.value.status == 200
        bruno.reload()
        expect(bruno.locator("[data-notify]")).to_have_value("none")
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
