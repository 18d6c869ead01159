from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ensemble.portal"
    label = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from ensemble.core.events import stream_kind

        # A person's own stream: their notifications.
        stream_kind("user", lambda user, key: str(user.pk) == key)
