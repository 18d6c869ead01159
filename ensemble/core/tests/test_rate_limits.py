"""Rate limits on every API request and on each anonymous or costly action: 429 with a
message that says how long to wait, and nothing done beyond the limit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from channels.db import database_sync_to_async
from django.core import mail
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.views import APIView

from ensemble.accounts.tests.factories import UserFactory
from ensemble.chat.models import RoomRole
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.ratelimit import ApiRateLimit
from ensemble.core.rates import DEFAULT_RATES, parse_rates
from ensemble.core.tests.test_stream import connect, receive_until
from ensemble.meet import actions as meet
from ensemble.meet.models import Access


def limits(settings: Any, rates: dict[str, str]) -> None:
    settings.RATE_LIMITS = {**DEFAULT_RATES, **rates}


def refused(response: Any) -> str:
    assert response.status_code == 429, response.content
    assert int(response["Retry-After"]) >= 1
    return (
        str(response.json()["detail"])
        if response["Content-Type"].startswith("application/json")
        else response.content.decode()
    )


@pytest.mark.django_db
def test_every_api_request_of_an_account_counts(client_of: Any, settings: Any) -> None:
    limits(settings, {"api": "3/minute"})
    client = client_of(UserFactory())
    assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 200]
    assert "Too many requests. Wait" in refused(client.get("/api/v1/notifications/"))
    # another account has its own count
    assert client_of(UserFactory()).get("/api/v1/me/").status_code == 200


@pytest.mark.django_db
def test_the_limit_is_said_in_french(client_of: Any, settings: Any) -> None:
    limits(settings, {"api": "1/minute"})
    client = client_of(UserFactory(language="fr"))
    client.get("/api/v1/me/")
    answer = client.get("/api/v1/me/")
    assert "Trop de demandes" in refused(answer)


@pytest.mark.django_db
def test_guests_asking_to_join_are_limited_per_address(settings: Any) -> None:
    limits(settings, {"meet.join": "2/minute"})
    host = UserFactory()
    meeting = meet.create_meeting(host, "Public", access=Access.PUBLIC, lobby=True)
    url = f"/api/v1/meet/meetings/{meeting.code}/join/"
    for n in range(2):  # two browsers behind one address
        answer = Client().post(url, {"name": f"Guest {n}"}, content_type="application/json")
        assert answer.status_code == 200, answer.content
    refused(Client().post(url, {"name": "Guest 3"}, content_type="application/json"))
    assert meeting.participants.count() == 3  # the host and two guests, no third
    other = Client(REMOTE_ADDR="127.0.0.9")
    assert (
        other.post(url, {"name": "Elsewhere"}, content_type="application/json").status_code == 200
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "scope", "body"),
    [
        ("/accounts/code/", "accounts.code", {"email": "someone@example.org"}),
        ("/accounts/password/reset/", "accounts.password_reset", {"email": "a@example.org"}),
    ],
)
def test_pages_that_send_e_mails_are_limited_per_address(
    settings: Any, path: str, scope: str, body: dict[str, str]
) -> None:
    limits(settings, {scope: "2/hour"})
    client = Client()
    assert [client.post(path, body).status_code for _ in range(2)] == [302, 302]
    page = refused(client.post(path, body))
    # The hour's window ends at the top of the hour: near it, the wait is told in seconds.
    assert re.search(r"Too many requests\. Wait \d+ (minutes?|seconds?) and try again", page)


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_invitation_e_mails_count_against_the_inviter(
    client_of: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    limits(settings, {"invitations": "2/day"})
    moderator = RoomMemberFactory(role=RoomRole.MODERATOR)
    client, url = client_of(moderator.user), f"/api/v1/chat/rooms/{moderator.room.pk}/invitations/"
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            answer = client.post(
                url, {"email": f"new{n}@example.org"}, content_type="application/json"
            )
        assert answer.status_code == 201
    refused(client.post(url, {"email": "new3@example.org"}, content_type="application/json"))
    assert len(mail.outbox) == 2
    # a CSV cannot e-mail hundreds of addresses either
    rows = "\n".join(f"x{n}@example.org" for n in range(300))
    with django_capture_on_commit_callbacks(execute=True):
        report = client.post(url + "csv/", rows, content_type="text/csv").json()
    assert report["invited"] == [] and len(report["refused"]) == 300
    assert len(mail.outbox) == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate_tasks")
def test_one_address_receives_few_invitations_whoever_sends_them(
    client_of: Any, settings: Any
) -> None:
    limits(settings, {"invitations.recipient": "2/day"})
    for n in range(3):
        moderator = RoomMemberFactory(role=RoomRole.MODERATOR)
        client = client_of(moderator.user)
        answer = client.post(
            f"/api/v1/chat/rooms/{moderator.room.pk}/invitations/",
            {"email": "victim@example.org"},
            content_type="application/json",
        )
        assert answer.status_code == (201 if n < 2 else 429), (n, answer.content)


@pytest.mark.django_db
def test_an_invitation_does_not_tell_whether_an_address_has_an_account(client_of: Any) -> None:
    moderator = RoomMemberFactory(role=RoomRole.MODERATOR)
    client, url = client_of(moderator.user), f"/api/v1/chat/rooms/{moderator.room.pk}/invitations/"
    elsewhere = UserFactory()  # an account of another organisation
    unknown = client.post(url, {"email": "nobody@example.org"}, content_type="application/json")
    known = client.post(url, {"email": elsewhere.email}, content_type="application/json")
    assert (unknown.status_code, known.status_code) == (201, 201)
    assert set(unknown.json()) == set(known.json()) == {"invited"}
    assert not moderator.room.members.filter(user=elsewhere).exists()  # not until accepted
    colleague = UserFactory(organisation=moderator.user.organisation)
    added = client.post(url, {"email": colleague.email}, content_type="application/json")
    assert added.status_code == 200  # the directory shows colleagues anyway
    assert moderator.room.members.filter(user=colleague).exists()


@pytest.mark.django_db(transaction=True)
async def test_typing_and_presence_signals_are_limited(settings: Any) -> None:
    limits(settings, {"signals": "2/minute"})
    member = await database_sync_to_async(RoomMemberFactory)()
    socket = await connect(member.user)
    stream = member.room.stream
    await socket.send_json_to({"action": "subscribe", "stream": stream, "after": 0})
    await receive_until(socket, "subscribed")
    typing = {"action": "signal", "stream": stream, "signal": "chat.typing", "payload": {}}
    await socket.send_json_to(typing)
    await socket.send_json_to({"action": "presence", "state": "away"})
    await socket.send_json_to(typing)
    error = (await receive_until(socket, "error"))[-1]
    assert error["code"] == "too_fast" and "Wait" in error["message"]
    await socket.disconnect()


def test_rate_limits_are_read_from_the_environment() -> None:
    assert parse_rates("meet.join=5/hour, api=10/second")["meet.join"] == "5/hour"
    with pytest.raises(ValueError, match="unknown limit"):
        parse_rates("nothing=5/hour")
    with pytest.raises(ValueError, match="not a rate"):
        parse_rates("api=5/fortnight")


def api_views(patterns: list[Any]) -> list[type[APIView]]:
    found: list[type[APIView]] = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += api_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "cls", None)
            if isinstance(view, type) and issubclass(view, APIView):
                found.append(view)
    return found


# API views open to anonymous callers, each for a reason.
PUBLIC_VIEWS = {
    "MeetingViewSet": "public meetings admit guests; its actions check the rest",
    "BreakoutViewSet": "a meeting's guests read its breakout rooms; abilities check each action",
    "SpectacularAPIView": "the OpenAPI schema",
    "SpectacularSwaggerSplitView": "the API docs page",
}


def test_every_api_view_is_rate_limited_and_signed_in_unless_declared_public() -> None:
    views = api_views(get_resolver().url_patterns)
    assert len(views) > 10
    for view in views:
        assert ApiRateLimit in view.throttle_classes, view
        permissions = set(view.permission_classes)
        signed_in = any(issubclass(p, (IsAuthenticated, IsAdminUser)) for p in permissions)
        scim = view.__module__.endswith("scim.views")  # an operator's token, checked there
        assert signed_in or scim or view.__name__ in PUBLIC_VIEWS, view
        assert AllowAny not in permissions or view.__name__ in PUBLIC_VIEWS, view
