from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in: an agent of an organisation, or an external guest."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    # Cleared when an operator changes the address (SCIM, admin); set again when the person,
    # signed in, opens the link sent to the new address. Password resets go only to
    # confirmed addresses, so a changed address cannot be used to take the account over.
    email_verified = models.BooleanField(_("e-mail address confirmed"), default=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    is_staff = models.BooleanField(
        _("operator"), default=False, help_text=_("May use the administration site.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_external = models.BooleanField(
        _("external user"),
        default=False,
        help_text=_("A guest from outside the administration: sees only what they are invited to."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    scim_external_id = models.CharField(
        _("identifier in the provisioning system"), max_length=255, blank=True, db_index=True
    )
    inactivity_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    totp_secret = models.CharField(max_length=64, blank=True, editable=False)
    totp_enabled = models.BooleanField(_("two-factor authentication"), default=False)
    # The time step of the last code accepted: a code is accepted once (RFC 6238 §5.2).
    totp_last_step = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    # Chat: whether others see when this person has read their messages ("seen by"); who
    # does not share theirs does not see others' either.
    share_read_receipts = models.BooleanField(_("share read receipts"), default=True)
    # Chat's e-mail digest: mentions and direct messages written up to this moment were
    # considered (each is e-mailed once at most).
    chat_digest_through = models.DateTimeField(null=True, blank=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def reads(self) -> str:
        """The language this person reads the suite in: theirs, or the site's."""
        return self.language or settings.LANGUAGE_CODE

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        super().clean()
        self.email = self.email.strip().lower()
        if self.is_external and (self.is_staff or self.is_superuser):
            raise ValidationError(_("An external user cannot be an operator."))
