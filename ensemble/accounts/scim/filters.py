"""The part of SCIM filtering that provisioning clients use: ``attr op "value"`` joined by
``and``, with the operators eq, ne, co, sw, ew and pr (RFC 7644 §3.4.2.2)."""

from __future__ import annotations

import re
import shlex
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

OPERATORS = {"eq": "iexact", "co": "icontains", "sw": "istartswith", "ew": "iendswith"}


class InvalidFilter(ValueError):
    pass


def parse_value(raw: str) -> Any:
    if raw == "true":
        return True
    if raw == "false":
        return False
    if raw == "null":
        return None
    return raw


def to_q(text: str, fields: dict[str, str]) -> Q:
    """A Django Q for a filter; ``fields`` maps SCIM attribute paths (lower case) to fields."""
    try:
        words = shlex.split(text, posix=True)
    except ValueError as error:
        raise InvalidFilter(_("the filter cannot be read: %(error)s") % {"error": error}) from error
    clauses = [[]]  # type: list[list[str]]
    for word in words:
        if word.lower() == "and":
            clauses.append([])
        elif word.lower() == "or":
            raise InvalidFilter(_("'or' is not supported: send one request per alternative"))
        else:
            clauses[-1].append(word)
    query = Q()
    for clause in clauses:
        query &= clause_to_q(clause, fields)
    return query


def clause_to_q(clause: list[str], fields: dict[str, str]) -> Q:
    if len(clause) not in (2, 3):
        raise InvalidFilter(_('each condition must read: attribute operator "value"'))
    attribute, operator = clause[0].lower(), clause[1].lower()
    attribute = re.sub(r"^urn:ietf:params:scim:schemas:core:2\.0:(user|group):", "", attribute)
    field = fields.get(attribute)
    if field is None:
        raise InvalidFilter(
            _("filtering on %(attribute)s is not supported") % {"attribute": repr(clause[0])}
        )
    if operator == "pr":
        return ~Q(**{f"{field}__isnull": True}) & ~Q(**{field: ""})
    if len(clause) != 3:
        raise InvalidFilter(_("operator %(operator)s needs a value") % {"operator": repr(operator)})
    value = parse_value(clause[2])
    if operator == "ne":
        return ~Q(**{field: value})
    if isinstance(value, bool) or value is None:
        if operator != "eq":
            raise InvalidFilter(
                _("operator %(operator)s needs a text value") % {"operator": repr(operator)}
            )
        return Q(**{field: value})
    lookup = OPERATORS.get(operator)
    if lookup is None:
        raise InvalidFilter(
            _("operator %(operator)s is not supported") % {"operator": repr(operator)}
        )
    return Q(**{f"{field}__{lookup}": value})
