"""Rooms: create, update, archive, retention, avatar, direct rooms, meeting rooms."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat.actions.attachments import check_size
from ensemble.chat.events import RoomJoined, RoomUpdated
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole
from ensemble.core import audit
from ensemble.core.events import publish
from ensemble.core.files import picture
from ensemble.core.refusals import BadInput
from ensemble.portal.actions import user_stream


def create_room(user: User, kind: str, name: str, topic: str = "") -> Room:
    if user.is_external:
        raise ActionRefused(_("External users cannot create rooms."))
    if kind == RoomKind.FORUM and user.organisation_id is None:
        raise ActionRefused(_("Only members of an organisation can create forums."))
    with transaction.atomic():
        room = Room.objects.create(
            kind=kind,
            name=name.strip(),
            topic=topic.strip(),
            organisation_id=user.organisation_id,
            created_by=user,
        )
        RoomMember.objects.create(room=room, user=user, role=RoomRole.ADMIN)
    return room


def update_room(actor: User, room: Room, name: str | None, topic: str | None) -> Room:
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation has no name or topic."))
    if not room.get_abilities(actor)["update"]:
        raise ActionRefused(_("Only the room's moderators and administrators can change it."))
    with transaction.atomic():
        room.name = room.name if name is None else name.strip()[:200]
        room.topic = room.topic if topic is None else topic.strip()[:500]
        room.save(update_fields=["name", "topic", "updated_at"])
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=False))
    return room


def archive_room(actor: User, room: Room) -> Room:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators can archive it."))
    with transaction.atomic():
        room.archived_at = timezone.now()
        room.save(update_fields=["archived_at", "updated_at"])
        audit.record("chat.room_archived", actor=actor, target=room)
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=True))
    return room


def create_meeting_room(title: str, link: str, organiser: User | None) -> Room:
    """The chat of a meeting (Meet makes it when the first person is admitted); its topic is
    the meeting's link, for those who read it later in Chat."""
    return Room.objects.create(
        kind=RoomKind.MEETING,
        name=title[:200],
        topic=link[:500],
        organisation_id=organiser.organisation_id if organiser else None,
        created_by=organiser,
    )


def direct_room(user: User, other: User) -> tuple[Room, bool]:
    """The direct conversation of two people (found or created); (room, created)."""
    if other.pk == user.pk:
        raise ActionRefused(_("A direct conversation needs another person."))
    if not other.is_active:
        raise ActionRefused(_("This account is deactivated."))
    colleagues = (
        not user.is_external
        and not other.is_external
        and user.organisation_id is not None
        and user.organisation_id == other.organisation_id
    )
    share_a_room = RoomMember.objects.filter(
        user=other, banned=False, room__members__user=user, room__members__banned=False
    ).exists()
    if not (colleagues or share_a_room):
        raise ActionRefused(
            _("You can only write directly to colleagues or to people you share a room with.")
        )
    key = Room.direct_key_of(user, other)
    existing = Room.objects.filter(direct_key=key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            room = Room.objects.create(
                kind=RoomKind.DIRECT,
                organisation_id=user.organisation_id,
                created_by=user,
                direct_key=key,
            )
            RoomMember.objects.create(room=room, user=user)
            RoomMember.objects.create(room=room, user=other)
            publish(user_stream(other), RoomJoined(room=room.pk))
    except IntegrityError:  # opened at the same moment by the other one: theirs is ours
        return Room.objects.get(direct_key=key), False
    return room, True


def set_retention(actor: User, room: Room, days: int | None) -> Room:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators set its retention."))
    with transaction.atomic():
        room.retention_days = days
        room.save(update_fields=["retention_days", "updated_at"])
        audit.record("chat.retention_set", actor=actor, target=room, data={"days": days})
    return room


AVATAR_BOX = (256, 256)


AVATAR_MAX_BYTES = 10_000_000


def set_avatar(actor: User, room: Room, upload: UploadedFile | None) -> Room:
    """A picture for the room (moderators), kept as a 256-pixel image; None removes it."""
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation has no avatar."))
    if not room.get_abilities(actor)["update"]:
        raise ActionRefused(_("Only the room's moderators and administrators can change it."))
    image = None
    if upload is not None:
        check_size(upload, AVATAR_MAX_BYTES)
        image = picture(upload.file or upload, AVATAR_BOX)
        if image is None:
            raise BadInput(_("The avatar must be a picture (PNG, JPEG, GIF or WebP)."))
    old = room.avatar.name if room.avatar else ""
    with transaction.atomic():
        if image is not None:
            room.avatar.save(image.thumbnail.name or "thumbnail", image.thumbnail, save=False)
        else:
            room.avatar = None
        room.save(update_fields=["avatar", "updated_at"])
        publish(room.stream, RoomUpdated(name=room.name, topic=room.topic, archived=False))
    if old:
        storage = room.avatar.storage
        transaction.on_commit(lambda: storage.delete(old))
    return room
