"""Scheduled meetings: e-mailed invitations with an .ics, reminders, invited-only access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.ics import invitation
from ensemble.meet.models import Meeting
from ensemble.meet.tasks import send_meeting_reminders
from ensemble.meet.tests.factories import ScheduledMeetingFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/meet/meetings/"


def schedule(client: Any, capture: Any, **fields: Any) -> Any:
    start = timezone.now() + timedelta(hours=2)
    data = {
        "title": "Conseil municipal; séance du mardi, salle 2",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=1)).isoformat(),
        "access": "invited",
        **fields,
    }
    with capture(execute=True):
        return client.post(API, data, "application/json")


def test_invitees_get_an_email_with_a_calendar_invitation(
    client_of: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = UserFactory(full_name="Claire Dupont")
    invitees = ["Marc@Lyon.fr", "elise@bureau.fr", "marc@lyon.fr"]
    answer = schedule(client_of(organiser), django_capture_on_commit_callbacks, invitees=invitees)
    assert answer.status_code == 201, answer.content
    code = answer.json()["code"]
    assert sorted(mail.to[0] for mail in mailoutbox) == ["elise@bureau.fr", "marc@lyon.fr"]
    mail = mailoutbox[0]
    assert mail.subject == "Invitation: Conseil municipal; séance du mardi, salle 2"
    assert f"/meet/{code}/" in mail.body and "Claire Dupont" in mail.body
    name, calendar, kind = mail.attachments[0]
    assert name == "invitation.ics" and kind.startswith("text/calendar")
    lines = calendar.split("\r\n")
    assert "METHOD:REQUEST" in lines and f"UID:{code}@127.0.0.1:8000" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    unfolded = calendar.replace("\r\n ", "")
    assert "SUMMARY:Conseil municipal\\; séance du mardi\\, salle 2" in unfolded
    meeting = Meeting.objects.get(code=code)
    assert f"DTSTART:{meeting.starts_at.strftime('%Y%m%dT%H%M%SZ')}" in unfolded
    assert "ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:elise@bureau.fr" in unfolded
    event = event_of(calendar)
    assert str(event["summary"]) == "Conseil municipal; séance du mardi, salle 2"
    assert event["organizer"].params["CN"] == "Claire Dupont"


def event_of(calendar: str) -> Any:
    """The one VEVENT of an .ics file, parsed back by icalendar (which refuses a broken one)."""
    parsed = Calendar.from_ical(calendar)
    events = parsed.walk("VEVENT")
    assert len(events) == 1
    return events[0]


def test_an_organiser_whose_name_has_a_comma_gets_a_valid_quoted_parameter(
    client_of: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = UserFactory(full_name='Dupont, Jean; dit "JD"')
    schedule(client_of(organiser), django_capture_on_commit_callbacks, invitees=["a@b.fr"])
    calendar = mailoutbox[0].attachments[0][1]
    assert "ORGANIZER;CN=\"Dupont, Jean; dit ^'JD^'\":mailto:" in calendar.replace("\r\n ", "")
    organizer = event_of(calendar)["organizer"]
    assert organizer.params["CN"] == 'Dupont, Jean; dit "JD"'
    assert str(organizer) == f"mailto:{organiser.email}"


def test_a_title_with_line_breaks_is_one_line_and_its_invitations_are_sent(
    client_of: Any, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    organiser = UserFactory(full_name="Claire\r\nATTENDEE:mailto:spy@evil.example")
    title = "Budget\r\nATTENDEE;RSVP=TRUE:mailto:spy@evil.example\r\nEND:VEVENT\n2027"
    answer = schedule(
        client_of(organiser), django_capture_on_commit_callbacks, title=title, invitees=["a@b.fr"]
    )
    assert answer.status_code == 201, answer.content
    one_line = "Budget ATTENDEE;RSVP=TRUE:mailto:spy@evil.example END:VEVENT 2027"
    assert answer.json()["title"] == one_line
    assert [mail.to for mail in mailoutbox] == [["a@b.fr"]]
    assert mailoutbox[0].subject == f"Invitation: {one_line}"
    event = event_of(mailoutbox[0].attachments[0][1])
    assert str(event["summary"]) == one_line
    assert [str(attendee) for attendee in [event["attendee"]]] == ["mailto:a@b.fr"]
    assert event["organizer"].params["CN"] == "Claire ATTENDEE:mailto:spy@evil.example"


def test_an_older_title_with_line_breaks_still_gives_a_valid_calendar() -> None:
    meeting = ScheduledMeetingFactory(title="Réunion\r\nX-INJECTED:1")
    calendar = invitation(meeting)
    assert "X-INJECTED" not in [line.split(":")[0] for line in calendar.split("\r\n")]
    assert str(event_of(calendar)["summary"]) == "Réunion X-INJECTED:1"


def test_bad_schedules_are_refused_clearly(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_of(UserFactory())
    start = timezone.now() + timedelta(hours=1)
    backwards = schedule(
        client, django_capture_on_commit_callbacks, ends_at=(start - timedelta(hours=2)).isoformat()
    )
    assert backwards.status_code == 400
    assert backwards.json()["detail"] == "A meeting must end after it starts."
    half = client.post(API, {"title": "x", "starts_at": start.isoformat()}, "application/json")
    assert half.status_code == 400
    bad_mail = schedule(client, django_capture_on_commit_callbacks, invitees=["not an address"])
    assert bad_mail.status_code == 400
    assert client.post(API, {"title": ""}, "application/json").status_code == 400
    assert Meeting.objects.count() == 0


def test_invited_people_may_join_an_invited_only_meeting_and_others_not(
    client_of: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invited = UserFactory(email="marc@lyon.fr")
    code = schedule(
        client_of(UserFactory()), django_capture_on_commit_callbacks, invitees=["Marc@lyon.fr"]
    ).json()["code"]
    joined = client_of(invited).post(f"{API}{code}/join/", {}, "application/json")
    assert joined.status_code == 200 and joined.json()["state"] == "waiting"
    other = client_of(UserFactory()).post(f"{API}{code}/join/", {}, "application/json")
    assert other.status_code == 403


def test_reminders_go_once_shortly_before_the_start(
    client_of: Any, mailoutbox: Any, time_machine: Any, django_capture_on_commit_callbacks: Any
) -> None:
    time_machine.move_to(timezone.now(), tick=False)
    schedule(client_of(UserFactory()), django_capture_on_commit_callbacks, invitees=["a@b.fr"])
    mailoutbox.clear()
    assert send_meeting_reminders.call() == {"reminded": 0}  # two hours before: too early
    time_machine.shift(timedelta(hours=1, minutes=50))
    assert send_meeting_reminders.call() == {"reminded": 1}
    assert mailoutbox[0].subject.startswith("Starting soon: Conseil municipal")
    assert send_meeting_reminders.call() == {"reminded": 0}
