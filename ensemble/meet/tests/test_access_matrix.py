"""Who may call each operation of Meet's API: the access matrix of ``core/tests`` for meetings,
with a real Janus (people are admitted into its rooms) and Meet's own kinds of people: the
host, a participant, someone waiting, a removed participant, a meeting guest (no account,
known by their cookie), and people who never joined."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from ensemble.accounts.models import TokenScope
from ensemble.accounts.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    TeamFactory,
    UserFactory,
    api_token,
)
from ensemble.core.rates import DEFAULT_RATES
from ensemble.core.tests.test_access_matrix import (
    allowed_kinds,
    judged,
    operations,
    outcome,
)
from ensemble.meet import actions
from ensemble.meet.models import Access, Recording, RecordingState

ANONYMOUS = "anonymous"
KINDS = [
    ANONYMOUS,
    "host",  # organiser and host
    "member",  # an agent admitted into the meeting
    "waiting",  # an agent in the waiting room
    "removed",  # an agent removed from the meeting
    "guest",  # a meeting guest without an account, admitted
    "non-member",  # an agent of the organisation who never joined
    "other organisation",
    "external",
    "operator",
    "staff of another organisation",
    "read token",
    "write token",
    "scim token",
]
SIGNED_IN = {
    "host",
    "member",
    "waiting",
    "removed",
    "non-member",
    "other organisation",
    "external",
    "operator",
    "staff of another organisation",
}
INSIDE = {"host", "member", "guest"}  # admitted now
IN_THE_MEETING = INSIDE | {"waiting", "removed"}  # a place, whatever its state

ALLOWED: dict[str, set[str]] = {
    "api_v1_meet_meetings_list": SIGNED_IN,
    "api_v1_meet_meetings_create": SIGNED_IN - {"external"},
    "api_v1_meet_meetings_retrieve": SIGNED_IN | {ANONYMOUS, "guest"},  # a public meeting
    # its organiser (and its hosts and moderators): the host here is its organiser
    "api_v1_meet_meetings_partial_update": {"host"},
    "api_v1_meet_meetings_cancel_create": {"host"},  # 409 for the host: it is under way
    "api_v1_meet_meetings_access_create": {"host"},
    "api_v1_meet_meetings_join_create": (SIGNED_IN | {ANONYMOUS, "guest"}) - {"removed"},
    "api_v1_meet_meetings_me_retrieve": IN_THE_MEETING,
    "api_v1_meet_meetings_leave_create": INSIDE | {"waiting"},
    "api_v1_meet_meetings_participants_list": INSIDE,
    "api_v1_meet_meetings_hands_list": INSIDE,
    "api_v1_meet_meetings_events_retrieve": INSIDE,
    "api_v1_meet_meetings_messages_retrieve": INSIDE,
    "api_v1_meet_meetings_messages_create": INSIDE,
    "api_v1_meet_meetings_devices_create": INSIDE,
    "api_v1_meet_meetings_hand_create": INSIDE,
    "api_v1_meet_meetings_react_create": INSIDE,
    "api_v1_meet_meetings_admit_all_create": {"host"},
    "api_v1_meet_meetings_participants_create": {"host"},
    "api_v1_meet_meetings_participants_role_create": {"host"},
    "api_v1_meet_meetings_mute_create": {"host"},
    "api_v1_meet_meetings_lock_create": {"host"},
    "api_v1_meet_meetings_record_create": {"host"},
    "api_v1_meet_meetings_end_create": {"host"},
    # Breakout rooms: read by the people in the meeting, run by its hosts and moderators (409
    # for the host when none are open to send to, place someone in or close).
    "api_v1_meet_meetings_breakout_retrieve": INSIDE,
    "api_v1_meet_meetings_breakout_create": {"host"},
    "api_v1_meet_meetings_breakout_broadcast_create": {"host"},
    "api_v1_meet_meetings_breakout_place_create": {"host"},
    "api_v1_meet_meetings_breakout_close_create": {"host"},
    "api_v1_meet_team_rooms_create": {"host", "member"},  # the team's members
    "api_v1_meet_recordings_list": SIGNED_IN,
    "api_v1_meet_recordings_retrieve": {"host"},
    "api_v1_meet_recordings_download_retrieve": {"host"},
    "api_v1_meet_recordings_destroy": {"host"},
}
# Bodies with which the allowed get past what the action checks after reading them.
BODIES: dict[str, dict[str, Any]] = {
    "api_v1_meet_meetings_create": {"title": "Point d'étape"},
    "api_v1_meet_meetings_join_create": {"name": "Visiteur"},
    "api_v1_meet_meetings_breakout_create": {"count": 1},
    "api_v1_meet_meetings_breakout_broadcast_create": {"text": "Cinq minutes"},
    "api_v1_meet_meetings_breakout_place_create": {
        "participant": "00000000-0000-0000-0000-000000000000",
        "room": None,
    },
    "api_v1_meet_team_rooms_create": {"team": "filled in by the test"},
}


def signed_in_client(person: Any) -> Client:
    client = Client()
    answer = client.post("/accounts/login/", {"email": person.email, "password": PASSWORD})
    assert answer.status_code == 302
    return client


@pytest.mark.django_db
def test_every_meet_operation_answers_each_kind_as_its_row_says(janus: Any, settings: Any) -> None:
    settings.RATE_LIMITS = {scope: "100000/minute" for scope in DEFAULT_RATES}
    home, elsewhere = OrganisationFactory(), OrganisationFactory()
    people = {
        "host": UserFactory(organisation=home),
        "member": UserFactory(organisation=home),
        "waiting": UserFactory(organisation=home),
        "removed": UserFactory(organisation=home),
        "non-member": UserFactory(organisation=home),
        "other organisation": UserFactory(organisation=elsewhere),
        "external": UserFactory(organisation=None, is_external=True),
        "operator": UserFactory(organisation=home, is_staff=True),
        "staff of another organisation": UserFactory(organisation=elsewhere, is_staff=True),
    }
    team = TeamFactory(organisation=home)
    for kind in ("host", "member"):
        MembershipFactory(team=team, user=people[kind])
    BODIES["api_v1_meet_team_rooms_create"]["team"] = str(team.pk)
    clients = {kind: signed_in_client(person) for kind, person in people.items()}
    clients[ANONYMOUS], clients["guest"] = Client(), Client()
    meeting = actions.create_meeting(people["host"], "Comité", access=Access.PUBLIC)
    api = f"/api/v1/meet/meetings/{meeting.code}/"
    for kind in ("host", "member", "waiting", "removed", "guest"):
        joined = clients[kind].post(
            f"{api}join/", {"name": "Élise"}, content_type="application/json"
        )
        assert joined.status_code == 200, (kind, joined.content)
    places = {p.user_id: p for p in meeting.participants.all()}
    guest = meeting.participants.get(user__isnull=True)
    for participant in (places[people["member"].pk], places[people["removed"].pk], guest):
        actions.decide(people["host"], participant, True)
    actions.remove(people["host"], places[people["removed"].pk])
    recording = Recording.objects.create(
        meeting=meeting, started_by=people["host"], state=RecordingState.READY, size=4
    )
    recording.file.save("r.mp4", ContentFile(b"mp4!"))
    headers: dict[str, dict[str, str]] = {}
    for kind, scopes in {
        "read token": [TokenScope.READ],
        "write token": [TokenScope.READ, TokenScope.WRITE],
        "scim token": [TokenScope.SCIM],
    }.items():
        clients[kind] = Client()
        headers[kind] = {"HTTP_AUTHORIZATION": f"Bearer {api_token(people['member'], scopes)}"}

    class World:  # what core's outcome() reads
        pass

    world = World()
    world.clients, world.headers = clients, headers  # type: ignore[attr-defined]
    values = {
        "code": meeting.code,
        "id": str(recording.pk),
        "participant": str(places[people["waiting"].pk].pk),
        "move": "admit",
    }
    wrong, missing, walked = [], [], 0
    for operation_id, method, path in operations():
        if not operation_id.startswith("api_v1_meet_"):
            continue
        url = path
        for name, value in values.items():
            url = url.replace("{" + name + "}", value)
        if operation_id == "api_v1_meet_meetings_participants_role_create":
            url = url.replace(values["participant"], str(places[people["member"].pk].pk))
        body = BODIES.get(operation_id, {})
        statuses = {kind: outcome(world, kind, method, url, body) for kind in KINDS}  # type: ignore[arg-type]
        walked += 1
        if operation_id not in ALLOWED:
            missing.append(operation_id)
            continue
        allowed = allowed_kinds(ALLOWED[operation_id], method)
        # guests have no account: a refusal says why (403) or that they have no place (404)
        wrong += judged(f"{method.upper()} {url}", statuses, allowed, signed_out_is_401=False)
    assert missing == [], "Meet operations without a row in ALLOWED"
    assert wrong == [], "\n".join(wrong)
    assert walked == len(ALLOWED)
