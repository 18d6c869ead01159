from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "ensemble.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from ensemble.accounts import (  # noqa: F401  (audit receivers, periodic jobs)
            signals,
            tasks,
        )
        from ensemble.accounts.actions import touch_session
        from ensemble.core.sessions import TOUCHED

        TOUCHED.append(touch_session)  # what is done on the socket keeps "last active" fresh

    def launcher_tiles(self, user: Any) -> list[Any]:
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ensemble.core.launcher import Tile

        return [
            Tile(
                name=_("My account"),
                description=_("Profile, language, two-factor authentication and sessions."),
                url=reverse("accounts:security"),
                icon="fr-icon-account-circle-line",
            )
        ]
