"""Searching documents: every word, in the title or the text, accents ignored on SQLite, only
among the documents one may read, best first."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ensemble.core.abilities import Role
from ensemble.docs import changes, content
from ensemble.docs.tests.factories import document, share

pytestmark = pytest.mark.django_db

API = "/api/v1/docs/documents/"


def found(user: Any, text: str, view: str = "mine") -> list[str]:
    client = Client()
    client.force_login(user)
    return [d["title"] for d in client.get(API, {"view": view, "search": text}).json()]


def test_every_word_in_the_title_or_the_text() -> None:
    budget = document(title="Budget primitif 2027")
    owner = budget.creator
    minutes = document(owner=owner, title="Compte rendu")
    changes.replace(minutes, owner, content.from_markdown("Le **budget** sera voté en juin.\n"))
    document(owner=owner, title="Autre chose")
    assert sorted(found(owner, "budget")) == ["Budget primitif 2027", "Compte rendu"]
    assert found(owner, "budget juin") == ["Compte rendu"]  # every word
    assert found(owner, "voté") == ["Compte rendu"]
    assert found(owner, "introuvable") == []
    assert found(owner, '"; DROP TABLE') == []  # no query syntax gets through
    assert found(owner, "budget ju") == ["Compte rendu"]  # the last word as it is being typed
    assert found(owner, "prim") == ["Budget primitif 2027"]
    assert found(owner, "imitif") == []  # the start of a word, not any part of it
    assert found(owner, "budget | ju:*") == ["Compte rendu"]  # read as words, not syntax


def test_only_among_the_documents_one_may_read() -> None:
    secret = document(title="Projet confidentiel")
    shared = document(title="Projet partagé")
    reader = share(shared, Role.READER)
    assert found(reader, "projet", view="shared") == ["Projet partagé"]
    assert found(secret.creator, "projet") == ["Projet confidentiel"]
