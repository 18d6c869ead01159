"""Assist's switches, per organisation: which features its people get. Nothing leaves the
premises unless an endpoint is configured (settings), whatever these say."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.core.models import BaseModel


class Feature(models.TextChoices):
    SUMMARIES = "summaries", _("Summaries")
    WRITING = "writing", _("Writing help")
    TRANSCRIPTION = "transcription", _("Meeting transcription")


class AssistSettings(BaseModel):
    """An organisation's choice of Assist features (all on until its administrators say)."""

    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="assist_settings"
    )
    summaries = models.BooleanField(_("summaries"), default=True)
    writing = models.BooleanField(_("writing help"), default=True)
    transcription = models.BooleanField(_("meeting transcription"), default=True)

    class Meta:
        verbose_name = _("Assist settings")
        verbose_name_plural = _("Assist settings")

    def __str__(self) -> str:
        return str(self.organisation)


def enabled(user: Any, feature: Feature) -> bool:
    """Whether ``user``'s organisation lets them use ``feature`` (people of no organisation,
    guests included, get what the defaults give)."""
    return allowed_by(getattr(user, "organisation_id", None), feature)


def allowed_by(organisation_id: Any, feature: Feature) -> bool:
    """Whether the organisation lets ``feature`` be used (on its people's requests, and on
    its content: a document or a room it holds)."""
    if organisation_id is None:
        return True
    found = AssistSettings.objects.filter(organisation_id=organisation_id).first()
    return bool(getattr(found, str(feature))) if found else True
