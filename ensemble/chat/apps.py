from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "ensemble.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from ensemble.chat import (  # noqa: F401  (e-mail invitations, the retention job)
            actions,
            tasks,
        )
        from ensemble.chat.streams import register

        register()
