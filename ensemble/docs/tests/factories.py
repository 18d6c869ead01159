from __future__ import annotations

from typing import Any

from django.test import Client

from ensemble.accounts.tests.factories import UserFactory
from ensemble.core.abilities import Role
from ensemble.docs import actions
from ensemble.docs.models import Document, DocumentAccess


def document(owner: Any = None, parent: Document | None = None, **fields: Any) -> Document:
    """A document made as its owner would make it (the action, so its path and owner are right)."""
    owner = owner or (parent.creator if parent else UserFactory())
    made = actions.create_document(owner, fields.pop("title", "A document"), parent=parent)
    if fields:
        Document.objects.filter(pk=made.pk).update(**fields)
        made.refresh_from_db()
    return made


def share(doc: Document, role: str = Role.EDITOR, user: Any = None, team: Any = None) -> Any:
    if user is None and team is None:
        user = UserFactory(organisation=doc.organisation)
    DocumentAccess.objects.create(document=doc, user=user, team=team, role=role)
    return user


def signed_in(user: Any) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client
