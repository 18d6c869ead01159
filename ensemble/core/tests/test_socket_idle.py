"""The idle timeout and the live socket: what a person does on the socket (sending, typing)
is use of the session; a page merely left open is not, and its socket is closed once the
session is idle."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import PASSWORD
from ensemble.asgi import application
from ensemble.chat.tests.factories import RoomMemberFactory

pytestmark = pytest.mark.django_db(transaction=True)
HOUR = 3600


@pytest.fixture(autouse=True)
def _timeouts(settings: Any, time_machine: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 2 * HOUR
    time_machine.move_to(timezone.now(), tick=False)


async def browser_of(user: Any) -> Client:
    browser = Client()
    signed_in = await database_sync_to_async(browser.post)(
        "/accounts/login/", {"email": user.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302
    assert (await database_sync_to_async(browser.get)("/")).status_code == 200
    return browser


async def socket_of(browser: Client) -> tuple[WebsocketCommunicator, bool, Any]:
    cookie = f"sessionid={browser.cookies['sessionid'].value}"
    socket = WebsocketCommunicator(
        application,
        "/ws/",
        headers=[(b"cookie", cookie.encode()), (b"origin", b"http://127.0.0.1")],
    )
    connected, code = await socket.connect()
    return socket, connected, code


async def test_sending_on_the_socket_keeps_the_session_in_use(time_machine: Any) -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    browser = await browser_of(member.user)
    socket, connected, _code = await socket_of(browser)
    assert connected
    for n in range(4):  # 7 hours of messages, never 2 hours without one, and no page asked
        time_machine.shift(timedelta(hours=1, minutes=45))
        payload = {"room": str(member.room.pk), "txn_id": f"t{n}", "body": "Toujours là"}
        await socket.send_json_to(
            {"action": "call", "id": f"c{n}", "command": "chat.send", "payload": payload}
        )
        while (answer := await socket.receive_json_from(timeout=5))["type"] != "result":
            pass
        assert answer["status"] == 201, answer
    await socket.disconnect()
    page = await database_sync_to_async(browser.get)("/")
    assert page.status_code == 200  # still signed in


async def test_a_page_left_open_does_not_keep_the_session(time_machine: Any) -> None:
    member = await database_sync_to_async(RoomMemberFactory)()
    browser = await browser_of(member.user)
    socket, connected, _code = await socket_of(browser)
    assert connected
    await socket.send_json_to({"action": "ping"})
    assert (await socket.receive_json_from(timeout=5))["type"] == "pong"
    time_machine.shift(timedelta(hours=2, seconds=1))
    await socket.send_json_to({"action": "ping"})  # the page's own ping, nobody there
    assert (await socket.receive_output(timeout=5))["code"] == 4401
    _again, connected, code = await socket_of(browser)
    assert (connected, code) == (False, 4401)


async def test_a_socket_ends_with_its_session_s_absolute_age(
    settings: Any, time_machine: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3 * HOUR
    member = await database_sync_to_async(RoomMemberFactory)()
    browser = await browser_of(member.user)
    socket, connected, _code = await socket_of(browser)
    assert connected
    for _ in range(2):  # in use all along, yet the session is 3 hours old at the end
        time_machine.shift(timedelta(hours=1, minutes=30))
        await socket.send_json_to({"action": "presence", "state": "online"})
    time_machine.shift(timedelta(minutes=1))
    await socket.send_json_to({"action": "presence", "state": "online"})
    assert (await socket.receive_output(timeout=5))["code"] == 4401
