"""Who is in a room: join, add, remove, ban and lift a ban, roles, read markers, notifications."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ensemble.accounts.actions import ActionRefused
from ensemble.accounts.models import User
from ensemble.chat.events import MemberChanged, ReadMarker, RoomJoined
from ensemble.chat.models import Room, RoomKind, RoomMember, RoomRole
from ensemble.core import audit
from ensemble.core.events import current_seq, publish
from ensemble.portal.actions import user_stream


def join_room(user: User, room: Room) -> RoomMember:
    if not room.get_abilities(user)["join"]:
        raise ActionRefused(_("You cannot join this room: ask one of its members to invite you."))
    with transaction.atomic():
        member, created = RoomMember.objects.get_or_create(room=room, user=user)
        if created:
            member_changed(room, user, member.role, "joined")
    return member


def mark_read(user: User, room: Room, seq: int) -> RoomMember:
    """Move the reader's marker forward (never back, never past the last message)."""
    member = room.membership(user)
    if member is None:
        raise ActionRefused(_("Only members of a room have read markers."))
    latest = current_seq(room.stream)
    target = min(max(seq, 0), latest)
    with transaction.atomic():
        updated = RoomMember.objects.filter(pk=member.pk, last_read_seq__lt=target).update(
            last_read_seq=target
        )
        if updated:
            publish(user_stream(user), ReadMarker(room=room.pk, seq=target))
    member.refresh_from_db()
    return member


def set_notify_level(user: User, room: Room, level: str) -> RoomMember:
    member = room.membership(user)
    if member is None:
        raise ActionRefused(_("Only members of a room choose its notifications."))
    member.notify = level
    member.save(update_fields=["notify", "updated_at"])
    return member


def member_changed(room: Room, user: User, role: str | None, state: str) -> None:
    publish(room.stream, MemberChanged(user=user.pk, name=str(user), role=role, state=state))
    if state == "joined":
        publish(user_stream(user), RoomJoined(room=room.pk))


def may_enter(room: Room, user: User) -> None:
    """The kind of a room decides who may be in it."""
    if room.kind == RoomKind.MEETING:
        raise ActionRefused(_("The people of a meeting's chat are those admitted to the meeting."))
    if user.is_external and room.kind != RoomKind.EXTERNAL:
        raise ActionRefused(_("External users can only be in external rooms."))
    if room.kind == RoomKind.DIRECT:
        raise ActionRefused(_("A direct conversation is between its two people only."))


RANKS = {RoomRole.MEMBER: 1, RoomRole.MODERATOR: 2, RoomRole.ADMIN: 3}


def locked(room: Room) -> Room:
    """Lock the room's row until the transaction ends, so that checks of its members (one
    administrator at least) and the change they allow happen as one (SQLite's transactions
    are IMMEDIATE: one writer at a time already)."""
    return Room.objects.select_for_update().get(pk=room.pk)


def add_member(actor: User, room: Room, user: User, role: str = RoomRole.MEMBER) -> RoomMember:
    abilities = room.get_abilities(actor)
    if not abilities["moderate"] or room.archived_at is not None:
        raise ActionRefused(_("Only the room's moderators and administrators can add people."))
    if role != RoomRole.MEMBER and not abilities["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators give roles."))
    may_enter(room, user)
    if user.is_external:
        role = RoomRole.MEMBER
    with transaction.atomic():
        member, created = RoomMember.objects.get_or_create(
            room=room, user=user, defaults={"role": role}
        )
        if member.banned:
            raise ActionRefused(_("This person is banned from the room: lift the ban first."))
        if created:
            member_changed(room, user, member.role, "joined")
    return member


def remove_member(actor: User, room: Room, user: User, *, ban: bool = False) -> None:
    """Leave (oneself), or remove or ban someone (moderators)."""
    member = room.members.filter(user=user).first()
    if member is None:
        raise ActionRefused(_("This person is not in the room."))
    leaving = actor.pk == user.pk and not ban
    if not leaving and not room.get_abilities(actor)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators can remove people."))
    if not leaving and not outranks(room, actor, member):
        raise ActionRefused(_("Moderators cannot remove or ban administrators or moderators."))
    with transaction.atomic():
        locked(room)
        member = room.members.filter(pk=member.pk).first()  # as it is now, under the lock
        if member is None:
            raise ActionRefused(_("This person is not in the room."))
        keep_an_admin(room, member)
        if ban:
            member.banned, member.role = True, RoomRole.MEMBER
            member.save(update_fields=["banned", "role", "updated_at"])
            audit.record(
                "chat.member_banned", actor=actor, target=room, data={"user": str(user.pk)}
            )
        else:
            member.delete()
            if not leaving:
                audit.record(
                    "chat.member_removed", actor=actor, target=room, data={"user": str(user.pk)}
                )
        member_changed(room, user, None, "banned" if ban else ("left" if leaving else "removed"))


def lift_ban(actor: User, room: Room, user: User) -> None:
    """A moderator lifts a ban: the person is no longer in the room, and may be added again
    (or join it again, if it is a forum)."""
    if not room.get_abilities(actor)["moderate"]:
        raise ActionRefused(_("Only the room's moderators and administrators can lift a ban."))
    with transaction.atomic():
        deleted, _rows = room.members.filter(user=user, banned=True).delete()
        if not deleted:
            raise ActionRefused(_("This person is not banned from the room."))
        audit.record("chat.member_unbanned", actor=actor, target=room, data={"user": str(user.pk)})
        member_changed(room, user, None, "unbanned")


def outranks(room: Room, actor: User, member: RoomMember) -> bool:
    """Whether ``actor`` may remove or ban ``member``: administrators anyone, moderators
    members only."""
    mine = room.members.filter(user=actor, banned=False).values_list("role", flat=True).first()
    if mine == RoomRole.ADMIN:
        return True
    return RANKS.get(RoomRole(mine), 0) > RANKS[RoomRole(member.role)] if mine else False


def keep_an_admin(room: Room, member: RoomMember) -> None:
    """Refuse to take away the last administrator of a room that has other members (the
    caller holds the room's lock)."""
    if member.role != RoomRole.ADMIN or member.banned:
        return
    others = room.members.filter(role=RoomRole.ADMIN, banned=False).exclude(pk=member.pk)
    if not others.exists() and room.members.exclude(pk=member.pk).exists():
        raise ActionRefused(_("Name another administrator before the last one leaves."))


def set_member_role(actor: User, room: Room, user: User, role: str) -> RoomMember:
    if not room.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the room's administrators can change roles."))
    member = room.members.filter(user=user, banned=False).first()
    if member is None:
        raise ActionRefused(_("This person is not in the room."))
    if user.is_external and role != RoomRole.MEMBER:
        raise ActionRefused(_("An external user can only be a member."))
    with transaction.atomic():
        locked(room)
        member = room.members.filter(pk=member.pk, banned=False).first()
        if member is None:
            raise ActionRefused(_("This person is not in the room."))
        if role != RoomRole.ADMIN:
            keep_an_admin(room, member)
        member.role = role
        member.save(update_fields=["role", "updated_at"])
        audit.record(
            "chat.member_role_changed",
            actor=actor,
            target=room,
            data={"user": str(user.pk), "role": role},
        )
        member_changed(room, user, role, "role")
    return member


def set_meeting_member(room: Room, user: User, role: str | None) -> None:
    """Meet decides who is in a meeting's chat: the people it admits, with the role they have
    in the meeting (None takes someone out). A ban from the chat stays a ban."""
    member = room.members.filter(user=user).first()
    with transaction.atomic():
        if role is None:
            if member is not None and not member.banned:
                member.delete()
                member_changed(room, user, None, "removed")
        elif member is None:
            RoomMember.objects.create(room=room, user=user, role=role)
            member_changed(room, user, role, "joined")
        elif member.role != role and not member.banned:
            member.role = role
            member.save(update_fields=["role", "updated_at"])
            member_changed(room, user, role, "role")
