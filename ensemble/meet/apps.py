from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetConfig(AppConfig):
    name = "ensemble.meet"
    label = "meet"
    verbose_name = _("Meet")

    def ready(self) -> None:
        from ensemble.meet import tasks  # noqa: F401  (the reminder job)
        from ensemble.meet.events import register

        register()
