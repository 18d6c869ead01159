"""Password reset by e-mail, through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from ensemble.accounts.tests.factories import PASSWORD, UserFactory
from ensemble.core.models import AuditEntry
from ensemble.core.tests.mailbox import Inbox, body_of

pytestmark = pytest.mark.django_db


def test_reset_by_email_sets_the_password_and_ends_sessions(inbox: Inbox, client_of: Any) -> None:
    user = UserFactory()
    old_browser = client_of(user)
    response = Client().post("/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["To"] == user.email
    link = re.search(r"http://\S+/accounts/password/reset/\S+/", body_of(message))
    assert link is not None
    browser = Client()
    form_page = browser.get(link.group(0).split("testserver", 1)[-1], follow=True)
    assert b"Choose a new password" in form_page.content
    new_password = "a brand new passphrase 2026"
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302
    assert old_browser.get("/").status_code == 302  # signed out everywhere
    fresh = Client()
    assert (
        fresh.post("/accounts/login/", {"email": user.email, "password": PASSWORD}).status_code
        == 400
    )
    assert (
        fresh.post("/accounts/login/", {"email": user.email, "password": new_password}).status_code
        == 302
    )
    assert AuditEntry.objects.filter(action="accounts.password_reset", actor=user).exists()


def test_unknown_address_sends_nothing_and_says_the_same(inbox: Inbox) -> None:
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert inbox.messages == []


def ask_for_a_link(inbox: Inbox) -> tuple[str, Client, str]:
    """Ask for a reset link, open it: (the link, the browser, the new-password form's URL)."""
    user = UserFactory()
    Client().post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"/accounts/password/reset/\S+/", body_of(inbox.messages[0]))
    assert link is not None
    browser = Client()
    page = browser.get(link.group(0), follow=True)
    return link.group(0), browser, page.redirect_chain[-1][0]


def test_weak_new_password_is_refused_with_reasons(inbox: Inbox) -> None:
    _link, browser, form_url = ask_for_a_link(inbox)
    response = browser.post(form_url, {"new_password1": "123", "new_password2": "123"})
    assert response.status_code == 200
    assert b"too short" in response.content


def test_a_used_link_no_longer_works(inbox: Inbox) -> None:
    link, browser, form_url = ask_for_a_link(inbox)
    new = "another good passphrase 1"
    browser.post(form_url, {"new_password1": new, "new_password2": new})
    again = Client().get(link, follow=True)
    assert b"This link is no longer valid" in again.content
