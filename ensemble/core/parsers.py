"""JSON as Ensemble reads it, from a request body or a WebSocket frame: refused with a clear
message when it is nested too deeply (Python's parser would hit its recursion limit), or when
a text holds what no database column can keep: an unpaired surrogate (``"\\ud800"``: not
encodable in UTF-8) or a NUL character (refused by PostgreSQL in text columns)."""

from __future__ import annotations

import json
import re
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers

MAX_DEPTH = 64  # arrays and objects inside one another; real bodies need fewer than 10
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class BadJson(ValueError):
    """The text is not JSON Ensemble accepts; the message says why, for the sender."""


def unstorable_reason(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL character, an unpaired surrogate), or None."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("The text contains a NUL character (\\u0000), which cannot be stored.")
    return _(
        "The text contains an unpaired surrogate (\\ud800 to \\udfff), "
        "which is not a character and cannot be stored."
    )


def check_value(value: Any) -> None:
    """Raise BadJson if ``value`` (parsed JSON) nests deeper than MAX_DEPTH or holds a text,
    key or value, that cannot be stored. Walked without recursion."""
    waiting: list[tuple[Any, int]] = [(value, 0)]
    while waiting:
        item, depth = waiting.pop()
        if isinstance(item, str):
            reason = unstorable_reason(item)
            if reason is not None:
                raise BadJson(reason)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise BadJson(too_deep())
            if isinstance(item, dict):
                waiting.extend((key, depth) for key in item)
                waiting.extend((inner, depth + 1) for inner in item.values())
            else:
                waiting.extend((inner, depth + 1) for inner in item)


def too_deep() -> str:
    return _("The JSON is too deeply nested (more than %(levels)s levels).") % {"levels": MAX_DEPTH}


def loads(text: str | bytes) -> Any:
    """Parse JSON, or raise BadJson with a message for the sender."""
    try:
        value = json.loads(text, parse_constant=json_constant)
    except RecursionError:
        raise BadJson(too_deep()) from None
    except json.JSONDecodeError as error:
        raise BadJson(
            _("This is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": error.lineno, "column": error.colno}
        ) from None
    except ValueError:  # not UTF-8 (nor UTF-16 or 32), or NaN or Infinity
        raise BadJson(_("This is not valid JSON.")) from None
    check_value(value)
    return value


def json_constant(name: str) -> Any:
    """NaN and Infinity are not JSON, and no column stores them."""
    raise ValueError(f"{name} is not a JSON value")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, with the checks of ``loads``, and a body that must be an object
    (every endpoint reads named fields; one taking another shape sets ``top_level``)."""

    top_level: tuple[type, ...] = (dict,)

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        raw = stream.read() if stream is not None else b""
        try:
            value = loads(raw)
        except BadJson as error:
            raise exceptions.ParseError(str(error)) from None
        if not isinstance(value, self.top_level):
            raise exceptions.ParseError(_("The body must be a JSON object."))
        return value
