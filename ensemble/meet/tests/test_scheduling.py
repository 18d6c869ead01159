"""Scheduled meetings: e-mailed invitations with an .ics, reminders, invited-only access."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.models import Meeting
from ensemble.meet.tasks import send_meeting_reminders

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
