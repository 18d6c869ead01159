from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "ensemble.core"
    label = "core"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from ensemble.core import signals  # noqa: F401  (audits admin actions)
        from ensemble.core.moments import bound_every_model_serializer

        bound_every_model_serializer()

    def launcher_tiles(self, user: Any) -> list[Any]:
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ensemble.core.launcher import Tile

        if not user.is_staff:
            return []
        return [
            Tile(
                name=_("Administration"),
                description=_("Users, organisations, teams, audit log and background jobs."),
                url=reverse("admin:index"),
                icon="fr-icon-settings-5-line",
            )
        ]
