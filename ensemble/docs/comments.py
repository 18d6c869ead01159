"""Comments on documents: write, reply, edit, delete, resolve and reopen; the people named and
those in the thread are told through the portal's notifications."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.models import User
from ensemble.core.refusals import ActionRefused, BadInput
from ensemble.docs import changes
from ensemble.docs.models import Comment, Document
from ensemble.portal.actions import notify_each

MAX_MENTIONS = 20


def write(
    author: User,
    document: Document,
    body: str,
    thread: Comment | None = None,
    anchor: tuple[str, str] = ("", ""),
    quote: str = "",
    mentions: list[Any] | None = None,
) -> Comment:
    if not document.get_abilities(author)["comment"]:
        raise ActionRefused(_("You may not comment on this document."))
    body = body.strip()
    if not body:
        raise BadInput(_("Write something."))
    if thread is not None and thread.thread_id is not None:
        thread = thread.thread  # a reply to a reply goes in the same thread
    with transaction.atomic():
        comment = Comment.objects.create(
            document=document,
            thread=thread,
            author=author,
            body=body[:10_000],
            anchor_start=anchor[0][:500] if thread is None else "",
            anchor_end=anchor[1][:500] if thread is None else "",
            quote=quote[:1000] if thread is None else "",
        )
        named = readers_among(document, mentions or [])
        comment.mentions.set(named)
        if thread is not None and thread.resolved_at is not None:  # a reply reopens it
            Comment.objects.filter(pk=thread.pk).update(resolved_at=None, resolved_by=None)
        changes.comments_changed(document)
    tell(comment, named)
    return comment


def readers_among(document: Document, ids: list[Any]) -> list[User]:
    """The people named who may read the document (nobody learns of a document they cannot
    open)."""
    people = User.objects.filter(pk__in=[str(i) for i in ids[:MAX_MENTIONS]], is_active=True)
    return [person for person in people if document.get_abilities(person)["retrieve"]]


def tell(comment: Comment, named: list[User]) -> None:
    """The people named, and those who wrote in the thread before, are notified."""
    document, author = comment.document, comment.author
    url = f"/docs/{document.pk}/#comment-{comment.thread_id or comment.pk}"
    names = {"name": author, "document": document}
    told = notify_each(
        named,
        lambda: _("%(name)s mentioned you in a comment on %(document)s") % names,
        comment.body,
        url,
        told={author.pk} if author else set(),
    )
    if comment.thread is None:
        return
    thread = comment.thread
    earlier = Comment.objects.filter(pk=thread.pk) | thread.replies.all()
    writers = User.objects.filter(pk__in=earlier.values("author"), is_active=True)
    notify_each(
        [person for person in writers if document.get_abilities(person)["retrieve"]],
        lambda: _("%(name)s replied to a comment on %(document)s") % names,
        comment.body,
        url,
        told=told,
    )


def edit(user: User, comment: Comment, body: str) -> Comment:
    if comment.author_id != user.pk:
        raise ActionRefused(_("Only its author can change a comment."))
    if not body.strip():
        raise BadInput(_("Write something."))
    comment.body, comment.edited_at = body.strip()[:10_000], timezone.now()
    comment.save(update_fields=["body", "edited_at", "updated_at"])
    changes.comments_changed(comment.document)
    return comment


def delete(user: User, comment: Comment) -> None:
    mine = comment.author_id == user.pk
    administrator = comment.document.get_abilities(user)["manage_accesses"]
    if not mine and not administrator:
        raise ActionRefused(_("Only its author or the document's administrators can delete it."))
    others = comment.replies.exclude(author_id=user.pk).exists()
    if others and not administrator:  # deleting a thread deletes its replies
        raise ActionRefused(_("Others replied: only the document's administrators can delete it."))
    comment.delete()
    changes.comments_changed(comment.document)


def resolve(user: User, comment: Comment, resolved: bool) -> Comment:
    if comment.thread_id is not None:
        raise BadInput(_("Resolve the thread, not a reply."))
    if not comment.document.get_abilities(user)["comment"]:
        raise ActionRefused(_("You may not comment on this document."))
    comment.resolved_at = timezone.now() if resolved else None
    comment.resolved_by = user if resolved else None
    comment.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    changes.comments_changed(comment.document)
    return comment
