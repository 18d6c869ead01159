"""What an operator oversees (SCIM, the admin site, the audit log): a superuser, everything;
any other operator (is_staff), the people, teams and audit entries of its own organisation,
and nothing without one."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import CharField, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat, Substr

from ensemble.accounts.models import Organisation, Team, User
from ensemble.core.models import AuditEntry


def people_of(operator: Any) -> QuerySet[User]:
    if operator.is_superuser:
        return User.objects.all()
    if operator.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=operator.organisation_id)


def teams_of(operator: Any) -> QuerySet[Team]:
    if operator.is_superuser:
        return Team.objects.all()
    if operator.organisation_id is None:
        return Team.objects.none()
    return Team.objects.filter(organisation_id=operator.organisation_id)


def organisations_of(operator: Any) -> QuerySet[Organisation]:
    if operator.is_superuser:
        return Organisation.objects.all()
    if operator.organisation_id is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(pk=operator.organisation_id)


def uuid_text(field: str) -> Combinable:
    """A UUID column as ``str(uuid)`` writes it (the audit log's target_id): PostgreSQL casts
    it so; SQLite stores 32 hex digits, to which the hyphens are added."""
    text = Cast(field, CharField())
    if connection.vendor == "postgresql":
        return text
    parts = [Substr(text, start, length) for start, length in ((1, 8), (9, 4), (13, 4), (17, 4))]
    dashed: list[Any] = []
    for part in parts:
        dashed += [part, Value("-")]
    return Concat(*dashed, Substr(text, 21, 12), output_field=CharField())


def audit_entries_of(operator: Any, entries: QuerySet[AuditEntry]) -> QuerySet[AuditEntry]:
    """The entries whose actor or target (a person, a team, the organisation) is of the
    operator's organisation."""
    if operator.is_superuser:
        return entries
    if operator.organisation_id is None:
        return entries.none()

    def ids(queryset: QuerySet[Any]) -> Subquery:
        return Subquery(queryset.annotate(text=uuid_text("pk")).values("text"))

    return entries.filter(
        Q(actor__organisation_id=operator.organisation_id)
        | Q(target_type="accounts.user", target_id__in=ids(people_of(operator)))
        | Q(target_type="accounts.team", target_id__in=ids(teams_of(operator)))
        | Q(target_type="accounts.organisation", target_id=str(operator.organisation_id))
    )
