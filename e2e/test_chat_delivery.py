"""Chat delivery survives a killed server: a client that reconnects with its last sequence
gets every missed message once, in order; a retried send never duplicates."""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import requests
import websockets

from e2e.conftest import PASSWORD, OwnSuite

T = TypeVar("T")


def outside_the_loop(work: Coroutine[Any, Any, T]) -> T:
    """Run ``work`` in a thread of its own: Playwright's sync API, started by a browser test
    before this one, keeps an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, work).result()


def kill_hard(server: Any) -> None:
    """SIGKILL the whole suite (web server, worker, then the parent): no clean shutdown."""
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    for pid in children:
        os.kill(int(pid), signal.SIGKILL)
    server.kill()
    server.wait(timeout=10)


def signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{url}/accounts/login/")
    answer = session.post(
        f"{url}/accounts/login/",
        data={"email": email, "password": PASSWORD},
        headers={"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{url}/"},
        allow_redirects=False,
    )
    assert answer.status_code == 302, answer.text[:300]
    return session


async def follow(
    url: str, session: requests.Session, stream: str, after: int, count: int
) -> list[dict[str, Any]]:
    """Subscribe after ``after`` and collect ``count`` events (then make sure no more come)."""
    cookie = "; ".join(f"{k}={v}" for k, v in session.cookies.items())
    ws_url = url.replace("http://", "ws://") + "/ws/"
    async with websockets.connect(
        ws_url, additional_headers={"Cookie": cookie, "Origin": url}
    ) as socket:
        await socket.send(json.dumps({"action": "subscribe", "stream": stream, "after": after}))
        events: list[dict[str, Any]] = []
        while len(events) < count:
            message = json.loads(await asyncio.wait_for(socket.recv(), timeout=15))
            if message["type"] == "event":
                events.append(message)
        try:
            extra = json.loads(await asyncio.wait_for(socket.recv(), timeout=1.5))
        except TimeoutError:
            extra = None
        assert extra is None or extra["type"] == "subscribed", extra
        return events


def test_missed_messages_arrive_once_in_order_after_a_killed_server(own_suite: OwnSuite) -> None:
    suite = own_suite
    suite.create_user("lea@lyon.fr", "Léa Moreau")
    room_id = (
        suite.shell(
            "from ensemble.accounts.models import User\n"
            "from ensemble.chat.actions.rooms import create_room\n"
            "print(create_room(User.objects.get(email='lea@lyon.fr'), 'private', 'Crise').pk)"
        )
        .strip()
        .splitlines()[-1]
    )
    stream = f"chat.room:{room_id}"
    session = signed_in(suite.url, "lea@lyon.fr")
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{suite.url}/"}

    def send(txn: str, body: str) -> requests.Response:
        return session.post(
            f"{suite.url}/api/v1/chat/rooms/{room_id}/messages/",
            json={"txn_id": txn, "body": body},
            headers=headers,
        )

    for number in range(3):
        assert send(f"t{number}", f"avant {number}").status_code == 201
    live = outside_the_loop(follow(suite.url, session, stream, 0, 3))
    assert [e["seq"] for e in live] == [1, 2, 3]

    kill_hard(suite.server)
    suite.shell(
        "from ensemble.accounts.models import User\n"
        "from ensemble.chat.actions.sending import send_message\n"
        "from ensemble.chat.models import Room\n"
        "lea = User.objects.get(email='lea@lyon.fr')\n"
        f"room = Room.objects.get(pk='{room_id}')\n"
        "send_message(lea, room, 'd1', 'pendant 1')\n"
        "send_message(lea, room, 'd2', 'pendant 2')"
    )
    suite.start()

    missed = outside_the_loop(follow(suite.url, session, stream, 3, 2))
    assert [(e["seq"], e["payload"]["body"]) for e in missed] == [
        (4, "pendant 1"),
        (5, "pendant 2"),
    ]
    retry = send("t1", "avant 1")  # a client retrying after the crash
    assert retry.status_code == 200
    history = session.get(f"{suite.url}/api/v1/chat/rooms/{room_id}/messages/").json()
    assert [m["body"] for m in history] == [
        "avant 0",
        "avant 1",
        "avant 2",
        "pendant 1",
        "pendant 2",
    ]
