"""Link previews of the suite's own objects: a message holding a link to a meeting (later a
document, a file) shows a card of it, to those who may see that object.

Each app registers, from its ``AppConfig.ready()``, the path its objects live at and a
resolver: ``register("meeting", r"/meet/(?P<code>[a-z]{3}-[a-z]{4}-[a-z]{3})/?", resolve)``.
The resolver gets the reader and the match, and answers a ``Card`` or None (no such object,
or the reader may not see it: a card never tells more than opening the link would).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

MAX_CARDS = 5
# Objects looked up for one message at most: a message may hold thousands of links to objects
# that do not exist, each a query for every reader who asks for its cards.
MAX_LOOKUPS = 10


@dataclass(frozen=True)
class Card:
    """What a preview shows: the object's kind, its title, a line under it, a time (a
    meeting's start), and the link with the label of its button ("Join")."""

    kind: str
    url: str
    title: str
    subtitle: str = ""
    time: datetime | None = None
    action: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


Resolver = Callable[[Any, re.Match[str]], Card | None]


@dataclass(frozen=True)
class Kind:
    name: str
    path: re.Pattern[str]
    resolve: Resolver


KINDS: dict[str, Kind] = {}

# Links as people paste them: the whole address, or the path alone ("/meet/abc-defg-hij/").
LINK = re.compile(r"(?:https?://[^\s<>\"')\]]+|(?<![\w/.])/[\w\-./]+)")


def register(name: str, path: str, resolve: Resolver) -> None:
    """Cards for links whose path matches ``path`` (a whole-path regex) are made by
    ``resolve(reader, match)``."""
    KINDS[name] = Kind(name, re.compile(path), resolve)


def own_path(link: str) -> str | None:
    """The path of a link to this suite (SITE_URL's origin, or a bare path); None for a
    link elsewhere."""
    if link.startswith("/"):
        return link
    parts, site = urlsplit(link), urlsplit(settings.SITE_URL)
    if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
        return None
    return parts.path or "/"


def cards(reader: Any, text: str) -> list[Card]:
    """The cards of the suite's objects linked in ``text`` that ``reader`` may see, in the
    order of the text, each object once, at most MAX_CARDS, from the first MAX_LOOKUPS
    distinct objects linked (the links after them are not looked up)."""
    found: list[Card] = []
    seen: set[str] = set()
    for link in LINK.findall(text):
        path = own_path(link.rstrip(".,;:!?"))
        if path is None:
            continue
        for kind in KINDS.values():
            match = kind.path.fullmatch(path)
            key = f"{kind.name}:{match.group(0).rstrip('/')}" if match else ""
            if match is None or key in seen or len(seen) >= MAX_LOOKUPS:
                continue
            seen.add(key)
            card = kind.resolve(reader, match)
            if card is not None:
                found.append(card)
        if len(found) >= MAX_CARDS or len(seen) >= MAX_LOOKUPS:
            break
    return found[:MAX_CARDS]
