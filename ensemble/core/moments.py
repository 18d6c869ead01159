"""Dates and times people give: kept between the years 1900 and 9000, so that converting one
to another time zone, or adding a duration or a reminder to it, never leaves what Python and
the databases can hold (years 1 to 9999: 9999-12-31T23:59 in Paris is a 500 once in UTC+14)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(9000, 1, 1, tzinfo=UTC)


def in_range(moment: datetime) -> bool:
    """Whether ``moment`` (aware, or naive in the current time zone) is within the years."""
    try:  # comparing in UTC may itself overflow, near year 1 or 9999
        aware = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
        return EARLIEST <= aware <= LATEST
    except OverflowError:
        return False


class DateTimeField(serializers.DateTimeField):
    """DRF's field, refusing dates outside the years 1900 to 9000 with a clear message."""

    default_error_messages = {
        "out_of_range": _("Give a date between the years 1900 and 9000."),
        "overflow": _("Give a date between the years 1900 and 9000."),
    }

    def to_internal_value(self, value: Any) -> datetime:
        try:
            moment: datetime = super().to_internal_value(value)
        except OverflowError:  # DRF's check of daylight saving, near year 1 or 9999
            self.fail("out_of_range")
        if not in_range(moment):
            self.fail("out_of_range")
        return moment


def bound_every_model_serializer() -> None:
    """Every ModelSerializer, present and future, reads a model's DateTimeField with the
    bounded field (a field a serializer declares itself should use DateTimeField above)."""
    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = DateTimeField
