"""Every write people cause on documents: create, rename, share, move, trash, restore."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import Team, User
from ensemble.core import audit
from ensemble.core.abilities import RANK, LinkReach, Role
from ensemble.core.refusals import ActionRefused, BadInput
from ensemble.docs import changes, store
from ensemble.docs.models import (
    MAX_DEPTH,
    AccessRequest,
    Document,
    DocumentAccess,
    Favourite,
)

# The roles a link may give: reading or editing (not managing).
LINK_ROLES = (Role.READER, Role.COMMENTER, Role.EDITOR)


def create_document(
    user: User, title: str = "", parent: Document | None = None, template: Document | None = None
) -> Document:
    """A new document: at the root of the person's space (they own it), or below a document
    they may edit (it inherits that document's rights); its content copied from a template."""
    if parent is not None:
        if not parent.get_abilities(user)["create_child"]:
            raise ActionRefused(_("You may not add a page below this document."))
        if parent.depth >= MAX_DEPTH:
            raise BadInput(_("Pages cannot be nested more than %(n)s deep.") % {"n": MAX_DEPTH})
    elif user.is_external:
        raise ActionRefused(_("External users cannot create documents of their own."))
    if template is not None and not template.get_abilities(user)["retrieve"]:
        raise ActionRefused(_("You may not use this template."))
    title = title.strip()[:255] or (template.title if template else "")
    with transaction.atomic():
        document = Document(
            title=title,
            parent=parent,
            creator=user,
            organisation_id=user.organisation_id,
        )
        document.path = f"{parent.path if parent else ''}{document.pk.hex}/"
        document.save()
        if parent is None:
            DocumentAccess.objects.create(document=document, user=user, role=Role.OWNER)
        if template is not None:
            content = store.load(template.pk)
            if content.update != store.EMPTY_UPDATE:
                store.append(document.pk, content.update, user)
        audit.record("docs.document_created", actor=user, target=document)
    return document


def update_document(
    user: User,
    document: Document,
    title: str | None = None,
    link_reach: str | None = None,
    link_role: str | None = None,
    is_template: bool | None = None,
) -> Document:
    abilities = document.get_abilities(user)
    if not abilities["update"]:
        raise ActionRefused(_("You may not change this document."))
    changed = ["updated_at"]
    if title is not None:
        document.title = title.strip()[:255]
        changed.append("title")
    if is_template is not None:
        document.is_template = is_template
        changed.append("is_template")
    if link_reach is not None or link_role is not None:
        if not abilities["manage_accesses"]:
            raise ActionRefused(_("Only the document's administrators can change its link."))
        if link_reach is not None:
            if link_reach not in LinkReach.values:
                raise BadInput(_("Unknown link reach."))
            document.link_reach = link_reach
        if link_role is not None:
            if link_role not in LINK_ROLES:
                raise BadInput(_("A link gives reading, commenting or editing, nothing more."))
            document.link_role = link_role
        changed += ["link_reach", "link_role"]
        audit.record(
            "docs.link_changed",
            actor=user,
            target=document,
            data={"reach": document.link_reach, "role": document.link_role},
        )
    document.save(update_fields=changed)
    document.forget_roles()
    if "link_reach" in changed:
        changes.rights_changed(document)
    return document


def trash(user: User, document: Document) -> Document:
    """Put a document and everything below it in the trash (restorable for 30 days)."""
    if not document.get_abilities(user)["destroy"]:
        raise ActionRefused(_("Only the document's owners can delete it."))
    now = timezone.now()
    with transaction.atomic():
        Document.objects.filter(path__startswith=document.path, deleted_at__isnull=True).update(
            deleted_at=now
        )
        audit.record("docs.document_trashed", actor=user, target=document)
        changes.rights_changed(document)
    document.deleted_at = now
    document.forget_roles()
    return document


def restore(user: User, document: Document) -> Document:
    if document.deleted_at is None:
        raise BadInput(_("This document is not in the trash."))
    if not document.get_abilities(user)["restore"]:
        raise ActionRefused(_("Only the document's owners can restore it."))
    if document.parent is not None and document.parent.deleted_at is not None:
        raise BadInput(_("Restore the page above it first."))
    with transaction.atomic():
        # What was deleted with it comes back with it; what was deleted before stays deleted.
        Document.objects.filter(
            path__startswith=document.path, deleted_at=document.deleted_at
        ).update(deleted_at=None)
        audit.record("docs.document_restored", actor=user, target=document)
    document.deleted_at = None
    document.forget_roles()
    return document


def move(user: User, document: Document, parent: Document | None) -> Document:
    """Move a document (with what is below it) under another one, or to the root. Its owners
    only: a move changes who has access (what was inherited from the old place is not from
    the new one), and at the root its mover becomes its owner."""
    if not document.get_abilities(user)["destroy"]:
        raise ActionRefused(_("Only the document's owners can move it."))
    if parent is not None:
        if not parent.get_abilities(user)["create_child"]:
            raise ActionRefused(_("You may not add a page below this document."))
        if parent.path.startswith(document.path):
            raise BadInput(_("A document cannot be moved below itself."))
    old = document.path
    new = f"{parent.path if parent else ''}{document.pk.hex}/"
    depth_below = max(
        (
            len(p.split("/")) - 1
            for p in Document.objects.filter(path__startswith=old).values_list("path", flat=True)
        ),
        default=0,
    ) - (len(old.split("/")) - 1)
    if (len(new.split("/")) - 1) + depth_below > MAX_DEPTH:
        raise BadInput(_("Pages cannot be nested more than %(n)s deep.") % {"n": MAX_DEPTH})
    with transaction.atomic():
        changes.rights_changed(document)  # those who had it by inheritance are checked again
        if (
            parent is None
            and not DocumentAccess.objects.filter(document=document, role=Role.OWNER).exists()
        ):  # at the root it inherits nothing: its mover keeps it
            DocumentAccess.objects.update_or_create(
                document=document, user=user, defaults={"role": Role.OWNER}
            )
        Document.objects.filter(path__startswith=old).update(
            path=Concat(Value(new), Substr("path", len(old) + 1))
        )
        Document.objects.filter(pk=document.pk).update(parent=parent)
        audit.record(
            "docs.document_moved",
            actor=user,
            target=document,
            data={"parent": str(parent.pk) if parent else None},
        )
    document.refresh_from_db()
    document.forget_roles()
    return document


def set_favourite(user: User, document: Document, favourite: bool) -> None:
    if favourite:
        Favourite.objects.get_or_create(user=user, document=document)
    else:
        Favourite.objects.filter(user=user, document=document).delete()


# Accesses


def grant(
    actor: User, document: Document, role: str, user: User | None = None, team: Team | None = None
) -> DocumentAccess:
    """Give a person or a team a role on a document (or change the one they have)."""
    check_may_give(actor, document, role)
    if (user is None) == (team is None):
        raise BadInput(_("Give the access to a person or to a team."))
    if team is not None and team.organisation_id != actor.organisation_id:
        raise ActionRefused(_("You can only share with the teams of your organisation."))
    if user is not None and not user.is_active:
        raise BadInput(_("This account is deactivated."))
    with transaction.atomic():
        if user is not None:
            access, _created = DocumentAccess.objects.update_or_create(
                document=document, user=user, defaults={"role": role}
            )
            AccessRequest.objects.filter(document=document, user=user).delete()
        else:
            access, _created = DocumentAccess.objects.update_or_create(
                document=document, team=team, defaults={"role": role}
            )
        changes.rights_changed(document)  # a role given in place of a higher one
        audit.record(
            "docs.access_granted",
            actor=actor,
            target=document,
            data={
                "user": str(user.pk) if user else None,
                "team": str(team.pk) if team else None,
                "role": role,
            },
        )
    document.forget_roles()
    return access


def change_access(actor: User, access: DocumentAccess, role: str) -> DocumentAccess:
    check_may_give(actor, access.document, role)
    check_may_touch(actor, access)
    with transaction.atomic():
        if access.role == Role.OWNER and role != Role.OWNER:
            check_not_last_owner(access)
        access.role = role
        access.save(update_fields=["role", "updated_at"])
        changes.rights_changed(access.document)
        audit.record(
            "docs.access_changed", actor=actor, target=access.document, data={"role": role}
        )
    return access


def revoke(actor: User, access: DocumentAccess) -> None:
    document = access.document
    leaving = access.user_id == actor.pk
    if not leaving:
        if not document.get_abilities(actor)["manage_accesses"]:
            raise ActionRefused(_("Only the document's administrators can change who has access."))
        check_may_touch(actor, access)
    with transaction.atomic():
        if access.role == Role.OWNER:
            check_not_last_owner(access)
        access.delete()  # its sockets check again (signals.access_removed)
        audit.record("docs.access_revoked", actor=actor, target=document)


def check_may_give(actor: User, document: Document, role: str) -> None:
    if role not in Role.values:
        raise BadInput(_("Unknown role."))
    actor_role = document.get_role(actor)
    if not document.get_abilities(actor)["manage_accesses"] or actor_role is None:
        raise ActionRefused(_("Only the document's administrators can change who has access."))
    if RANK[Role(role)] > RANK[actor_role]:
        raise ActionRefused(_("You cannot give a role above your own."))


def check_may_touch(actor: User, access: DocumentAccess) -> None:
    actor_role = access.document.get_role(actor)
    if actor_role is None or RANK[Role(access.role)] > RANK[actor_role]:
        raise ActionRefused(_("You cannot change the access of someone above you."))


def check_not_last_owner(access: DocumentAccess) -> None:
    owners = DocumentAccess.objects.filter(document=access.document, role=Role.OWNER)
    if access.document.parent_id is None and owners.exclude(pk=access.pk).count() == 0:
        raise BadInput(_("A document keeps at least one owner."))


# Access requests


def request_access(user: User, document: Document, role: str = Role.EDITOR) -> AccessRequest:
    if role not in LINK_ROLES:
        raise BadInput(_("Ask for reading, commenting or editing."))
    current = document.get_role(user)
    if current is not None and RANK[current] >= RANK[Role(role)]:
        raise BadInput(_("You already have this access."))
    try:
        with transaction.atomic():
            request, created = AccessRequest.objects.update_or_create(
                document=document, user=user, defaults={"role": role}
            )
    except IntegrityError:  # two requests at once: the other one is there
        return AccessRequest.objects.get(document=document, user=user)
    if created:  # asked again: told once
        tell_administrators(request)
    return request


def answer_request(actor: User, request: AccessRequest, accept: bool, role: Any = None) -> None:
    document = request.document
    if not document.get_abilities(actor)["manage_accesses"]:
        raise ActionRefused(_("Only the document's administrators can answer access requests."))
    with transaction.atomic():
        if accept:
            grant(actor, document, role or request.role, user=request.user)
        request.delete()


# Invitations by e-mail (external guests join through the guest flow)


def join_by_invitation(invitation: Any, user: User) -> None:
    """An accepted invitation to a document: its role, for the person who accepted it, unless
    they have a higher one there (an invitation never lowers a role: an administrator could
    otherwise invite an owner as a reader)."""
    document = Document.objects.get(pk=invitation.target_id)
    access = DocumentAccess.objects.filter(document=document, user=user).first()
    if access is None:
        DocumentAccess.objects.create(document=document, user=user, role=invitation.role)
    elif RANK[Role(invitation.role)] > RANK[Role(access.role)]:
        access.role = invitation.role
        access.save(update_fields=["role", "updated_at"])
    AccessRequest.objects.filter(document=document, user=user).delete()


def check_may_invite(actor: User, document: Document, role: str) -> None:
    check_may_give(actor, document, role)
    if role == Role.OWNER:
        raise BadInput(_("Invite as administrator at most; give ownership once they have joined."))


def tell_administrators(request: AccessRequest) -> None:
    """An access request is told to the document's owners and administrators (those with a
    role given on the document itself, or on a page above it)."""
    from ensemble.portal.actions import notify_each

    document = request.document
    managers = DocumentAccess.objects.filter(
        document_id__in=document.ancestor_ids,
        user__isnull=False,
        user__is_active=True,
        role__in=[Role.OWNER, Role.ADMINISTRATOR],
    ).select_related("user")
    notify_each(
        [access.user for access in managers if access.user is not None],
        lambda: (
            _("%(name)s asks for access to %(document)s")
            % {"name": request.user, "document": document}
        ),
        str(Role(request.role).label),
        f"/docs/{document.pk}/#share",
    )
