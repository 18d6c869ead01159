from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone, translation

from ensemble.accounts.models import User
from ensemble.core.events import publish
from ensemble.portal.api.serializers import NotificationSerializer
from ensemble.portal.events import NotificationCreated, NotificationRead
from ensemble.portal.models import Notification


def user_stream(user: User) -> str:
    return f"user:{user.pk}"


def shorten(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, ending with an ellipsis when it was cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def notify(recipient: User, title: str, body: str = "", url: str = "") -> Notification:
    """Tell someone something: stored, then shown live in their notification centre. Titles
    are composed from names people chose (a room, an author, a meeting): one too long for the
    notification is shortened here, where it would otherwise fail the action that notifies."""
    title = shorten(title, Notification._meta.get_field("title").max_length or 200)
    body = shorten(body, Notification._meta.get_field("body").max_length or 2000)
    if len(url) > (Notification._meta.get_field("url").max_length or 500):
        url = ""  # a link cut short leads nowhere
    with transaction.atomic():
        notification = Notification(recipient=recipient, title=title, body=body, url=url)
        notification.full_clean()
        notification.save()
        # The event carries the notification exactly as the API shows it.
        fields = NotificationSerializer(notification).data
        publish(user_stream(recipient), NotificationCreated.model_validate(fields))
    return notification


def notify_each(
    people: Iterable[User],
    title: Callable[[], str],
    body: str = "",
    url: str = "",
    told: set[Any] | None = None,
) -> set[Any]:
    """Notify each person once, the title written in their language (``title`` is called
    with it active); those in ``told`` are skipped. The ids of everyone told, ``told``'s too."""
    told = set() if told is None else told
    for person in people:
        if person.pk in told:
            continue
        told.add(person.pk)
        with translation.override(person.reads):
            notify(person, title(), body, url)
    return told


def mark_read(notification: Notification) -> Notification:
    if notification.read_at is not None:
        return notification
    with transaction.atomic():
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
        publish(user_stream(notification.recipient), NotificationRead(id=notification.id))
    return notification
