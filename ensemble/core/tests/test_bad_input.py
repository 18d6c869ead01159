"""Bad input gets a clear 4xx, never a 500 (the security review's list): each check is written
once in the kernel (JSON parser, pagination, query parameters, middleware, exception handler)
and tested here through real endpoints."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django import forms
from django.core.validators import ProhibitNullCharactersValidator
from django.test import Client

from ensemble.accounts.models import Team
from ensemble.accounts.tests.factories import TeamFactory, UserFactory
from ensemble.chat.models import Message, Room, RoomKind, RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.pagination import MAX_PAGE
from ensemble.core.parsers import MAX_DEPTH
from ensemble.core.tests.test_stream import connect
from ensemble.meet.models import Access, Meeting

pytestmark = pytest.mark.django_db

TOO_DEEP = "The JSON is too deeply nested (more than 64 levels)."
NUL = "The text contains a NUL character (\\u0000), which cannot be stored."
SURROGATE = (
    "The text contains an unpaired surrogate (\\ud800 to \\udfff), "
    "which is not a character and cannot be stored."
)


@pytest.fixture
def member() -> Any:
    """A member (not staff) of a room, signed in."""
    membership = RoomMemberFactory(role=RoomRole.ADMIN)
    return membership


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_raw(client: Client, url: str, body: str, **headers: str) -> Any:
    return client.generic(
        "POST", url, body.encode("utf-8", "surrogatepass"), "application/json", **headers
    )


def messages_url(member: Any) -> str:
    return f"/api/v1/chat/rooms/{member.room.pk}/messages/"


# Paginated lists --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query", ["limit=" + "1" + "0" * 30, "offset=99999999999999999999", "limit=²&offset=²"]
)
def test_huge_or_odd_limits_and_offsets_page_the_list(member: Any, query: str) -> None:
    response = signed_in(member.user).get(f"/api/v1/chat/rooms/?{query}")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_a_page_holds_at_most_200_items(member: Any) -> None:
    organisation = member.user.organisation
    Room.objects.bulk_create(
        Room(kind=RoomKind.FORUM, name=f"Forum {n}", organisation=organisation)
        for n in range(MAX_PAGE + 1)
    )
    response = signed_in(member.user).get("/api/v1/chat/rooms/?limit=1000")
    assert response.status_code == 200
    assert len(response.json()["results"]) == MAX_PAGE
    assert response.json()["next"].endswith(f"?limit={MAX_PAGE}&offset={MAX_PAGE}")


# Whole numbers in query parameters ---------------------------------------------------------


@pytest.mark.parametrize("before", ["²", "١٢", "-1", "99999999999999999999", "1e3", ""])
def test_a_sequence_number_must_be_a_whole_number(member: Any, before: str) -> None:
    response = signed_in(member.user).get(messages_url(member), {"before": before})
    assert response.status_code == 400
    assert "before" in response.json()


def test_a_sequence_number_in_range_is_accepted(member: Any) -> None:
    response = signed_in(member.user).get(messages_url(member), {"before": "9223372036854775807"})
    assert response.status_code == 200


# JSON bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[]", '"text"', "12", "null", "true"])
def test_a_body_must_be_a_json_object(member: Any, body: str) -> None:
    response = post_raw(signed_in(member.user), messages_url(member), body)
    assert response.status_code == 400
    assert response.json() == {"detail": "The body must be a JSON object."}


def test_a_body_nested_too_deeply_is_refused_even_anonymously() -> None:
    meeting = Meeting.objects.create(title="Public", organiser=UserFactory(), access=Access.PUBLIC)
    response = post_raw(Client(), f"/api/v1/meet/meetings/{meeting.code}/join/", "[" * 100_000)
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_nesting_is_counted_in_objects_and_arrays(member: Any) -> None:
    deep = "x"
    for level in range(MAX_DEPTH + 1):
        deep = {"a": deep} if level % 2 else [deep]  # type: ignore[assignment]
    response = post_raw(
        signed_in(member.user),
        messages_url(member),
        json.dumps({"txn_id": "t1", "body": "hi", "extra": deep}),
    )
    assert response.status_code == 400
    assert response.json() == {"detail": TOO_DEEP}


def test_json_that_is_not_json_says_where(member: Any) -> None:
    response = post_raw(signed_in(member.user), messages_url(member), '{"body": ')
    assert response.status_code == 400
    assert response.json() == {"detail": "This is not valid JSON (line 1, column 10)."}


@pytest.mark.parametrize(
    ("text", "reason"),
    [("a\\u0000b", NUL), ("a\\ud800b", SURROGATE), ("\\udc00", SURROGATE)],
)
def test_text_no_database_can_store_is_refused(member: Any, text: str, reason: str) -> None:
    body = '{"txn_id": "t1", "body": "' + text + '"}'
    response = post_raw(signed_in(member.user), messages_url(member), body)
    assert response.status_code == 400
    assert response.json() == {"detail": reason}
    assert Message.objects.count() == 0


def test_a_key_is_text_too(member: Any) -> None:
    body = '{"txn_id": "t1", "body": "hi", "\\u0000": 1}'
    response = post_raw(signed_in(member.user), messages_url(member), body)
    assert response.status_code == 400
    assert response.json() == {"detail": NUL}


def test_a_surrogate_pair_is_a_character(member: Any) -> None:
    body = '{"txn_id": "t1", "body": "\\ud83d\\ude00"}'
    response = post_raw(signed_in(member.user), messages_url(member), body)
    assert response.status_code == 201
    assert Message.objects.get().body == "😀"


def test_refusals_are_translated(member: Any) -> None:
    response = post_raw(
        signed_in(member.user), messages_url(member), "[]", HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Le corps de la requête doit être un objet JSON."}


# Query parameters and forms -------------------------------------------------------------


def test_a_nul_character_in_a_search_is_refused(member: Any) -> None:
    response = signed_in(member.user).get("/api/v1/chat/rooms/directory/", {"q": "a\x00b"})
    assert response.status_code == 400
    assert response.json() == {"detail": NUL}


def test_a_nul_character_in_a_page_form_is_refused_with_a_page() -> None:
    response = Client().post(
        "/accounts/login/",
        "email=a%00%40b.fr&password=x&next=%2F%00",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert f'<p class="fr-text--lead">{NUL}</p>' in response.content.decode()


def test_django_forms_refuse_a_nul_character_in_any_text_field() -> None:
    """Multipart forms are left to the forms: every CharField has Django's validator."""
    for module in ("ensemble.accounts.forms", "ensemble.core.forms"):
        importlib.import_module(module)
    fields = [
        (form.__name__, name, field)
        for form in every_subclass(forms.BaseForm)
        if form.__module__.startswith("ensemble.")
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.CharField)
    ]
    assert len(fields) > 5
    unguarded = [
        (form, name)
        for form, name, field in fields
        if not any(isinstance(v, ProhibitNullCharactersValidator) for v in field.validators)
    ]
    assert unguarded == []
    response = Client().post("/accounts/login/", {"email": "a\x00@b.fr", "password": "x"})
    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()


def every_subclass(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *every_subclass(sub)]
    return found


# Unique names ----------------------------------------------------------------------------


def test_renaming_a_team_to_a_taken_name_is_a_clear_refusal() -> None:
    taken = TeamFactory(name="Taken")
    team = TeamFactory(organisation=taken.organisation, name="Mine")
    owner = UserFactory(organisation=taken.organisation)
    team.memberships.create(user=owner, role="owner")
    response = signed_in(owner).patch(
        f"/api/v1/teams/{team.pk}/", {"name": "Taken"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["Your organisation already has a team of this name."]}


def test_a_constraint_met_in_a_race_is_a_conflict(monkeypatch: Any) -> None:
    """Two requests that both checked before either wrote: the database has the last word."""
    taken = TeamFactory(name="Taken")
    owner = UserFactory(organisation=taken.organisation)
    monkeypatch.setattr(Team, "validate_constraints", lambda self, exclude=None: None)
    monkeypatch.setattr(
        "ensemble.accounts.api.serializers.TeamSerializer.validate_name", lambda self, name: name
    )
    response = signed_in(owner).post(
        "/api/v1/teams/", {"name": "Taken"}, content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json() == {"detail": "This conflicts with something that already exists."}
    assert Team.objects.filter(name="Taken").count() == 1


# Dates ------------------------------------------------------------------------------------

OUT_OF_RANGE = ["Give a date between the years 1900 and 9000."]


@pytest.mark.parametrize(
    ("starts_at", "ends_at"),
    [
        ("9999-12-31T23:59:00", "9999-12-31T23:59:30"),  # was stored: a 500 once displayed
        ("9999-12-31T23:59:00Z", "9999-12-31T23:59:59Z"),
        ("0001-01-01T00:00:00", "0001-01-01T02:00:00"),  # a 500: year 0 once in UTC
        ("0001-01-01T00:00:00+01:00", "0001-01-01T02:00:00+01:00"),
    ],
)
def test_a_meeting_is_scheduled_between_1900_and_9000(starts_at: str, ends_at: str) -> None:
    response = signed_in(UserFactory()).post(
        "/api/v1/meet/meetings/",
        {"title": "Far away", "starts_at": starts_at, "ends_at": ends_at, "invitees": ["a@b.fr"]},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json() == {"starts_at": OUT_OF_RANGE, "ends_at": OUT_OF_RANGE}
    assert Meeting.objects.count() == 0


@pytest.mark.parametrize(
    "moment", ["0001-01-01", "0001-01-01T00:00+05:00", "9999-12-31T23:59:59-12:00", "10000-01-01"]
)
def test_the_audit_log_is_filtered_between_1900_and_9000(moment: str) -> None:
    operator = UserFactory(is_staff=True, is_superuser=True)
    for name in ("since", "until"):
        response = signed_in(operator).get("/api/v1/audit/", {name: moment})
        assert response.status_code == 400
        assert response.json() == {name: "Give an ISO date from 1900 to 9000, e.g. 2026-01-31."}


# The WebSocket ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        ("not json", "This is not valid JSON (line 1, column 1)."),
        ("[" * 100_000, TOO_DEEP),
        ('{"action": "ping", "x": "\\u0000"}', NUL),
        ('{"action": "ping", "x": "\\ud800"}', SURROGATE),
        ("", "This is not valid JSON (line 1, column 1)."),
        (b"\x00\x01binary", "Send JSON text frames, not binary ones."),
    ],
)
async def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    frame: str | bytes, reason: str
) -> None:
    user = await database_sync_to_async(UserFactory)()
    socket = await connect(user)
    kind = "bytes" if isinstance(frame, bytes) else "text"
    await socket.send_input({"type": "websocket.receive", kind: frame})
    assert await socket.receive_json_from(timeout=5) == {
        "type": "error",
        "code": "bad_message",
        "message": reason,
    }
    await socket.send_json_to({"action": "ping"})
    assert await socket.receive_json_from(timeout=5) == {"type": "pong"}
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_socket_errors_speak_the_persons_language() -> None:
    user = await database_sync_to_async(UserFactory)(language="fr")
    socket = await connect(user)
    await socket.send_to(text_data="[]")
    answer = await socket.receive_json_from(timeout=5)
    assert answer["message"] == "Les messages doivent être des objets JSON."
    await socket.disconnect()
