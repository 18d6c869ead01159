from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsConfig(AppConfig):
    name = "ensemble.docs"
    label = "docs"
    verbose_name = _("Docs")

    def ready(self) -> None:
        from ensemble.accounts.guests import invitable
        from ensemble.docs import tasks  # noqa: F401  (the trash is purged on a schedule)
        from ensemble.docs.actions import join_by_invitation
        from ensemble.docs.models import Document

        invitable(Document, join_by_invitation)  # e-mail invitations to a document

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
