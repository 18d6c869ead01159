"""Fuzz the whole OpenAPI schema (schemathesis, bounded budget): no input may cause a 5xx,
signed in as an operator and as an ordinary member, each with objects of their own that the
generated requests act on (a room, a message, a meeting, a team, a notification, a document
with its version and comment)."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, given, settings

from ensemble.accounts.models import TeamRole
from ensemble.accounts.tests.factories import TeamFactory, UserFactory
from ensemble.chat.actions.rooms import create_room
from ensemble.chat.actions.sending import send_message
from ensemble.chat.models import RoomKind
from ensemble.docs import comments
from ensemble.docs.actions import create_document
from ensemble.docs.changes import snapshot
from ensemble.docs.models import VersionKind
from ensemble.meet import actions as meet
from ensemble.portal.actions import notify

EXAMPLES = 8  # per operation and person: the two runs take under 2 minutes on 2 cores


def objects_of(person: Any) -> dict[str, dict[str, str]]:
    """Objects the person may act on, as path parameters: {path prefix: {name: value}}."""
    team = TeamFactory(organisation=person.organisation)
    team.memberships.create(user=person, role=TeamRole.OWNER)
    room = create_room(person, RoomKind.PRIVATE, "Fuzz", "A room to act on")
    message, _ = send_message(person, room, "fuzz-1", "Hello @room")
    meeting = meet.create_meeting(person, "Fuzz meeting")
    participant = meeting.participants.get(user=person)
    notification = notify(person, "Something happened")
    document = create_document(person, "Fuzz document")
    version = snapshot(document, person, VersionKind.NAMED, "v1")
    comment = comments.write(person, document, "A comment")
    access = document.accesses.get(user=person)
    return {
        "/api/v1/docs/documents/": {
            "id": str(document.pk),
            "access_id": str(access.pk),
            "version_id": str(version.pk if version else ""),
            "comment_id": str(comment.pk),
        },
        "/api/v1/chat/rooms/": {"id": str(room.pk)},
        "/api/v1/chat/messages/": {"id": str(message.pk)},
        "/api/v1/meet/meetings/": {"code": meeting.code, "participant": str(participant.pk)},
        "/api/v1/teams/": {"id": str(team.pk)},
        "/api/v1/notifications/": {"id": str(notification.pk)},
        "/api/v1/organisations/": {"id": str(person.organisation_id)},
    }


@pytest.fixture(params=["operator", "member"])
def person(request: Any, transactional_db: Any) -> tuple[dict[str, str], dict[str, Any]]:
    """Signed-in headers of an operator or of an ordinary member, and their objects."""
    staff = request.param == "operator"
    user = UserFactory(is_staff=staff, is_superuser=staff)
    objects = objects_of(user)
    client = Client()
    client.force_login(user)
    csrf = "fuzzcsrftoken" * 2 + "abcdef"
    headers = {
        "Cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }
    return headers, objects


def with_objects(case: Any, objects: dict[str, dict[str, str]]) -> Any:
    """The case acting on the person's own objects, where its path names one."""
    for prefix, values in objects.items():
        if case.path.startswith(prefix):
            for name, value in values.items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value
    return case


def video_service_down(response: Any) -> bool:
    """A deliberate 503 for a service this test does not run: Meet's when no Janus server
    answers, Assist's when no language model is configured (it says what to configure)."""
    return response.status_code == 503 and (
        "video service" in response.text or "ASSIST_LLM_URL" in response.text
    )


def test_no_input_makes_the_api_fail(
    live_server: Any, person: tuple[dict[str, str], dict[str, Any]]
) -> None:
    headers, objects = person
    schema = schemathesis.openapi.from_url(
        f"{live_server.url}/api/schema/?format=json", headers=headers
    )
    failures: list[str] = []
    statuses: list[int] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 10
    for operation in operations:

        @given(case=operation.as_strategy().map(lambda case: with_objects(case, objects)))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any) -> None:
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            if response.status_code >= 500 and not video_service_down(response):
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}")

        fuzz()
    assert failures == [], "\n".join(sorted(set(failures)))
    # The budget was really spent, and reached past authentication and validation.
    print(f"{len(statuses)} requests on {len(operations)} operations")
    assert len(statuses) >= 4 * len(operations)
    assert {200, 400} <= set(statuses)
