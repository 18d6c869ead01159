"""Inactive accounts are warned by e-mail, then deactivated; operators can (re)activate."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from ensemble.accounts.models import User, UserSession
from ensemble.accounts.tasks import apply_inactivity_policy
from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.models import AuditEntry, PeriodicJob
from ensemble.core.schedule import SCHEDULE, enqueue_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(settings: Any) -> None:
    settings.ACCOUNT_INACTIVITY_DAYS = 100
    settings.ACCOUNT_INACTIVITY_WARNING_DAYS = [30, 7]


def idle_user(days: int, **fields: Any) -> User:
    user = UserFactory(**fields)
    User.objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(days=days))
    return User.objects.get(pk=user.pk)


def test_warnings_at_each_threshold_then_deactivation(policy: None, time_machine: Any) -> None:
    start = timezone.now()
    time_machine.move_to(start, tick=False)
    user = idle_user(75)  # 25 days before deactivation: inside the 30-day warning
    fresh = idle_user(10)
    assert apply_inactivity_policy.call() == {"warned": 1, "deactivated": 0}
    assert [message.to for message in mail.outbox] == [[user.email]]
    assert "will be deactivated" in mail.outbox[0].body
    assert apply_inactivity_policy.call() == {"warned": 0, "deactivated": 0}  # not twice
    time_machine.move_to(start + timedelta(days=20), tick=False)  # 5 days left: 7-day warning
    assert apply_inactivity_policy.call() == {"warned": 1, "deactivated": 0}
    time_machine.move_to(start + timedelta(days=26), tick=False)
    assert apply_inactivity_policy.call() == {"warned": 0, "deactivated": 1}
    user.refresh_from_db()
    fresh.refresh_from_db()
    assert not user.is_active and fresh.is_active
    assert AuditEntry.objects.filter(
        action="accounts.deactivated", target_id=str(user.pk), actor_label="inactivity policy"
    ).exists()


def test_signing_in_resets_the_countdown(policy: None, client_of: Any) -> None:
    user = idle_user(75)
    apply_inactivity_policy.call()
    client_of(user)  # signs in
    user.refresh_from_db()
    assert user.inactivity_warned_at is None
    assert apply_inactivity_policy.call() == {"warned": 0, "deactivated": 0}


def test_operators_are_never_deactivated_by_the_policy(policy: None) -> None:
    operator = idle_user(500, is_staff=True)
    apply_inactivity_policy.call()
    operator.refresh_from_db()
    assert operator.is_active


def test_admin_deactivates_ends_sessions_and_reactivates(client_of: Any) -> None:
    operator = client_of(UserFactory(is_staff=True, is_superuser=True))
    user = UserFactory()
    browser = client_of(user)
    response = operator.post(
        "/admin/accounts/user/", {"action": "deactivate", "_selected_action": [str(user.pk)]}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active
    assert browser.get("/").status_code == 302
    assert not UserSession.objects.filter(user=user).exists()
    operator.post(
        "/admin/accounts/user/", {"action": "reactivate", "_selected_action": [str(user.pk)]}
    )
    user.refresh_from_db()
    assert user.is_active
    actions = list(
        AuditEntry.objects.filter(target_id=str(user.pk)).values_list("action", flat=True)
    )
    assert "accounts.deactivated" in actions and "accounts.reactivated" in actions


def test_the_policy_is_scheduled_once_per_period(time_machine: Any) -> None:
    name = apply_inactivity_policy.module_path
    assert name in SCHEDULE
    time_machine.move_to(timezone.now(), tick=False)
    assert name in enqueue_due()
    assert name not in enqueue_due()  # another worker, a minute later: nothing
    time_machine.shift(timedelta(hours=7))
    assert name in enqueue_due()
    assert PeriodicJob.objects.get(name=name).last_enqueued_at == timezone.now()
