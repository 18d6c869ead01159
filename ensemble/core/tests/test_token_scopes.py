"""API token scopes hold for every operation of the API, whatever a view declares.

The operations are read from the OpenAPI schema, so a new endpoint is walked without being
listed here. Each call is made on objects the token's owner may change (an operator who owns a
room, a team and a meeting), so that a forgotten check would let the write through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from ensemble.accounts.models import TokenScope, User
from ensemble.accounts.tests.factories import TeamFactory, UserFactory, api_token

pytestmark = pytest.mark.django_db

UNSAFE = {"post", "put", "patch", "delete"}
SCIM_PATHS = ["/scim/v2/Users", "/scim/v2/Groups", "/scim/v2/ServiceProviderConfig"]


def operations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield path, method, operation


def filled(path: str, operation: dict[str, Any], ids: dict[str, str]) -> str:
    """The path with each parameter set to an object of the operator's, or a valid value:
    the first word of a pattern of words (``^add|remove$``), 1 for a number, else an id of
    the app's object (the meeting's code for ``{code}``)."""
    params = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "path"}

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        schema = params.get(name, {}).get("schema", {})
        words = re.fullmatch(r"\^([a-z]+)(\|[a-z]+)*\$", schema.get("pattern", ""))
        if words:
            return words.group(1)
        if schema.get("type") == "integer":
            return "1"
        return ids.get(name, ids.get(path.split("/")[3], ids["any"]))

    return re.sub(r"\{(\w+)\}", value, path)


@pytest.fixture
def operator_objects() -> tuple[User, dict[str, str]]:
    from ensemble.chat.models import RoomRole
    from ensemble.chat.tests.factories import RoomMemberFactory
    from ensemble.meet.actions import create_meeting

    operator = UserFactory(is_staff=True, is_superuser=True)
    team = TeamFactory(organisation=operator.organisation)
    room = RoomMemberFactory(
        user=operator, role=RoomRole.ADMIN, room__organisation=operator.organisation
    ).room
    meeting = create_meeting(operator, "Comité")
    ids = {"teams": str(team.pk), "chat": str(room.pk), "code": meeting.code}
    host = meeting.participants.get()
    return operator, {**ids, "participant": str(host.pk), "any": str(room.pk)}


def call(client: Client, method: str, url: str, value: str) -> Any:
    return getattr(client, method)(
        url, {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {value}"
    )


def scope_refusal(response: Any, scope: str) -> bool:
    detail = response.json().get("detail", "") if response.status_code == 403 else ""
    return f"“{scope}” scope" in str(detail)


def test_a_read_only_token_is_refused_every_write(
    operator_objects: tuple[User, dict[str, str]],
) -> None:
    operator, ids = operator_objects
    value, client = api_token(operator, [TokenScope.READ]), Client()
    walked, wrongly = 0, []
    for path, method, operation in operations():
        url = filled(path, operation, ids)
        response = call(client, method, url, value)
        walked += 1
        if method in UNSAFE and not scope_refusal(response, TokenScope.WRITE):
            wrongly.append(f"{method.upper()} {url} -> {response.status_code}")
        if method == "get" and scope_refusal(response, TokenScope.READ):
            wrongly.append(f"{method.upper()} {url} refused a read token")
    assert wrongly == []
    assert walked > 40  # the schema was really walked


def test_a_scim_only_token_is_refused_everywhere_but_scim(
    operator_objects: tuple[User, dict[str, str]],
) -> None:
    operator, ids = operator_objects
    value, client = api_token(operator, [TokenScope.SCIM]), Client()
    wrongly = []
    for path, method, operation in operations():
        url = filled(path, operation, ids)
        response = call(client, method, url, value)
        needed = TokenScope.WRITE if method in UNSAFE else TokenScope.READ
        if not scope_refusal(response, needed):
            wrongly.append(f"{method.upper()} {url} -> {response.status_code}")
    assert wrongly == []
    for path in SCIM_PATHS:
        assert client.get(path, HTTP_AUTHORIZATION=f"Bearer {value}").status_code == 200


@pytest.mark.parametrize("scopes", [["read"], ["read", "write"]])
def test_scim_needs_the_scim_scope(
    operator_objects: tuple[User, dict[str, str]], scopes: list[str]
) -> None:
    operator, _ids = operator_objects
    value, client = api_token(operator, scopes), Client()
    for path in SCIM_PATHS:
        response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {value}")
        assert response.status_code == 403
        assert "scim" in response.json()["detail"]


def test_a_write_token_still_writes_where_its_owner_may(
    operator_objects: tuple[User, dict[str, str]],
) -> None:
    operator, _ids = operator_objects
    value = api_token(operator, [TokenScope.READ, TokenScope.WRITE])
    response = Client().post(
        "/api/v1/chat/rooms/",
        {"name": "Scripted", "kind": "private"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {value}",
    )
    assert response.status_code == 201, response.content
