"""External guests invited to a document by e-mail, and access requests told to the
document's administrators."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.abilities import LinkReach, Role
from ensemble.docs.models import Document, DocumentAccess
from ensemble.docs.tests.factories import document, share, signed_in
from ensemble.portal.models import Notification

pytestmark = pytest.mark.django_db

API = "/api/v1/docs/documents/"


def invite(client: Client, doc: Document, email: str, role: str = "reader") -> Any:
    return client.post(
        f"{API}{doc.pk}/invitations/",
        {"email": email, "role": role},
        content_type="application/json",
    )


def test_an_external_guest_invited_by_email_joins_through_the_guest_flow(
    django_capture_on_commit_callbacks: Any, immediate_tasks: None
) -> None:
    doc = document(title="Convention de partenariat")
    with django_capture_on_commit_callbacks(execute=True):
        sent = invite(signed_in(doc.creator), doc, "juriste@cabinet.fr", "commenter")
    assert sent.status_code == 201 and mail.outbox[-1].to == ["juriste@cabinet.fr"]
    assert "Convention de partenariat" in mail.outbox[-1].body
    link = re.search(r"/accounts/invitations/\S+/", mail.outbox[-1].body)
    assert link is not None
    assert Client().post(link.group(0)).status_code == 302
    access = DocumentAccess.objects.get(document=doc, user__email="juriste@cabinet.fr")
    assert access.user is not None and access.user.is_external and access.role == Role.COMMENTER
    guest = signed_in(access.user)
    abilities = guest.get(f"{API}{doc.pk}/").json()["abilities"]
    assert abilities["comment"] and not abilities["update"]
    assert [d["title"] for d in guest.get(API, {"view": "shared"}).json()] == [
        "Convention de partenariat"
    ]


def test_a_colleague_invited_gets_the_role_at_once_and_who_may_invite() -> None:
    doc = document()
    colleague = UserFactory(organisation=doc.organisation)
    added = invite(signed_in(doc.creator), doc, colleague.email, "editor")
    assert added.status_code == 200 and not mail.outbox
    assert DocumentAccess.objects.get(document=doc, user=colleague).role == Role.EDITOR
    editor = share(doc, Role.EDITOR)
    assert invite(signed_in(editor), doc, "x@y.fr").status_code == 403
    admin = share(doc, Role.ADMINISTRATOR)
    assert invite(signed_in(admin), doc, "x@y.fr", "owner").status_code in (400, 403)
    assert invite(signed_in(doc.creator), doc, "not an address").status_code == 400


def test_an_access_request_is_told_to_the_owners_once() -> None:
    doc = document(title="Budget")
    Document.objects.filter(pk=doc.pk).update(link_reach=LinkReach.AUTHENTICATED)
    asker = UserFactory(organisation=doc.organisation)
    url = f"{API}{doc.pk}/access-requests/"
    for _ in range(2):
        signed_in(asker).post(url, {"role": "editor"}, content_type="application/json")
    told = Notification.objects.filter(recipient=doc.creator)
    assert told.count() == 1
    assert str(asker) in told[0].title and "Budget" in told[0].title
    assert told[0].url == f"/docs/{doc.pk}/#share"


def test_an_invitation_never_lowers_a_role() -> None:
    """An administrator inviting the owner as a reader would otherwise demote them (a review
    found it)."""
    doc = document()
    admin = share(doc, Role.ADMINISTRATOR)
    answer = invite(signed_in(admin), doc, doc.creator.email, "reader")
    assert answer.status_code == 200
    assert DocumentAccess.objects.get(document=doc, user=doc.creator).role == Role.OWNER
    editor = share(doc, Role.EDITOR)
    invite(signed_in(admin), doc, editor.email, "administrator")  # raising is what it is for
    assert DocumentAccess.objects.get(document=doc, user=editor).role == Role.ADMINISTRATOR
