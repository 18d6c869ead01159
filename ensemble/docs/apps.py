from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocsConfig(AppConfig):
    name = "ensemble.docs"
    label = "docs"
    verbose_name = _("Docs")

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
