"""Who may call each operation of the API: every operation of the OpenAPI schema, called by
every kind of account, against a world where each kind stands in its place.

Each row of ``ALLOWED`` names the kinds of account that get past the access checks of one
operation; every other kind must be refused (anonymous: 401; a signed-in account: 403, or 404
where it may not even know the object). API tokens act as their owner (the member) within
their scope: "read" reads, "write" writes, "scim" does neither. An operation of the schema
without a row fails the test: a new endpoint needs its row. Bodies are empty: an allowed call
may answer 400 (it got past the checks); each call is rolled back before the next.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from PIL import Image

from ensemble.accounts.models import (
    ApiToken,
    ExternalIdentity,
    TeamRole,
    TokenScope,
    UserSession,
)
from ensemble.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    api_token,
)
from ensemble.chat.actions.attachments import upload_attachment
from ensemble.chat.actions.rooms import set_avatar
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind, RoomMember, RoomRole
from ensemble.chat.tests.factories import RoomFactory
from ensemble.core import audit
from ensemble.core.rates import DEFAULT_RATES
from ensemble.portal.actions import notify

SAFE = {"get", "head", "options"}
ANONYMOUS = "anonymous"
SESSIONS = [
    "admin",  # administrator of the room, owner of the team
    "member",  # member of the room and of the team
    "non-member",  # an agent of the same organisation, in nothing
    "other organisation",  # an agent of another organisation
    "external",  # an external user, member of an external room of the organisation
    "banned",  # banned from the room
    "staff of another organisation",  # an operator of another organisation
    "operator",  # an operator (staff) of the organisation
]
TOKENS = {"read token": [TokenScope.READ], "write token": [TokenScope.READ, TokenScope.WRITE]}
TOKENS_SCIM = {"scim token": [TokenScope.SCIM]}
KINDS = [ANONYMOUS, *SESSIONS, *TOKENS, *TOKENS_SCIM]

EVERYONE_SIGNED_IN = set(SESSIONS)
AGENTS = EVERYONE_SIGNED_IN - {"external"}
ROOM_READERS = {"admin", "member"}
OPERATORS = {"operator", "staff of another organisation"}


@dataclass
class World:
    ids: dict[str, str]
    clients: dict[str, Client]
    headers: dict[str, dict[str, str]]


def png(name: str) -> SimpleUploadedFile:
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "navy").save(picture, "PNG")
    return SimpleUploadedFile(name, picture.getvalue(), content_type="image/png")


@pytest.fixture
def world(settings: Any) -> World:
    settings.RATE_LIMITS = {scope: "100000/minute" for scope in DEFAULT_RATES}
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    people = {
        "admin": UserFactory(organisation=home),
        "member": UserFactory(organisation=home),
        "non-member": UserFactory(organisation=home),
        "other organisation": UserFactory(organisation=elsewhere),
        "external": UserFactory(organisation=None, is_external=True),
        "banned": UserFactory(organisation=home),
        "staff of another organisation": UserFactory(organisation=elsewhere, is_staff=True),
        "operator": UserFactory(organisation=home, is_staff=True),
    }
    room = RoomFactory(kind=RoomKind.PRIVATE, organisation=home, created_by=people["admin"])
    RoomMember.objects.create(room=room, user=people["admin"], role=RoomRole.ADMIN)
    RoomMember.objects.create(room=room, user=people["member"])
    RoomMember.objects.create(room=room, user=people["banned"], banned=True)
    outside = RoomFactory(kind=RoomKind.EXTERNAL, organisation=home)
    RoomMember.objects.create(room=outside, user=people["admin"], role=RoomRole.ADMIN)
    RoomMember.objects.create(room=outside, user=people["external"])
    attachment = upload_attachment(people["member"], room, png("plan.png"))
    set_avatar(people["admin"], room, png("avatar.png"))
    message, _new = send_message(
        people["member"], room, "t1", "Ordre du jour", attachments=[attachment.pk]
    )
    team = TeamFactory(organisation=home)
    MembershipFactory(team=team, user=people["admin"], role=TeamRole.OWNER)
    MembershipFactory(team=team, user=people["member"], role=TeamRole.MEMBER)
    identity = ExternalIdentity.objects.create(
        user=people["member"], provider="proconnect", issuer="https://idp", subject="m-1"
    )
    notification = notify(people["member"], "Something happened")
    entry = audit.record("test.entry", actor=people["member"])
    clients: dict[str, Client] = {ANONYMOUS: Client()}
    for kind, person in people.items():  # through the sign-in page: sessions are listed
        clients[kind] = Client()
        signed_in = clients[kind].post(
            "/accounts/login/", {"email": person.email, "password": PASSWORD}
        )
        assert signed_in.status_code == 302, (kind, signed_in.content[:300])
    headers: dict[str, dict[str, str]] = {}
    for kind, scopes in {**TOKENS, **TOKENS_SCIM}.items():
        clients[kind] = Client()
        headers[kind] = {"HTTP_AUTHORIZATION": f"Bearer {api_token(people['member'], scopes)}"}
    token = ApiToken.objects.filter(user=people["member"]).first()
    session = UserSession.objects.filter(user=people["member"]).first()
    ids = {
        "audit": str(entry.position),
        "chat/attachments": str(attachment.pk),
        "chat/messages": str(message.pk),
        "chat/rooms": str(room.pk),
        "identities": str(identity.pk),
        "notifications": str(notification.pk),
        "organisations": str(home.pk),
        "sessions": str(session.pk if session else 1),
        "teams": str(team.pk),
        "tokens": str(token.pk),
    }
    return World(ids, clients, headers)


def operations() -> Iterator[tuple[str, str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield operation["operationId"], method, path


def url_of(path: str, ids: dict[str, str]) -> str:
    place = next((key for key in ids if path.startswith(f"/api/v1/{key}/")), None)
    values = {"change": "add", "move": "admit", "position": ids["audit"]}

    def fill(match: re.Match[str]) -> str:
        return values.get(match.group(1)) or (ids[place] if place else "1")

    return re.sub(r"\{(\w+)\}", fill, path)


# Valid bodies where an action checks who may act only once it has read what is asked.
BODIES: dict[str, dict[str, Any]] = {
    "api_v1_chat_messages_partial_update": {"body": "Edited"},
    "api_v1_chat_messages_pin_create": {"pinned": True},
    "api_v1_chat_messages_reactions_create": {"emoji": "👍", "on": True},
    "api_v1_chat_rooms_create": {"name": "Cellule de crise", "kind": "private"},
    "api_v1_teams_create": {"name": "Équipe projet"},
}


def outcome(world: World, kind: str, method: str, url: str, body: dict[str, Any]) -> int:
    sid = transaction.savepoint()
    try:
        client = world.clients[kind]
        response = getattr(client, method)(
            url, body, content_type="application/json", **world.headers.get(kind, {})
        )
        return int(response.status_code)
    finally:
        transaction.savepoint_rollback(sid)


def allowed_kinds(row: set[str], method: str) -> set[str]:
    """The kinds allowed by a row, with the member's tokens in their scope ("member-browser":
    the member in a browser, and not with a token)."""
    kinds = set(row)
    if "member" in row:
        kinds |= {"read token", "write token"} if method in SAFE else {"write token"}
    if "member-browser" in row:
        kinds = (kinds - {"member-browser"}) | {"member"}
    return kinds


REFUSED = (401, 403, 404)


def judged(
    call: str, statuses: dict[str, int], allowed: set[str], signed_out_is_401: bool = True
) -> list[str]:
    """What is wrong with the answers ``statuses`` (kind -> status) of one call: an error,
    an allowed kind refused, another let through, anonymous refused otherwise than with 401
    (unless the API also serves people without an account, as Meet does its guests)."""
    wrong = []
    for kind, status in statuses.items():
        if status >= 500:
            wrong.append(f"{call} as {kind}: {status}")
        elif kind in allowed and status in REFUSED:
            wrong.append(f"{call} as {kind}: refused ({status})")
        elif kind not in allowed and status not in REFUSED:
            wrong.append(f"{call} as {kind}: let through ({status})")
        elif kind == ANONYMOUS and signed_out_is_401 and status != 401:
            wrong.append(f"{call} as anonymous: {status}, not 401")
    return wrong


MEET = re.compile(r"^api_v1_meet_")
DOCS = re.compile(r"^api_v1_docs_")


@pytest.mark.django_db
def test_every_operation_answers_each_kind_of_account_as_its_row_says(world: World) -> None:
    missing, wrong, walked = [], [], 0
    observed: dict[str, set[str]] = {}
    for operation_id, method, path in operations():
        if MEET.match(operation_id):
            continue  # Meet's rows: meet/tests/test_access_matrix.py (with a real Janus)
        if DOCS.match(operation_id):
            continue  # Docs' rows: docs/tests/test_access_matrix.py (roles on a document)
        url = url_of(path, world.ids)
        body = BODIES.get(operation_id, {})
        statuses = {kind: outcome(world, kind, method, url, body) for kind in KINDS}
        walked += 1
        observed[operation_id] = {k for k, s in statuses.items() if s not in REFUSED}
        if operation_id not in ALLOWED:
            missing.append(operation_id)
            continue
        wrong += judged(
            f"{method.upper()} {url}", statuses, allowed_kinds(ALLOWED[operation_id], method)
        )
    if os.environ.get("ACCESS_MATRIX_PRINT"):
        for operation_id, kinds in sorted(observed.items()):
            print(operation_id, sorted(kinds))
    assert missing == [], "operations without a row in ALLOWED"
    assert wrong == [], "\n".join(wrong)
    assert walked > 60


SIGNED_IN_AGENTS = EVERYONE_SIGNED_IN - {"external"}
HOME_PEOPLE = {"admin", "member", "non-member", "banned", "operator"}

ALLOWED: dict[str, set[str]] = {
    # Assist: everyone signed in (what is summarised is checked against the source: its own
    # tests); asking the model for something is a POST, which a token does with "write".
    "api_v1_assist_retrieve": EVERYONE_SIGNED_IN,
    "api_v1_assist_rewrite_create": EVERYONE_SIGNED_IN,
    "api_v1_assist_summaries_create": EVERYONE_SIGNED_IN,
    # The audit log: operators, each seeing their organisation's entries (the entry is home's).
    "api_v1_audit_list": OPERATORS,
    "api_v1_audit_export_retrieve": OPERATORS,
    "api_v1_audit_retrieve": {"operator"},
    # A message and its files: the room's readers (not the banned member); changes as the
    # room's roles allow (the member wrote the message, the admin moderates).
    "api_v1_chat_attachments_retrieve": ROOM_READERS,
    "api_v1_chat_attachments_content_retrieve": ROOM_READERS,
    "api_v1_chat_attachments_thumbnail_retrieve": ROOM_READERS,
    "api_v1_chat_messages_retrieve": ROOM_READERS,
    "api_v1_chat_messages_history_list": ROOM_READERS,
    "api_v1_chat_messages_thread_list": ROOM_READERS,
    "api_v1_chat_messages_partial_update": {"member"},
    "api_v1_chat_messages_destroy": ROOM_READERS,
    "api_v1_chat_messages_pin_create": {"admin"},
    "api_v1_chat_messages_reactions_create": ROOM_READERS,
    # Rooms: lists and searches of one's own, for everyone signed in; the private room for its
    # members; its settings for its administrator.
    "api_v1_chat_rooms_list": EVERYONE_SIGNED_IN,
    "api_v1_chat_rooms_create": SIGNED_IN_AGENTS,
    "api_v1_chat_rooms_direct_create": EVERYONE_SIGNED_IN,  # the body decides (400 here)
    "api_v1_chat_rooms_directory_list": SIGNED_IN_AGENTS,
    "api_v1_chat_rooms_preview_create": EVERYONE_SIGNED_IN,
    "api_v1_chat_rooms_search_list": EVERYONE_SIGNED_IN,
    "api_v1_chat_rooms_retrieve": ROOM_READERS,
    "api_v1_chat_rooms_messages_list": ROOM_READERS,
    "api_v1_chat_rooms_messages_create": ROOM_READERS,
    "api_v1_chat_rooms_pins_list": ROOM_READERS,
    "api_v1_chat_rooms_members_list": ROOM_READERS,
    "api_v1_chat_rooms_presence_retrieve": ROOM_READERS,
    "api_v1_chat_rooms_threads_list": ROOM_READERS,
    "api_v1_chat_rooms_receipts_retrieve": ROOM_READERS,
    "api_v1_chat_messages_seen_retrieve": ROOM_READERS,
    "api_v1_chat_messages_previews_list": ROOM_READERS,
    "api_v1_chat_rooms_avatar_retrieve": ROOM_READERS,
    "api_v1_chat_rooms_attachments_create": ROOM_READERS,
    "api_v1_chat_rooms_typing_create": ROOM_READERS,
    "api_v1_chat_rooms_read_create": ROOM_READERS,
    "api_v1_chat_rooms_notifications_create": ROOM_READERS,
    "api_v1_chat_rooms_leave_create": {"member"},  # the last administrator stays
    "api_v1_chat_rooms_join_create": set(),  # a private room is joined by invitation
    "api_v1_chat_rooms_partial_update": {"admin"},
    "api_v1_chat_rooms_archive_create": {"admin"},
    "api_v1_chat_rooms_avatar_create": {"admin"},
    "api_v1_chat_rooms_avatar_destroy": {"admin"},
    "api_v1_chat_rooms_export_retrieve": {"admin"},
    "api_v1_chat_rooms_invitations_create": {"admin"},
    "api_v1_chat_rooms_invitations_csv_create": {"admin"},
    "api_v1_chat_rooms_members_create": {"admin"},
    "api_v1_chat_rooms_retention_create": {"admin"},
    # People: the directory is for agents; identities for operators (their organisation's
    # accounts: the member's identity is home's).
    "api_v1_directory_list": SIGNED_IN_AGENTS,
    "api_v1_identities_list": OPERATORS,
    "api_v1_identities_create": OPERATORS,  # the body names the account (400 here)
    "api_v1_identities_retrieve": {"operator"},
    "api_v1_identities_destroy": {"operator"},
    # One's own things.
    "api_v1_me_retrieve": EVERYONE_SIGNED_IN,
    "api_v1_me_partial_update": EVERYONE_SIGNED_IN,
    "api_v1_notifications_list": EVERYONE_SIGNED_IN,
    "api_v1_notifications_read_create": {"member"},
    "api_v1_sessions_list": EVERYONE_SIGNED_IN,
    "api_v1_sessions_destroy": {"member"},
    # API tokens are made and listed from a signed-in browser only, never with a token.
    "api_v1_tokens_list": EVERYONE_SIGNED_IN - {"member"} | {"member-browser"},
    "api_v1_tokens_create": EVERYONE_SIGNED_IN - {"member"} | {"member-browser"},
    "api_v1_tokens_destroy": {"member-browser"},
    # Organisations: one's own (superusers: all).
    "api_v1_organisations_list": EVERYONE_SIGNED_IN,
    "api_v1_organisations_retrieve": HOME_PEOPLE,
    # Teams: those of one's organisation; changes by their owner.
    "api_v1_teams_list": EVERYONE_SIGNED_IN,
    "api_v1_teams_create": SIGNED_IN_AGENTS,
    "api_v1_teams_retrieve": HOME_PEOPLE,
    "api_v1_teams_update": {"admin"},
    "api_v1_teams_partial_update": {"admin"},
    "api_v1_teams_destroy": {"admin"},
    "api_v1_teams_invitations_create": {"admin"},
    "api_v1_teams_members_create": {"admin"},
    "api_v1_teams_members_remove_create": {"admin"},
}
