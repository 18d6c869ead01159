"""Secrets never reach the logs: a filter on the log handler blanks what an address or a
message may carry that gives access to an account or a meeting (invitation and e-mail
confirmation tokens, password reset links, guests' keys, sign-in and OpenID codes).

Web servers log each request's address (uvicorn's access log), and Django logs the address of
refused requests ("Not Found: /accounts/invitations/…/"): both go through this filter."""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Address paths whose last parts are secrets (accounts/urls.py).
SECRET_PATHS = [
    re.compile(r"(/accounts/invitations/)[^/?#\s\"]+"),
    re.compile(r"(/accounts/email/confirm/)[^/?#\s\"]+"),
    # Django swaps the token for "set-password" once it has checked it: that one may stay.
    re.compile(r"(/accounts/password/reset/[^/?#\s\"]+/)(?!set-password/)[^/?#\s\"]+"),
]
# Query parameters that hold secrets: a guest's key (older meeting links), OpenID's code and
# state, tokens of any kind, passwords.
SECRET_PARAMETERS = re.compile(
    r"([?&](?:key|code|state|token|access_token|id_token_hint|password|secret)=)[^&#\s\"]*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """``text`` with every secret it holds replaced by [redacted]."""
    for pattern in SECRET_PATHS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return SECRET_PARAMETERS.sub(rf"\g<1>{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """Put on a handler: each record it writes is redacted (never dropped)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
