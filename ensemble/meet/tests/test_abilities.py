"""Meeting.get_abilities: what each person may do, from their role and state in the meeting;
the API asks it for every action, and recordings follow it (a moderator removed or demoted
loses moderation and the recordings at once)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.api.recordings import recordings_for
from ensemble.meet.api.views import MeetingViewSet
from ensemble.meet.models import (
    Access,
    Meeting,
    MeetRole,
    Participant,
    ParticipantState,
    Recording,
    RecordingState,
)
from ensemble.meet.tests.factories import GuestFactory, MeetingFactory, ParticipantFactory
from ensemble.meet.tests.test_meetings import API, create, join

pytestmark = pytest.mark.django_db

INSIDE = {"see_people", "chat", "devices", "raise_hand", "react"}
MODERATION = {"moderate", "end", "record"}
ENTER = {"retrieve", "join", "me"}


def granted(meeting: Meeting, user: Any, participant: Participant | None) -> set[str]:
    return {name for name, ok in meeting.get_abilities(user, participant).items() if ok}


@pytest.mark.parametrize(
    ("role", "state", "expected"),
    [
        ("host", "admitted", ENTER | {"leave", "manage_recordings", "edit"} | INSIDE | MODERATION),
        (
            "moderator",
            "admitted",
            ENTER | {"leave", "manage_recordings", "edit"} | INSIDE | MODERATION,
        ),
        ("moderator", "left", ENTER | {"manage_recordings", "edit"}),
        ("moderator", "removed", {"retrieve", "me"}),
        ("participant", "admitted", ENTER | {"leave"} | INSIDE),
        ("participant", "waiting", ENTER | {"leave"}),
        ("participant", "denied", ENTER),
        ("participant", "left", ENTER),
        ("participant", "removed", {"retrieve", "me"}),
    ],
)
def test_abilities_follow_role_and_state(role: str, state: str, expected: set[str]) -> None:
    participant = ParticipantFactory(
        meeting=MeetingFactory(access=Access.PUBLIC), role=role, state=state
    )
    assert granted(participant.meeting, participant.user, participant) == expected


def test_guests_outsiders_and_an_ended_meeting() -> None:
    meeting = MeetingFactory(access=Access.PUBLIC)
    organiser = meeting.organiser
    guest = GuestFactory(meeting=meeting, state=ParticipantState.ADMITTED)
    anonymous = AnonymousUser()
    assert granted(meeting, anonymous, guest) == ENTER | {"leave"} | INSIDE
    assert granted(meeting, anonymous, None) == {"retrieve", "join"}
    assert granted(meeting, UserFactory(), None) == {"retrieve", "join"}
    host = meeting.participants.get(user=organiser)
    assert "manage_recordings" in granted(meeting, organiser, host)
    meeting.access = Access.SIGNED_IN
    assert granted(meeting, anonymous, None) == set()
    meeting.ended_at = timezone.now()
    Participant.objects.filter(pk=host.pk).update(state=ParticipantState.LEFT)
    host.refresh_from_db()
    assert granted(meeting, organiser, host) == {"retrieve", "me", "manage_recordings"}


def test_every_api_action_names_the_ability_it_needs() -> None:
    actions_of_view = {a.__name__ for a in MeetingViewSet.get_extra_actions()} | {
        "retrieve",
        "partial_update",
    }
    assert set(MeetingViewSet.ability_for_action) == actions_of_view
    some = MeetingFactory()
    known = set(some.get_abilities(AnonymousUser(), None))
    assert set(MeetingViewSet.ability_for_action.values()) <= known


def test_the_recordings_listed_are_those_abilities_allow() -> None:
    meeting = MeetingFactory()
    organiser = meeting.organiser
    recording = Recording.objects.create(meeting=meeting, state=RecordingState.READY)
    people = {"organiser": organiser}
    for role in MeetRole:
        for state in ParticipantState:
            people[f"{role}/{state}"] = ParticipantFactory(
                meeting=meeting, role=role, state=state
            ).user
    people["outsider"] = UserFactory()
    may = {name for name, person in people.items() if recording.get_abilities(person)["download"]}
    listed = {name for name, person in people.items() if recordings_for(person).exists()}
    assert may == listed
    assert may == {"organiser"} | {
        f"{role}/{state}"
        for role in ("host", "moderator")
        for state in ("waiting", "admitted", "left")
    }


def recording_of(code: str) -> Recording:
    return Recording.objects.create(
        meeting=Meeting.objects.get(code=code), state=RecordingState.READY
    )


@pytest.mark.parametrize("how", ["removed", "demoted"])
def test_a_moderator_removed_or_demoted_loses_moderation_and_the_recordings_at_once(
    janus: Any, client_of: Any, how: str
) -> None:
    host = client_of(UserFactory())
    code = create(host, lobby=False)["code"]
    join(host, code)
    moderator = client_of(UserFactory())
    them = join(moderator, code).json()
    base = f"{API}{code}/participants/{them['id']}"
    assert host.post(f"{base}/role/", {"role": "moderator"}, "application/json").status_code == 200
    recording = recording_of(code)
    url = f"/api/v1/meet/recordings/{recording.pk}/"
    assert moderator.get(url).status_code == 200
    unlock = moderator.post(f"{API}{code}/lock/", {"locked": False}, "application/json")
    assert unlock.status_code == 200
    if how == "removed":
        assert host.post(f"{base}/remove/").status_code == 200
    else:
        demoted = host.post(f"{base}/role/", {"role": "participant"}, "application/json")
        assert demoted.status_code == 200
    lock = moderator.post(f"{API}{code}/lock/", {"locked": True}, "application/json")
    assert lock.status_code == 403
    assert lock.json()["detail"] == "Only the meeting's hosts and moderators can do this."
    assert moderator.post(f"{API}{code}/end/").status_code == 403
    assert moderator.get(f"{url}download/").status_code == 404
    assert moderator.delete(url).status_code == 404
    assert Recording.objects.filter(pk=recording.pk).exists()
    assert host.delete(url).status_code == 204


def test_a_guest_without_a_place_is_told_so(janus: Any, client_of: Any) -> None:
    host = client_of(UserFactory())
    code = create(host, access="public", lobby=False)["code"]
    join(host, code)
    guest = Client()
    assert guest.get(f"{API}{code}/participants/").status_code == 404
    assert guest.post(f"{API}{code}/lock/", {"locked": True}, "application/json").status_code == 403
    assert guest.get(f"{API}{code}/").status_code == 200
