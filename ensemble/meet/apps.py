from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetConfig(AppConfig):
    name = "ensemble.meet"
    label = "meet"
    verbose_name = _("Meet")

    def ready(self) -> None:
        from ensemble.meet import breakout, recording, tasks  # noqa: F401  (jobs)
        from ensemble.meet.events import register
        from ensemble.meet.previews import register_previews

        register()
        register_previews()

    def launcher_tiles(self, user: Any) -> list[Any]:
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ensemble.core.launcher import Tile

        return [
            Tile(
                name=_("Meet"),
                description=_("Video meetings with colleagues and guests, up to 150 people."),
                url=reverse("meet:home"),
                icon="fr-icon-video-chat-line",
            )
        ]
