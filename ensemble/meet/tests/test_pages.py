"""Meet's pages: the home (start, join by code, one's meetings) and the meeting page, open
to guests only for public meetings."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet import actions
from ensemble.meet.models import Access, Meeting, MeetRole


@pytest.mark.django_db
def test_the_home_starts_a_meeting_and_lists_ones_meetings(client_of: Any) -> None:
    user = UserFactory()
    client = client_of(user)
    answer = client.post("/meet/", {"title": "Point presse"})
    meeting = Meeting.objects.get(title="Point presse")
    assert answer.status_code == 302 and answer["Location"] == f"/meet/{meeting.code}/"
    assert meeting.participants.get().role == MeetRole.HOST
    untitled = client.post("/meet/", {"title": "  "})
    assert Meeting.objects.get(code=untitled["Location"].split("/")[2]).title.startswith(
        "Meeting of"
    )
    page = client.get("/meet/").content.decode()
    assert "Point presse" in page and meeting.code in page
    other = client_of(UserFactory()).get("/meet/").content.decode()
    assert "Point presse" not in other


@pytest.mark.django_db
def test_joining_by_code_accepts_a_pasted_link_and_explains_a_wrong_code(client_of: Any) -> None:
    meeting = actions.create_meeting(UserFactory(), "Comité")
    client = client_of(UserFactory())
    pasted = f"https://ensemble.example.fr/meet/{meeting.code.upper()}/ "
    assert client.post("/meet/", {"code": pasted})["Location"] == f"/meet/{meeting.code}/"
    answer = client.post("/meet/", {"code": "abc-defg-hjk"})
    assert answer.status_code == 200
    assert "No meeting has this code" in answer.content.decode()


@pytest.mark.django_db
def test_external_users_cannot_start_meetings_from_the_home(client_of: Any) -> None:
    client = client_of(UserFactory(is_external=True))
    answer = client.post("/meet/", {"title": "Essai"})
    assert answer.status_code == 200 and "External users cannot organise" in answer.content.decode()
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_the_home_is_for_people_signed_in() -> None:
    answer = Client().get("/meet/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_the_meeting_page_is_open_to_guests_only_when_public(client_of: Any) -> None:
    host = UserFactory()
    public = actions.create_meeting(host, "Permanence", access=Access.PUBLIC)
    private = actions.create_meeting(host, "Direction", access=Access.SIGNED_IN)
    page = Client().get(f"/meet/{public.code}/").content.decode()
    assert 'id="guest-name"' in page and "Permanence" in page
    answer = Client().get(f"/meet/{private.code}/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    signed_in = client_of(UserFactory()).get(f"/meet/{private.code}/").content.decode()
    assert 'id="guest-name"' not in signed_in and "Join the meeting" in signed_in
    assert Client().get("/meet/abc-defg-hjk/").status_code == 404


@pytest.mark.django_db
def test_the_meeting_page_gives_its_script_what_it_needs(client_of: Any, settings: Any) -> None:
    settings.MEET_PAGE_SIZE, settings.MEET_MUTE_ABOVE = 6, 25
    meeting = actions.create_meeting(UserFactory(), "Revue")
    page = client_of(UserFactory()).get(f"/meet/{meeting.code}/").content.decode()
    assert 'data-page-size="6"' in page and 'data-mute-above="25"' in page
    opening = '<script id="meet-strings" type="application/json">'
    start = page.index(opening) + len(opening)
    strings = json.loads(page[start : page.index("</script>", start)])
    assert strings["waiting"] == "Waiting for a moderator to let you in…"


@pytest.mark.django_db
def test_an_ended_meeting_says_so(client_of: Any) -> None:
    meeting = actions.create_meeting(UserFactory(), "Hier")
    Meeting.objects.filter(pk=meeting.pk).update(ended_at=timezone.now())
    page = client_of(UserFactory()).get(f"/meet/{meeting.code}/").content.decode()
    assert "This meeting has ended." in page and "Join the meeting" not in page
