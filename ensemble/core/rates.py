"""The rate limits of the suite and how the RATE_LIMITS setting is read (no Django here: the
settings module reads it)."""

from __future__ import annotations

from dataclasses import dataclass

PERIODS = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}

DEFAULT_RATES = {
    "api": "1200/minute",  # every API request of one account
    # every API request of one address, signed out (meeting guests behind one NAT poll)
    "api.anonymous": "600/minute",
    "meet.join": "20/minute",  # asking to join a meeting (guests are anonymous)
    "meet.messages": "120/minute",  # messages and reactions in a meeting (guests: per address)
    "meet.manage": "60/minute",  # changing, cancelling, opening or closing a meeting
    "accounts.code": "30/hour",  # sign-in codes asked from one client address
    "accounts.password_reset": "5/hour",  # reset e-mails asked from one client address
    "invitations": "500/day",  # invitation e-mails one account sends
    "invitations.recipient": "10/day",  # invitation e-mails one address receives
    "signals": "120/minute",  # typing and presence signals of one account
    # chat's side lookups of one account: threads, read receipts, link previews
    "chat.lookups": "300/minute",
    # frames one document socket sends (keystrokes, cursor moves), counted by its process
    "docs.frames": "3000/minute",
    "docs.convert": "30/hour",  # imports and exports one account asks for (LibreOffice, pandoc)
    "docs.writes": "120/minute",  # content written, versions kept, pictures put, by one account
    "docs.requests": "30/hour",  # access requests and invitations one account sends
    "assist.requests": "120/hour",  # writing help and summaries one account asks for
}


@dataclass(frozen=True)
class Rate:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        """'20/minute' -> Rate(20, 60)."""
        number, _sep, period = text.strip().partition("/")
        if not number.isdecimal() or period not in PERIODS:
            raise ValueError(f"{text!r} is not a rate such as 20/minute")
        return cls(int(number), PERIODS[period])


def parse_rates(raw: str) -> dict[str, str]:
    """The RATE_LIMITS setting: the defaults, changed by ``scope=count/period,…``."""
    rates = dict(DEFAULT_RATES)
    for item in filter(None, (part.strip() for part in raw.split(","))):
        scope, sep, rate = item.partition("=")
        if not sep or scope.strip() not in DEFAULT_RATES:
            raise ValueError(f"RATE_LIMITS: unknown limit {scope.strip()!r}")
        Rate.parse(rate)
        rates[scope.strip()] = rate.strip()
    return rates
