from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginFailure(models.Model):
    """A failed sign-in, counted per account and per IP for lock-out."""

    email = models.CharField(max_length=254, db_index=True)
    ip = models.GenericIPAddressField(null=True, db_index=True)
    time = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} from {self.ip} at {self.time:%Y-%m-%d %H:%M:%S}"


class UserSession(models.Model):
    """A signed-in browser of a user, listed so that the user can end it."""

    session_key = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions"
    )
    ip = models.GenericIPAddressField(_("IP address"), null=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last active"), auto_now_add=True)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} ({self.ip})"
