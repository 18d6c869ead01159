"""The document socket: Yjs sync between editors, every update stored before it is
acknowledged, readers and commenters refused whatever they send, awareness under one's own
name, and who may open the socket at all."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from channels.db import database_sync_to_async
from channels.testing.websocket import WebsocketCommunicator
from django.test import Client

from ensemble.accounts.tests.factories import OrganisationFactory, UserFactory
from ensemble.asgi import application
from ensemble.core.abilities import LinkReach, Role
from ensemble.docs import protocol, store
from ensemble.docs.models import Document, DocumentUpdate, Visit
from ensemble.docs.tests.factories import document, share
from ensemble.docs.tests.yclient import YClient, words_of

pytestmark = pytest.mark.django_db(transaction=True)

db = database_sync_to_async


async def open_socket(user: Any, doc: Document) -> tuple[WebsocketCommunicator, int | None]:
    headers = [(b"origin", b"http://127.0.0.1")]
    if user is not None:
        client = Client()
        await db(client.force_login)(user)
        headers.append((b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode()))
    socket = WebsocketCommunicator(application, f"/ws/docs/{doc.pk}/", headers=headers)
    connected, code = await socket.connect()
    return socket, (None if connected else code)


async def editor(user: Any, doc: Document) -> tuple[YClient, WebsocketCommunicator]:
    socket, refused = await open_socket(user, doc)
    assert refused is None, refused

    async def receive(timeout: float) -> bytes:
        frame: bytes = await socket.receive_from(timeout=timeout)
        return frame

    client = YClient(lambda data: socket.send_to(bytes_data=data), receive)
    await client.handshake()
    return client, socket


def text_stored(doc: Document) -> str:
    return words_of(store.doc_of(store.load(doc.pk)))


async def test_an_edit_is_stored_acknowledged_and_seen_by_the_other_editor() -> None:
    doc = await db(document)()
    other = await db(share)(doc, Role.EDITOR)
    alice, alice_socket = await editor(doc.creator, doc)
    bruno, bruno_socket = await editor(other, doc)
    await alice.type("Bonjour")
    await alice.until_saved()
    assert alice.saved == alice.sent
    # Acknowledged means stored: the database holds it before the acknowledgement.
    assert await db(text_stored)(doc) == "Bonjour"
    await bruno.until(lambda: str(bruno.text) == "Bonjour")
    await bruno.type(" à tous")
    await alice.until(lambda: str(alice.text) == "Bonjour à tous")
    await bruno.until_saved()
    assert await db(text_stored)(doc) == "Bonjour à tous"
    assert await db(Visit.objects.filter(document=doc).count)() == 2
    await alice_socket.disconnect()
    await bruno_socket.disconnect()


async def test_an_editor_back_from_offline_sends_what_the_server_lacks() -> None:
    doc = await db(document)()
    alice, socket = await editor(doc.creator, doc)
    await alice.type("en ligne. ")
    await alice.until_saved()
    await socket.disconnect()
    alice.insert(len(alice.text), "hors ligne.")  # typed while the socket was down
    alice.pending.clear()
    again, again_socket = await editor(doc.creator, doc)
    again.doc.apply_update(alice.doc.get_update())  # the page reloads its IndexedDB copy
    again.pending.clear()
    await again_socket.disconnect()
    back, back_socket = await editor(doc.creator, doc)
    assert str(back.text) == "en ligne. "  # nothing sent yet: the copy above was discarded
    back.doc.apply_update(alice.doc.get_update())
    back.pending.clear()
    await back_socket.disconnect()
    # The page's provider, reconnecting, runs the handshake with its whole local state.
    socket2, refused = await open_socket(doc.creator, doc)
    assert refused is None

    async def receive(timeout: float) -> bytes:
        frame: bytes = await socket2.receive_from(timeout=timeout)
        return frame

    offline = YClient(lambda data: socket2.send_to(bytes_data=data), receive)
    offline.doc.apply_update(alice.doc.get_update())
    offline.pending.clear()
    await offline.handshake()
    await offline.until_saved()
    assert await db(text_stored)(doc) == "en ligne. hors ligne."
    await socket2.disconnect()


@pytest.mark.parametrize("role", [Role.READER, Role.COMMENTER])
async def test_a_reader_or_commenter_cannot_change_the_document_whatever_they_send(
    role: str,
) -> None:
    doc = await db(document)()
    reader = await db(share)(doc, role)
    owner, owner_socket = await editor(doc.creator, doc)
    await owner.type("Texte officiel")
    await owner.until_saved()
    client, socket = await editor(reader, doc)
    assert str(client.text) == "Texte officiel"
    await client.type(" — falsifié")  # a forged update, as a modified page would send
    await client.until(lambda: len(client.denied) == 1)
    assert client.denied == ["read-only"]
    # A sync step 2 carrying content is refused the same way.
    client.insert(0, "X")
    await client.send_update(client.pending[-1], protocol.sync_step2)
    await client.until(lambda: len(client.denied) == 2)
    assert await db(text_stored)(doc) == "Texte officiel"
    assert await owner_socket.receive_nothing(timeout=0.3)
    assert await db(DocumentUpdate.objects.filter(document=doc).count)() == 1
    await socket.disconnect()
    await owner_socket.disconnect()


async def test_who_may_open_the_socket() -> None:
    doc = await db(document)()
    _, refused = await open_socket(None, doc)
    assert refused == 4401  # not signed in
    stranger = await db(UserFactory)(organisation=await db(OrganisationFactory)())
    _, refused = await open_socket(stranger, doc)
    assert refused == 4403
    colleague = await db(UserFactory)(organisation_id=doc.organisation_id)
    _, refused = await open_socket(colleague, doc)
    assert refused == 4403  # restricted: the organisation does not see it
    await db(Document.objects.filter(pk=doc.pk).update)(link_reach=LinkReach.AUTHENTICATED)
    socket, refused = await open_socket(colleague, doc)
    assert refused is None
    await socket.disconnect()
    external = await db(UserFactory)(is_external=True)
    _, refused = await open_socket(external, doc)
    assert refused == 4403  # a link is not an invitation
    await db(Document.objects.filter(pk=doc.pk).update)(deleted_at="2026-01-01T00:00:00Z")
    _, refused = await open_socket(doc.creator, doc)
    assert refused == 4403  # in the trash: not edited live


async def test_a_public_link_lets_anyone_read_and_edit_only_if_it_says_so() -> None:
    doc = await db(document)()
    await db(Document.objects.filter(pk=doc.pk).update)(link_reach=LinkReach.PUBLIC)
    anonymous, socket = await editor(None, doc)
    await anonymous.type("anonyme")
    await anonymous.until(lambda: bool(anonymous.denied))
    assert anonymous.denied == ["read-only"]
    await socket.disconnect()
    await db(Document.objects.filter(pk=doc.pk).update)(link_role=Role.EDITOR)
    anonymous, socket = await editor(None, doc)
    await anonymous.type("anonyme")
    await anonymous.until_saved()
    assert await db(text_stored)(doc) == "anonyme"
    await socket.disconnect()


async def test_cursors_carry_the_person_s_own_name_and_go_when_they_leave() -> None:
    doc = await db(document)()
    other = await db(share)(doc, Role.EDITOR)
    alice, alice_socket = await editor(doc.creator, doc)
    bruno, bruno_socket = await editor(other, doc)
    await bruno.announce(4242, {"user": {"name": str(doc.creator)}, "cursor": {"anchor": 1}})
    await alice.until(lambda: 4242 in alice.awareness)
    assert alice.awareness[4242]["user"]["name"] == str(other)  # not the name Bruno forged
    assert alice.awareness[4242]["cursor"] == {"anchor": 1}
    # A newcomer gets the states already there.
    carla, carla_socket = await editor(await db(share)(doc, Role.READER), doc)
    await carla.until(lambda: 4242 in carla.awareness)
    # Carla cannot move or remove Bruno's caret by announcing his client as hers.
    await carla.announce(4242, {"cursor": {"anchor": 99}}, clock=5)
    await carla.announce(4243, {"cursor": {"anchor": 2}})
    await alice.until(lambda: 4243 in alice.awareness)
    assert alice.awareness[4242]["cursor"] == {"anchor": 1}
    await bruno_socket.disconnect()
    await alice.until(lambda: alice.awareness.get(4242, "") is None)
    await alice_socket.disconnect()
    await carla_socket.disconnect()


async def test_bad_frames_close_the_socket_and_store_nothing() -> None:
    doc = await db(document)()
    for frame in [
        b"\x00\x02\x05abc",  # an update shorter than it says
        b"\x00\x02\x03\xff\xff\xff",  # not a Yjs update
        b"\x00\x07\x00",  # no such sync step
        b"\x01\x05\x01\x01\x01\x01{",  # awareness that is not JSON
    ]:
        socket, refused = await open_socket(doc.creator, doc)
        assert refused is None
        await socket.send_to(bytes_data=frame)
        while True:
            output = await socket.receive_output(timeout=5)
            if output["type"] == "websocket.close":
                assert output["code"] == 4400
                break
    socket, _ = await open_socket(doc.creator, doc)
    await socket.send_to(text_data="not binary")
    while (output := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert await db(DocumentUpdate.objects.filter(document=doc).count)() == 0


async def test_the_log_is_folded_into_a_snapshot_without_losing_anything() -> None:
    doc = await db(document)()
    alice, socket = await editor(doc.creator, doc)
    for word in ["un ", "deux ", "trois "]:
        await alice.type(word)
    await alice.until_saved()
    assert await db(store.compact)(doc.pk) == 3
    await alice.type("quatre")
    await alice.until_saved()
    assert await db(text_stored)(doc) == "un deux trois quatre"
    late, late_socket = await editor(doc.creator, doc)
    assert str(late.text) == "un deux trois quatre"
    await socket.disconnect()
    await late_socket.disconnect()


async def test_people_mentioned_in_the_text_are_told_once_if_they_may_read_it() -> None:
    from pycrdt import XmlElement

    from ensemble.accounts.tests.factories import UserFactory as People
    from ensemble.portal.models import Notification

    doc = await db(document)(title="Ordre du jour")
    colleague = await db(share)(doc, Role.READER)
    outsider = await db(People)()
    alice, socket = await editor(doc.creator, doc)
    paragraph = alice.fragment.children.append(XmlElement("paragraph"))
    for person in (colleague, outsider, colleague):
        paragraph.children.append(XmlElement("mention", {"id": str(person.pk), "label": "x"}))
    await alice.flush()
    await alice.until_saved()
    told = await db(list)(Notification.objects.filter(recipient=colleague))
    assert [n.title for n in told] == [f"{doc.creator} mentioned you in Ordre du jour"]
    assert not await db(Notification.objects.filter(recipient=outsider).exists)()
    alice.insert(0, "suite")  # later edits tell nobody again
    await alice.flush()
    await alice.until_saved()
    assert await db(Notification.objects.filter(recipient=colleague).count)() == 1
    await socket.disconnect()


async def test_updates_from_another_process_late_or_lost_still_reach_the_editor() -> None:
    """Another process's updates come through Redis after this process's own, in any order,
    and the layer may lose one: the editor gets each exactly as stored, none skipped."""
    import base64

    from channels.layers import get_channel_layer
    from pycrdt import Doc, XmlElement, XmlFragment, XmlText

    from ensemble.docs.realtime import group_of

    doc = await db(document)()
    alice, socket = await editor(doc.creator, doc)
    elsewhere = Doc()
    updates: list[bytes] = []
    elsewhere.observe(lambda event: updates.append(event.update))
    with elsewhere.transaction():
        fragment = elsewhere.get("default", type=XmlFragment)
        words = fragment.children.append(XmlElement("paragraph")).children.append(XmlText())
        words.insert(0, "un ")
    for word in ["deux ", "trois "]:
        words.insert(len(words), word)
    seqs = [await db(store.append)(doc.pk, update) for update in updates]  # stored over there
    layer = get_channel_layer()

    async def arrives(index: int) -> None:
        data = base64.b64encode(updates[index]).decode()
        message = {"type": "doc.update", "seq": seqs[index], "data": data, "sender": "other"}
        await layer.group_send(group_of(doc.pk), message)

    await alice.type("local ")  # this process's own update, numbered after the three
    await alice.until_saved()
    await arrives(2)  # late and out of order; the first one is lost by the layer
    await arrives(1)
    await alice.until(lambda: "un deux trois" in str(alice.text))
    assert str(alice.text).count("deux") == 1
    await socket.disconnect()


async def test_a_socket_sending_too_fast_is_closed_and_its_edits_come_back_on_reconnect(
    settings: Any,
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "docs.frames": "5/minute"}
    doc = await db(document)()
    alice, socket = await editor(doc.creator, doc)  # the handshake spent two frames
    for word in ["un ", "deux ", "trois ", "quatre ", "cinq "]:
        await alice.type(word)
    while (output := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert output["code"] == 4429
    # What it received before closing is still stored (its storer finishes after the close).
    for _ in range(50):
        if await db(text_stored)(doc) == "un deux trois ":
            break
        await asyncio.sleep(0.1)
    assert await db(text_stored)(doc) == "un deux trois "
    back, back_socket = await editor(doc.creator, doc)  # the page reconnects with its state
    back.doc.apply_update(alice.doc.get_update())
    await back.flush()
    await back.until_saved()
    assert await db(text_stored)(doc) == "un deux trois quatre cinq "
    await back_socket.disconnect()


async def closed_with(socket: WebsocketCommunicator) -> int:
    while (output := await socket.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    return int(output["code"])


async def test_a_session_that_ends_closes_its_document_sockets() -> None:
    from ensemble.core.realtime import close_sockets_of

    doc = await db(document)()
    client = Client()
    await db(client.force_login)(doc.creator)
    key = client.cookies["sessionid"].value
    socket = WebsocketCommunicator(
        application,
        f"/ws/docs/{doc.pk}/",
        headers=[(b"origin", b"http://127.0.0.1"), (b"cookie", f"sessionid={key}".encode())],
    )
    assert (await socket.connect())[0]
    await db(close_sockets_of)([key])  # signed out, revoked, or the account deactivated
    assert await closed_with(socket) == 4401


async def test_losing_access_while_connected_disconnects_or_makes_read_only() -> None:
    from ensemble.docs import actions
    from ensemble.docs.models import DocumentAccess

    doc = await db(document)()
    kept = await db(share)(doc, Role.EDITOR)
    gone = await db(share)(doc, Role.EDITOR)
    keeper, keeper_socket = await editor(kept, doc)
    _leaver, leaver_socket = await editor(gone, doc)
    access = await db(DocumentAccess.objects.select_related("document").get)(user=kept)
    await db(actions.change_access)(doc.creator, access, Role.READER)
    await keeper.until(lambda: keeper.denied == ["read-only"])  # told at once
    await keeper.type("plus rien")
    await keeper.until(lambda: len(keeper.denied) == 2)
    revoked = await db(DocumentAccess.objects.select_related("document").get)(user=gone)
    await db(actions.revoke)(doc.creator, revoked)
    assert await closed_with(leaver_socket) == 4403
    assert await db(text_stored)(doc) == ""
    await keeper_socket.disconnect()


async def test_pages_are_told_when_the_comments_change() -> None:
    from ensemble.docs import comments

    doc = await db(document)()
    reader = await db(share)(doc, Role.READER)
    watching, socket = await editor(reader, doc)
    await db(comments.write)(doc.creator, doc, "Une remarque")
    await watching.until(lambda: watching.comments_changed == 1)
    await socket.disconnect()


async def test_an_edit_reaches_the_others_before_it_is_stored_and_only_once(
    monkeypatch: Any,
) -> None:
    """Other editors do not wait for the database; the sender's "saved" does."""
    import threading

    doc = await db(document)()
    other = await db(share)(doc, Role.EDITOR)
    alice, alice_socket = await editor(doc.creator, doc)
    bruno, bruno_socket = await editor(other, doc)
    storing = threading.Event()
    original = store.append_many

    def slow_disk(items: Any) -> Any:
        storing.wait(10)
        return original(items)

    monkeypatch.setattr(store, "append_many", slow_disk)
    await alice.type("vite")
    await bruno.until(lambda: str(bruno.text) == "vite")
    assert alice.saved < alice.sent  # not stored yet, not acknowledged
    storing.set()
    await alice.until_saved()
    assert await db(text_stored)(doc) == "vite"
    assert await bruno_socket.receive_nothing(timeout=0.3)  # the stored copy is not resent
    assert bruno.updates_received == 1
    await alice_socket.disconnect()
    await bruno_socket.disconnect()


async def test_a_move_checks_again_the_sockets_of_the_pages_moved() -> None:
    from ensemble.docs import actions

    root = await db(document)(title="Espace")
    child = await db(document)(parent=root, title="Page")
    below = await db(document)(parent=child, title="Sous-page")
    reader = await db(share)(root, Role.READER)
    _reading, socket = await editor(reader, below)
    await db(actions.move)(root.creator, child, None)  # out of the space it inherited from
    assert await closed_with(socket) == 4403


async def test_what_no_editor_shows_is_refused(monkeypatch: Any) -> None:
    """An update filling another top-level type, one too large, or awareness carrying more
    than a name and a caret: refused, not stored, not relayed (a review made documents grow
    by 10 MiB rows no editor shows, and filled rooms with 8 MiB cursor states)."""
    from pycrdt import Doc, Text

    from ensemble.docs import realtime

    doc = await db(document)()
    other = await db(share)(doc, Role.EDITOR)
    alice, alice_socket = await editor(doc.creator, doc)
    bruno, bruno_socket = await editor(other, doc)
    hidden = Doc()
    hidden.get("junk", type=Text).insert(0, "x" * 1000)
    await alice.send_update(hidden.get_update())
    assert await closed_with(alice_socket) == 4400
    monkeypatch.setattr(realtime, "MAX_UPDATE", 100)
    alice, alice_socket = await editor(doc.creator, doc)
    await alice.type("y" * 500)
    await alice.until(lambda: alice.denied == ["too-large"])
    await alice.announce(7, {"cursor": {"anchor": 1}, "secret": "z" * 100})
    await bruno.until(lambda: 7 in bruno.awareness)
    assert set(bruno.awareness[7]) == {"cursor", "user"}
    await alice.announce(8, {"cursor": {"anchor": 1}, "user": {"name": "x" * 20_000}})
    await alice.type("")
    assert await bruno_socket.receive_nothing(timeout=0.3)  # the big one was not relayed
    assert 8 not in bruno.awareness
    assert await db(text_stored)(doc) == ""
    assert await db(DocumentUpdate.objects.filter(document=doc).count)() == 0
    await alice_socket.disconnect()
    await bruno_socket.disconnect()


async def test_leaving_the_team_that_gave_access_disconnects() -> None:
    from ensemble.accounts.models import TeamMembership
    from ensemble.accounts.tests.factories import TeamFactory
    from ensemble.docs.models import DocumentAccess

    doc = await db(document)()
    team = await db(TeamFactory)(organisation_id=doc.organisation_id)
    member = await db(UserFactory)(organisation_id=doc.organisation_id)
    await db(TeamMembership.objects.create)(team=team, user=member, role="member")
    await db(DocumentAccess.objects.create)(document=doc, team=team, role=Role.EDITOR)
    _reading, socket = await editor(member, doc)
    await db(TeamMembership.objects.filter(team=team, user=member).delete)()
    assert await closed_with(socket) == 4403


async def test_a_failure_while_handling_a_frame_closes_that_socket_and_leaves_the_room_clean(
    monkeypatch: Any,
) -> None:
    """Redis or the database failing under one socket: it is closed (1011, its page
    reconnects and resends) and out of the room; the others go on, and it can come back."""
    from ensemble.docs import realtime

    doc = await db(document)()
    other = await db(share)(doc, Role.EDITOR)
    alice, alice_socket = await editor(doc.creator, doc)
    bruno, bruno_socket = await editor(other, doc)
    real = realtime.Room.tell_others

    async def failing(room: Any, message: dict[str, Any]) -> None:
        if message["type"] == "doc.relay":
            raise ConnectionError("Redis went away")
        await real(room, message)

    monkeypatch.setattr(realtime.Room, "tell_others", failing)
    await bruno.type("perdu ")
    while (output := await bruno_socket.receive_output(timeout=5))["type"] != "websocket.close":
        pass
    assert output["code"] == 1011
    room = realtime.ROOMS[doc.pk]
    assert len(room.sockets) == 1  # Alice only: no socket left behind
    monkeypatch.setattr(realtime.Room, "tell_others", real)
    await alice.type("gardé ")
    await alice.until_saved()
    back, back_socket = await editor(other, doc)  # the page reconnects with what it has
    await back.until(lambda: "gardé" in str(back.text))
    await alice_socket.disconnect()
    await back_socket.disconnect()
    assert doc.pk not in realtime.ROOMS  # the room went with its last socket
