"""Meet's home page does what the API does: start a meeting with the access chosen, change
and cancel one's scheduled meetings (invitees told), open one's teams' rooms."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ensemble.accounts.tests.factories import MembershipFactory, TeamFactory, UserFactory
from ensemble.meet.models import Access, Meeting, MeetRole, ParticipantState
from ensemble.meet.tests.factories import (
    InvitationFactory,
    ParticipantFactory,
    ScheduledMeetingFactory,
)

pytestmark = pytest.mark.django_db

LOCAL = "%Y-%m-%dT%H:%M"


@pytest.mark.parametrize(
    ("chosen", "stored"),
    [("public", "public"), ("invited", "invited"), ("team", "signed_in"), ("", "signed_in")],
)
def test_starting_a_meeting_with_the_access_chosen(
    client_of: Any, chosen: str, stored: str
) -> None:
    client = client_of(UserFactory())
    answer = client.post("/meet/", {"do": "start", "title": "Point", "access": chosen})
    meeting = Meeting.objects.get(title="Point")
    assert answer["Location"] == f"/meet/{meeting.code}/"
    assert meeting.access == stored


def test_the_page_offers_the_accesses_but_a_teams(client_of: Any) -> None:
    page = client_of(UserFactory()).get("/meet/").content.decode()
    assert 'value="public"' in page and 'value="invited"' in page
    assert 'value="signed_in" checked' in page and 'value="team"' not in page
    assert "Anyone with the link, guests included" in page


def test_the_organiser_changes_a_scheduled_meeting_from_the_page(
    client_of: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = ScheduledMeetingFactory(title="Revue")
    InvitationFactory(meeting=meeting, email="a@lyon.fr")
    InvitationFactory(meeting=meeting, email="b@lyon.fr")
    client = client_of(meeting.organiser)
    listed = client.get("/meet/").content.decode()
    assert f'href="?change={meeting.code}"' in listed and 'value="cancel"' in listed
    form = client.get(f"/meet/?change={meeting.code}").content.decode()
    assert 'value="Revue"' in form and "a@lyon.fr\nb@lyon.fr" in form
    start = timezone.localtime(meeting.starts_at + timedelta(days=1)).replace(
        second=0, microsecond=0
    )
    data = {
        "do": "change",
        "meeting": meeting.code,
        "change-title": "Revue (déplacée)",
        "change-starts_at": start.strftime(LOCAL),
        "change-ends_at": (start + timedelta(hours=2)).strftime(LOCAL),
        "change-access": "signed_in",
        "change-invitees": "a@lyon.fr\nc@lyon.fr",
    }
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/meet/", data)
    assert answer.status_code == 302, answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.title == "Revue (déplacée)" and meeting.starts_at == start
    assert meeting.sequence == 1
    subjects = sorted((mail.to[0], mail.subject.split(":")[0]) for mail in mailoutbox)
    assert subjects == [
        ("a@lyon.fr", "Updated invitation"),
        ("b@lyon.fr", "No longer invited"),
        ("c@lyon.fr", "Invitation"),
    ]


def test_a_bad_change_shows_what_is_wrong(client_of: Any) -> None:
    meeting = ScheduledMeetingFactory(title="Revue")
    start = timezone.localtime(meeting.starts_at)
    data = {
        "do": "change",
        "meeting": meeting.code,
        "change-title": "Revue",
        "change-starts_at": start.strftime(LOCAL),
        "change-ends_at": (start - timedelta(hours=1)).strftime(LOCAL),
        "change-access": "signed_in",
        "change-invitees": "pas-une-adresse",
    }
    answer = client_of(meeting.organiser).post("/meet/", data)
    assert answer.status_code == 200
    assert "“pas-une-adresse” is not an e-mail address." in answer.content.decode()
    data["change-invitees"] = ""
    answer = client_of(meeting.organiser).post("/meet/", data)
    assert "A meeting must end after it starts." in answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.sequence == 0


def test_the_organiser_cancels_from_the_page(
    client_of: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    meeting = ScheduledMeetingFactory(title="Revue")
    InvitationFactory(meeting=meeting, email="a@lyon.fr")
    client = client_of(meeting.organiser)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/meet/", {"do": "cancel", "meeting": meeting.code})
    assert answer.status_code == 302
    meeting.refresh_from_db()
    assert meeting.cancelled_at is not None
    assert [mail.subject for mail in mailoutbox] == ["Cancelled: Revue"]
    assert "Revue" not in client.get("/meet/").content.decode()


def test_others_see_no_buttons_and_are_refused(client_of: Any) -> None:
    meeting = ScheduledMeetingFactory(title="Revue")
    invited = ParticipantFactory(meeting=meeting, state=ParticipantState.LEFT)
    client = client_of(invited.user)
    page = client.get("/meet/").content.decode()
    assert "Revue" in page and "?change=" not in page and 'value="cancel"' not in page
    assert "change-title" not in client.get(f"/meet/?change={meeting.code}").content.decode()
    answer = client.post("/meet/", {"do": "cancel", "meeting": meeting.code})
    assert "Only the meeting&#x27;s organiser and hosts can change it." in answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.cancelled_at is None
    moderator = ParticipantFactory(meeting=meeting, role=MeetRole.MODERATOR).user
    assert "?change=" in client_of(moderator).get("/meet/").content.decode()


def test_a_member_opens_the_teams_room_from_the_page(client_of: Any) -> None:
    team = TeamFactory(name="Cellule SI")
    member = MembershipFactory(team=team).user
    client = client_of(member)
    assert "Open the room of Cellule SI" in client.get("/meet/").content.decode()
    answer = client.post("/meet/", {"do": "team", "team": str(team.pk)})
    room = Meeting.objects.get(team=team)
    assert answer["Location"] == f"/meet/{room.code}/" and room.access == Access.TEAM
    again = client_of(MembershipFactory(team=team).user).post(
        "/meet/", {"do": "team", "team": str(team.pk)}
    )
    assert again["Location"] == f"/meet/{room.code}/"
    assert room.code in client.get("/meet/").content.decode()
    outsider = client_of(UserFactory(organisation=team.organisation))
    for value in (str(team.pk), "pas-un-id"):
        refused = outsider.post("/meet/", {"do": "team", "team": value})
        assert refused.status_code == 200
        assert "You are not a member of this team." in refused.content.decode()
    assert Meeting.objects.filter(team=team).count() == 1


def test_the_page_s_posts_count_against_the_meet_manage_limit(
    client_of: Any, settings: Any
) -> None:
    """The page starts, changes and cancels meetings as the API does, within the same limit."""
    from django.core.cache import cache

    cache.clear()
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "meet.manage": "2/day"}
    user = UserFactory()
    client = client_of(user)
    statuses = [client.post("/meet/", {"title": f"r{n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Meeting.objects.filter(organiser=user).count() == 2
    assert client.get("/meet/").status_code == 200  # reading the page is not counted
