"""Every error message a person reads is translated: the code that answers requests and socket
commands never sends an English literal that gettext has not seen."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.test import Client
from rest_framework.exceptions import APIException

from ensemble.accounts.scim.filters import InvalidFilter
from ensemble.accounts.scim.views import ScimError
from ensemble.accounts.tests.factories import UserFactory
from ensemble.accounts.tests.test_scim import token_for
from ensemble.chat.tests.factories import RoomMemberFactory
from ensemble.core.ephemeral import BadSignal
from ensemble.core.refusals import ActionRefused

PACKAGE = Path(__file__).resolve().parents[2]


def answers_requests(path: Path) -> bool:
    """An API, a page's views, a socket command or SCIM: what answers a person's request."""
    parts = path.relative_to(PACKAGE).parts
    if "tests" in parts or "migrations" in parts:
        return False
    return (
        "api" in parts
        or "scim" in parts
        or path.stem == "api"
        or path.stem.startswith("api_")
        or path.name.endswith("views.py")
        or path.name == "socket.py"
        or path.name in ("realtime.py", "ephemeral.py")  # the live socket and its signals
    )


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if answers_requests(path))


def user_facing_exceptions() -> set[str]:
    """The names of the exceptions whose message is sent to the person who asked."""
    for path in MODULES:  # so that every subclass they raise is defined
        importlib.import_module(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
    names: set[str] = set()
    todo: list[type[Exception]] = [APIException, Http404, DjangoValidationError, ActionRefused]
    todo += [ScimError, InvalidFilter, BadSignal, PermissionError]
    while todo:
        cls = todo.pop()
        names.add(cls.__name__)
        todo += cls.__subclasses__()
    return names


def is_literal(node: ast.expr | None) -> bool:
    """A text no gettext call has seen: a string, an f-string, or a dict or list of them."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str)
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.Dict):
        return any(is_literal(value) for value in node.values)
    if isinstance(node, ast.List | ast.Tuple):
        return any(is_literal(item) for item in node.elts)
    return False


def message_of(call: ast.Call) -> ast.expr | None:
    """The ``detail``/``message`` keyword, or else the first positional argument that is not
    a number (ScimError takes the HTTP status first)."""
    for keyword in call.keywords:
        if keyword.arg in ("detail", "message"):
            return keyword.value
    texts = [a for a in call.args if not (isinstance(a, ast.Constant) and type(a.value) is int)]
    return texts[0] if texts else None


def untranslated(tree: ast.Module, exceptions: set[str]) -> list[int]:
    """The lines that send a literal: ``raise SomeError("…")``, a socket command's
    ``return 400, {"detail": "…"}``, a permission's ``message = "…"``, the socket's
    ``self.error("code", "…")``."""
    lines = []
    for node in ast.walk(tree):
        is_error = isinstance(node, ast.Call) and ast.unparse(node.func) == "self.error"
        if is_error and len(node.args) > 1 and is_literal(node.args[1]):  # type: ignore[attr-defined]
            lines.append(node.lineno)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            name = ast.unparse(node.exc.func).rpartition(".")[2]
            if name in exceptions and is_literal(message_of(node.exc)):
                lines.append(node.lineno)
        elif isinstance(node, ast.Return) and isinstance(node.value, ast.Tuple):
            status, *body = node.value.elts
            is_status = isinstance(status, ast.Constant) and type(status.value) is int
            if is_status and body and is_literal(body[-1]):
                lines.append(node.lineno)
        elif isinstance(node, ast.ClassDef):
            for statement in node.body:
                if isinstance(statement, ast.Assign) and is_literal(statement.value):
                    targets = {ast.unparse(target) for target in statement.targets}
                    if targets & {"message", "default_detail"}:
                        lines.append(statement.lineno)
    return sorted(lines)


def test_the_request_handling_modules_are_found() -> None:
    found = {path.relative_to(PACKAGE).as_posix() for path in MODULES}
    assert {"chat/api/views.py", "chat/api/socket.py", "accounts/scim/views.py"} <= found
    assert "chat/views.py" in found and "core/api_audit.py" in found


def test_no_error_message_is_an_untranslated_literal() -> None:
    exceptions = user_facing_exceptions()
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in MODULES
        for line in untranslated(ast.parse(path.read_text(encoding="utf-8")), exceptions)
    ]
    assert not found, "Wrap in gettext (_), translate in django.po:\n" + "\n".join(found)


def test_the_check_sees_each_kind_of_literal() -> None:
    code = """
raise exceptions.PermissionDenied("No.")
raise exceptions.ValidationError({"q": f"Type {n} characters."})
raise ScimError(400, "No such user.", "invalidValue")
raise exceptions.ValidationError({"q": _("Translated.")})
raise ScimError(400, _("Translated."), "invalidValue")
raise ValueError("for operators, in the logs")
def parsed():
    return 400, {"room": ["Give a room id."]}
class Access:
    message = "Not for you."
self.error("bad_message", "Signals go on a stream you follow.")
self.error("bad_message", _("Signals go on a stream you follow."))
"""
    assert untranslated(ast.parse(code), user_facing_exceptions()) == [2, 3, 4, 9, 11, 12]


# A French reader gets French --------------------------------------------------------------


@pytest.mark.django_db
def test_a_french_user_reads_api_errors_in_french(client_of: Any) -> None:
    french = client_of(RoomMemberFactory(user__language="fr").user)
    response = french.get("/api/v1/chat/rooms/search/", {"q": "x"})
    assert response.status_code == 400
    assert response.json() == {"q": "Saisissez entre 2 et 200 caractères."}
    english = client_of(RoomMemberFactory().user)
    refused = english.get("/api/v1/chat/rooms/search/", {"q": "x"})
    assert refused.json() == {"q": "Type between 2 and 200 characters."}


@pytest.mark.django_db
def test_scim_errors_follow_accept_language_but_not_their_scim_type() -> None:
    token = token_for(UserFactory(is_staff=True), ["scim"])
    response = Client().get(
        '/scim/v2/Users?filter=userName gt "a"',
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Filtre non valide : l'opérateur 'gt' n'est pas pris en charge"
    assert body["scimType"] == "invalidFilter"  # a protocol value (RFC 7644), never translated


@pytest.mark.django_db
def test_a_socket_batch_answers_each_sender_in_their_own_language() -> None:
    """The calls gathered into one batch run in a context of their own, not their senders':
    each refusal is still in its own sender's language."""
    from ensemble.chat.api.socket import send_together

    french, english = UserFactory(language="fr"), UserFactory(language="en")
    answers = send_together([(french, {"room": "nope"}), (english, {"room": "nope"})])
    assert answers == [
        (400, {"room": ["Indiquez l'identifiant d'un salon."]}),
        (400, {"room": ["Give a room id."]}),
    ]


@pytest.mark.django_db
def test_refusals_of_the_sending_plan_are_in_each_sender_s_language() -> None:
    """Refusals written by the sending plan itself (no such room, a message too long), for a
    batch holding a French and an English sender."""
    import uuid

    from ensemble.chat.api.serializers import MAX_MESSAGE_BYTES
    from ensemble.chat.api.socket import send_together

    french, english = UserFactory(language="fr"), UserFactory(language="en")
    member = RoomMemberFactory(user=UserFactory(language="fr"))
    nowhere = str(uuid.uuid4())
    long = "x" * (MAX_MESSAGE_BYTES + 1)
    answers = send_together(
        [
            (french, {"room": nowhere, "txn_id": "a", "body": "Bonjour"}),
            (english, {"room": nowhere, "txn_id": "b", "body": "Hello"}),
            (member.user, {"room": str(member.room.pk), "txn_id": "c", "body": long}),
        ]
    )
    assert answers[0] == (404, {"detail": "Ce salon n'existe pas, ou vous n'en faites pas partie."})
    assert answers[1] == (404, {"detail": "No such room, or you are not in it."})
    assert answers[2][0] == 413 and "Ce message est trop long" in answers[2][1]["detail"]
