"""An address changed by an operator (SCIM, admin) receives no password reset until the person
confirms it: signed in, they open the link sent to it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.models import User
from ensemble.accounts.tests.factories import UserFactory
from ensemble.accounts.tests.test_scim import PATCH, Scim, token_for
from ensemble.core.models import AuditEntry
from ensemble.core.tests.mailbox import Inbox, body_of

pytestmark = pytest.mark.django_db
NEW = "taken.over@evil.example"


def ask_for_reset(email: str) -> None:
    assert Client().post("/accounts/password/reset/", {"email": email}).status_code == 302


def sent_to(inbox: Inbox, address: str) -> list[str]:
    return [body_of(m) for m in inbox.messages if m["To"] == address]


def confirmation_link(inbox: Inbox, address: str) -> str:
    bodies = sent_to(inbox, address)
    assert len(bodies) == 1
    link = re.search(r"/accounts/email/confirm/\S+/", bodies[0])
    assert link is not None
    return link.group(0)


def change_by_scim(user: User) -> None:
    operator = UserFactory(is_staff=True, organisation=user.organisation)
    answer = Scim(token_for(operator, ["scim"])).send(
        "patch",
        f"Users/{user.pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "userName", "value": NEW}]},
    )
    assert answer.status_code == 200


def change_in_admin(user: User, client_of: Any) -> None:
    admin = client_of(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get(f"/admin/accounts/user/{user.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(email=NEW, groups=[], user_permissions=[], organisation=user.organisation_id)
    data.update(language=user.language, date_joined_0="2026-01-01", date_joined_1="10:00:00")
    answer = admin.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert answer.status_code == 302, page.context["adminform"].form.errors


@pytest.mark.parametrize("change", ["scim", "admin"])
def test_no_reset_reaches_a_changed_address_until_confirmed(
    inbox: Inbox, client_of: Any, change: str, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):  # the e-mail is sent on commit
        if change == "scim":
            change_by_scim(user)
        else:
            change_in_admin(user, client_of)
    user.refresh_from_db()
    assert user.email == NEW and not user.email_verified
    assert (
        AuditEntry.objects.filter(action="accounts.email_changed", target_id=str(user.pk)).count()
        == 1
    )
    link = confirmation_link(inbox, NEW)

    ask_for_reset(NEW)
    assert len(sent_to(inbox, NEW)) == 1  # the confirmation link only, no reset

    # Whoever holds the new mailbox cannot confirm it without the account.
    assert Client().get(link)["Location"].startswith("/accounts/login/")
    intruder = client_of(UserFactory())
    intruder.get(link)
    user.refresh_from_db()
    assert not user.email_verified

    client_of(user).get(link)
    user.refresh_from_db()
    assert user.email_verified
    assert AuditEntry.objects.filter(action="accounts.email_confirmed", actor=user).exists()
    ask_for_reset(NEW)
    assert len(sent_to(inbox, NEW)) == 2
    assert "/accounts/password/reset/" in sent_to(inbox, NEW)[1]


def test_a_link_for_an_older_address_does_not_confirm_a_newer_one(
    inbox: Inbox, client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        change_by_scim(user)
    link = confirmation_link(inbox, NEW)
    User.objects.filter(pk=user.pk).update(email="second@evil.example")
    user.refresh_from_db()
    client_of(user).get(link)
    user.refresh_from_db()
    assert not user.email_verified


def test_the_security_page_says_so_and_sends_the_link_again(inbox: Inbox, client_of: Any) -> None:
    user = UserFactory(email_verified=False)
    client = client_of(user)
    assert b"is not confirmed yet" in client.get("/accounts/security/").content
    client.post("/accounts/email/confirm/")
    client.get(confirmation_link(inbox, user.email))
    user.refresh_from_db()
    assert user.email_verified
    assert b"is not confirmed yet" not in client.get("/accounts/security/").content
