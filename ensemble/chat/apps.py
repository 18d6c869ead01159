from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "ensemble.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from ensemble.accounts.guests import invitable
        from ensemble.chat import (  # noqa: F401  (retention, digests)
            digest,
            tasks,
        )
        from ensemble.chat.actions.attachments import tell_scanned
        from ensemble.chat.actions.invitations import join_by_invitation
        from ensemble.chat.models import Room
        from ensemble.chat.streams import register
        from ensemble.core.scanning import file_scanned

        invitable(Room, join_by_invitation)  # e-mail invitations to a room
        file_scanned.connect(tell_scanned, dispatch_uid="chat.attachment.scanned")
        register()

    def launcher_tiles(self, user: Any) -> list[Any]:
        from django.urls import reverse
        from django.utils.translation import gettext as _

        from ensemble.core.launcher import Tile

        return [
            Tile(
                name=_("Chat"),
                description=_("Rooms, direct messages and threads with your colleagues."),
                url=reverse("chat:home"),
                icon="fr-icon-chat-3-line",
            )
        ]
