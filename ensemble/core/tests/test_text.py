"""A reaction is one emoji: with its modifiers, joined sequences and flags, never two."""

import pytest

from ensemble.core.text import one_emoji


@pytest.mark.parametrize("text", ["👏", "👍🏽", "❤️", "👩‍💻", "👨‍👩‍👧‍👦", "🇫🇷", "🎉"])
def test_one_emoji_passes(text: str) -> None:
    assert one_emoji(text)


@pytest.mark.parametrize("text", ["", "👏👏", "🎉🎉🎉", "🇫", "hello", "a👏", "👏 ", "1", "x" * 11])
def test_anything_else_does_not(text: str) -> None:
    assert not one_emoji(text)
