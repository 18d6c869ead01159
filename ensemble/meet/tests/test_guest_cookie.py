"""A meeting's guest proves who they are with an HttpOnly cookie of the meeting, never with a
key in the address; an older link with ``?key=`` works once and is turned into the cookie."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.guests import cookie_name
from ensemble.meet.models import Participant
from ensemble.meet.tests.test_meetings import API, create, join

pytestmark = pytest.mark.django_db


def waiting_guest(client_of: Any) -> tuple[str, Client, Any]:
    code = create(client_of(UserFactory()), access="public", lobby=True)["code"]
    guest = Client()
    answer = join(guest, code, name="Élise")
    assert answer.status_code == 200 and answer.json()["state"] == "waiting"
    return code, guest, answer


def test_joining_sets_an_http_only_cookie_and_answers_no_key(client_of: Any) -> None:
    code, guest, answer = waiting_guest(client_of)
    key = Participant.objects.get(meeting__code=code, display_name="Élise").guest_key
    assert set(answer.json()) == {"id", "display_name", "role", "state", "media"}
    cookie = answer.cookies[cookie_name(code)]
    assert cookie.value == key
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] == ""  # the site is on http here
    assert cookie["path"] == "/"
    assert guest.get(f"{API}{code}/me/").json()["state"] == "waiting"


def test_the_cookie_is_secure_when_the_site_is_on_https(client_of: Any, settings: Any) -> None:
    settings.SESSION_COOKIE_SECURE = True
    _code, _guest, answer = waiting_guest(client_of)
    assert next(iter(answer.cookies.values()))["secure"] is True


def test_a_key_in_the_address_is_not_accepted_by_the_api(client_of: Any) -> None:
    code, _guest, _answer = waiting_guest(client_of)
    key = Participant.objects.get(meeting__code=code, display_name="Élise").guest_key
    assert Client().get(f"{API}{code}/me/?key={key}").status_code == 404


def test_a_guest_with_an_unknown_cookie_joins_as_someone_new(client_of: Any) -> None:
    code = create(client_of(UserFactory()), access="public", lobby=True)["code"]
    browser = Client()
    browser.cookies[cookie_name(code)] = "forgotten"
    answer = join(browser, code, name="Marc")
    assert answer.status_code == 200 and answer.json()["display_name"] == "Marc"
    assert answer.cookies[cookie_name(code)].value != "forgotten"


def test_an_older_link_with_the_key_works_once_and_becomes_the_cookie(client_of: Any) -> None:
    code, _guest, _answer = waiting_guest(client_of)
    old = Participant.objects.get(meeting__code=code, display_name="Élise").guest_key
    browser = Client()
    opened = browser.get(f"/meet/{code}/?key={old}")
    assert opened.status_code == 302 and opened["Location"] == f"/meet/{code}/"
    new = opened.cookies[cookie_name(code)]
    assert new["httponly"] is True and new.value not in ("", old)
    assert browser.get(f"{API}{code}/me/").json()["display_name"] == "Élise"
    again = Client().get(f"/meet/{code}/?key={old}")  # the link, read from a log
    assert again.status_code == 302 and again["Location"] == f"/meet/{code}/"
    assert cookie_name(code) not in again.cookies
    assert browser.get(f"/meet/{code}/").status_code == 200
