from datetime import datetime
from uuid import UUID

from ensemble.core.events import Event, event_type


@event_type("notification.created")
class NotificationCreated(Event):
    id: UUID
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool


@event_type("notification.read")
class NotificationRead(Event):
    id: UUID
