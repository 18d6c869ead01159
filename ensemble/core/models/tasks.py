from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A background job that failed every attempt: shown to operators in the admin."""

    task = models.CharField(_("task"), max_length=255, db_index=True)
    arguments = models.JSONField(_("arguments"), default=dict)
    attempts = models.PositiveIntegerField(_("attempts"))
    error = models.TextField(_("error"))
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True, db_index=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        ordering = ["-failed_at"]
        verbose_name = _("failed background job")
        verbose_name_plural = _("failed background jobs")

    def __str__(self) -> str:
        return f"{self.task} ({self.failed_at:%Y-%m-%d %H:%M})"
