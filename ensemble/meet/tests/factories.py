"""Meetings, people in them and invitations, made for tests without the actions' side effects
(no e-mail, no Janus): for tests of what reads them (abilities, pages, the API's answers)."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from ensemble.accounts.tests.factories import UserFactory
from ensemble.meet.models import (
    Access,
    Meeting,
    MeetingInvitation,
    MeetRole,
    Participant,
    ParticipantState,
)


class MeetingFactory(factory.django.DjangoModelFactory):
    """An instant meeting with its organiser as host (``host=False``: without that place)."""

    class Meta:
        model = Meeting
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Réunion {n}")
    organiser = factory.SubFactory(UserFactory)
    access = Access.SIGNED_IN

    @factory.post_generation
    def host(obj: Meeting, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted is not False and obj.organiser is not None:
            Participant.objects.create(
                meeting=obj,
                user=obj.organiser,
                display_name=str(obj.organiser),
                role=MeetRole.HOST,
                invited=True,
            )


class ScheduledMeetingFactory(MeetingFactory):
    """A meeting in two hours, for one hour."""

    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=2))
    ends_at = factory.LazyAttribute(lambda meeting: meeting.starts_at + timedelta(hours=1))


class ParticipantFactory(factory.django.DjangoModelFactory):
    """Someone with an account in a meeting (``state``, ``role`` as given; waiting by default)."""

    class Meta:
        model = Participant

    meeting = factory.SubFactory(MeetingFactory)
    user = factory.SubFactory(UserFactory)
    display_name = factory.LazyAttribute(lambda participant: str(participant.user))
    role = MeetRole.PARTICIPANT
    state = ParticipantState.WAITING


class GuestFactory(ParticipantFactory):
    """A guest without an account, known by their key."""

    user = None
    display_name = factory.Sequence(lambda n: f"Invité {n}")
    guest_key = factory.LazyFunction(lambda: secrets.token_urlsafe(24))


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingInvitation

    meeting = factory.SubFactory(ScheduledMeetingFactory)
    email = factory.Sequence(lambda n: f"invite{n}@example.org")
