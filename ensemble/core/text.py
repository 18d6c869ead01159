"""Checks on short texts people send."""


def one_emoji(text: str) -> bool:
    """Whether ``text`` is a single emoji (with its modifiers and joiners): no letters, digits
    or spaces, at most 8 code points."""
    return bool(text) and len(text) <= 8 and not any(c.isalnum() or c.isspace() for c in text)
