"""Refusals of actions: what a person asked cannot be done, with a message for them.

Actions (``<app>/actions.py``) raise them; views show the message, and APIs answer with the
refusal's ``status_code`` (``ensemble.core.api.refusing``)."""


class ActionRefused(Exception):
    """Not allowed, or not possible now (403 unless a subclass says otherwise)."""

    status_code = 403


class BadInput(ActionRefused):
    """The request itself is wrong (400), rather than not allowed."""

    status_code = 400


class TooFast(ActionRefused):
    """Too many of these in a short time (429): wait and try again."""

    status_code = 429
