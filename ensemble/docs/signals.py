"""What follows any removal of a right, whoever made it (Docs' actions, a team's page, SCIM, the
administration site, a cascade): the open sockets of the documents concerned check again."""

from typing import Any

from django.db.models.signals import post_delete

from ensemble.accounts.models import TeamMembership
from ensemble.docs import changes
from ensemble.docs.models import Document, DocumentAccess


def access_removed(sender: Any, instance: DocumentAccess, **_: Any) -> None:
    document = Document.objects.filter(pk=instance.document_id).first()
    if document is not None:  # not gone itself (its accesses go with it)
        changes.rights_changed(document)


def left_a_team(sender: Any, instance: TeamMembership, **_: Any) -> None:
    for document in Document.objects.filter(accesses__team_id=instance.team_id).distinct():
        changes.rights_changed(document)


def connect() -> None:
    post_delete.connect(access_removed, sender=DocumentAccess, dispatch_uid="docs.access_removed")
    post_delete.connect(left_a_team, sender=TeamMembership, dispatch_uid="docs.left_a_team")
