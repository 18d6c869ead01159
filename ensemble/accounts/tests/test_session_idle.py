"""A session nobody uses for SESSION_IDLE_SECONDS is signed out; an active one lasts until
SESSION_AGE_SECONDS after the sign-in, and no longer."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ensemble.accounts.models import UserSession
from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry

pytestmark = pytest.mark.django_db

HOUR = 3600


@pytest.fixture(autouse=True)
def _timeouts(settings: Any, time_machine: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 2 * HOUR
    settings.SESSION_COOKIE_AGE = 10 * HOUR
    time_machine.move_to(timezone.now(), tick=False)


def test_an_idle_session_is_signed_out(client_of: Any, time_machine: Any) -> None:
    user = UserFactory()
    browser = client_of(user)
    assert browser.get("/").status_code == 200
    time_machine.shift(timedelta(hours=2, seconds=1))
    answer = browser.get("/")
    assert answer.status_code == 302
    assert answer["Location"] == "/accounts/login/?next=/"
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(action="accounts.session_idle_ended").count() == 1
    assert browser.get("/api/v1/sessions/").status_code == 401  # the API too


def test_the_api_is_refused_to_an_idle_session(client_of: Any, time_machine: Any) -> None:
    browser = client_of(UserFactory())
    assert browser.get("/api/v1/sessions/").status_code == 200
    time_machine.shift(timedelta(hours=2, seconds=1))
    assert browser.get("/api/v1/sessions/").status_code == 401


def test_a_session_used_within_the_idle_timeout_goes_on(client_of: Any, time_machine: Any) -> None:
    browser = client_of(UserFactory())
    for _ in range(4):  # 7 hours in all, never 2 hours without a request
        time_machine.shift(timedelta(hours=1, minutes=45))
        assert browser.get("/").status_code == 200


def test_an_active_session_still_ends_at_its_absolute_age(
    client_of: Any, time_machine: Any
) -> None:
    browser = client_of(UserFactory())
    assert browser.get("/").status_code == 200
    for _ in range(5):  # 9 h 45 after the sign-in, always active
        time_machine.shift(timedelta(hours=1, minutes=57))
        assert browser.get("/").status_code == 200
    time_machine.shift(timedelta(minutes=20))  # 10 h 05
    assert browser.get("/").status_code == 302


def test_no_idle_timeout_when_it_is_zero(settings: Any, client_of: Any, time_machine: Any) -> None:
    settings.SESSION_IDLE_SECONDS = 0
    browser = client_of(UserFactory())
    assert browser.get("/").status_code == 200
    time_machine.shift(timedelta(hours=9))
    assert browser.get("/").status_code == 200
