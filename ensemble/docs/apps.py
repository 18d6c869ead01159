from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsConfig(AppConfig):
    name = "ensemble.docs"
    label = "docs"
    verbose_name = _("Docs")

    def ready(self) -> None:
        from ensemble.accounts.guests import invitable
        from ensemble.core.files import delete_files_with
        from ensemble.docs import tasks  # noqa: F401  (the trash is purged on a schedule)
        from ensemble.docs.actions import join_by_invitation
        from ensemble.docs.models import ConversionJob, Document, DocumentImage
        from ensemble.docs.signals import connect

        invitable(Document, join_by_invitation)  # e-mail invitations to a document
        connect()  # rights removed anywhere: the open sockets check again
        # However they go (a purged trash, an expired job), their stored files go too.
        delete_files_with(DocumentImage, "file")
        delete_files_with(ConversionJob, "file")

    def launcher_tiles(self, user: Any) -> list[Any]:
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ensemble.core.launcher import Tile

        return [
            Tile(
                name=_("Docs"),
                description=_("Documents written together, live, even offline."),
                url=reverse("docs:home"),
                icon="fr-icon-file-text-line",
            )
        ]
