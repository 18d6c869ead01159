"""Checks on short texts people send."""

import unicodedata

# What dresses an emoji without being one: variation selectors, the zero-width joiner, the
# keycap mark, skin tones and the tag characters of subdivision flags.
MODIFIERS = {0xFE0E, 0xFE0F, 0x200D, 0x20E3, *range(0x1F3FB, 0x1F400), *range(0xE0020, 0xE0080)}
REGIONAL_INDICATORS = range(0x1F1E6, 0x1F200)


def one_emoji(text: str) -> bool:
    """Whether ``text`` is a single emoji: one pictogram with its modifiers, several joined
    into one (👩‍💻), or a flag (two regional letters); no letters, digits or spaces."""
    if not text or len(text) > 10 or any(c.isalnum() or c.isspace() for c in text):
        return False
    bases = [c for c in text if ord(c) not in MODIFIERS]
    if bases and all(ord(c) in REGIONAL_INDICATORS for c in bases):
        return len(bases) == 2
    return len(bases) == text.count("\u200d") + 1


def one_line(text: str) -> str:
    """``text`` on one line: line breaks and other control characters become spaces, runs of
    spaces one, and the ends are trimmed (for titles and names that go into e-mail headers
    and calendar files, where a line break would end the field)."""
    cleaned = "".join(" " if c.isspace() or unicodedata.category(c) == "Cc" else c for c in text)
    return " ".join(cleaned.split())
