"""Rendering: the quick way for plain text gives exactly what Markdown and the sanitizer give."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ensemble.chat.markdown import PLAIN_TEXT, render, rendered

# Letters of several scripts, digits, the punctuation plain text may hold, and characters
# that mean something to Markdown or HTML (which must not take the quick way).
ALPHABET = "aZéßж中 0123456789,.;:?!'\"()/@%+=-_*`#<>&[]\\~|\n\t\u00a0"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_the_quick_way_and_the_full_way_agree(text: str) -> None:
    assert render(text) == rendered(text)


def test_usual_messages_take_the_quick_way_and_markup_does_not() -> None:
    usual = ["Bonjour à tous", "On se voit à 14h30 ?", "d'accord, merci (vraiment) !",
             'il a dit "oui"', "écrire à jean.dupont@example.fr", "voilà : 2+2=4"]  # fmt: skip
    for text in usual:
        assert PLAIN_TEXT.fullmatch(text), text
        assert render(text) == rendered(text) == f"<p>{text}</p>\n"
    for text in ["*gras*", "1. liste", "- point", "# titre", "a_b_", "<b>x</b>", "a\nb",
                 "[lien](http://x)", "`code`", "  indenté", "fin "]:  # fmt: skip
        assert not (PLAIN_TEXT.fullmatch(text) and not text.endswith(" ")), text


class Person:
    def __init__(self, name: str, pk: str) -> None:
        self.name, self.pk = name, pk

    def __str__(self) -> str:
        return self.name


def test_the_people_named_become_mentions_in_text_only() -> None:
    amel, haddad = Person("Amel", "u1"), Person("Amel Haddad & <Co>", "u2")
    html = render(
        "Bonjour @Amel Haddad & <Co>, @Amel, @Amelie, `@Amel` [@Amel](https://x.fr) @Bruno",
        [amel, haddad],  # type: ignore[list-item]
    )
    assert html == (
        '<p>Bonjour <span class="ens-mention" data-user="u2">@Amel Haddad &amp; &lt;Co&gt;</span>'
        ', <span class="ens-mention" data-user="u1">@Amel</span>, @Amelie, <code>@Amel</code> '
        '<a href="https://x.fr" rel="noopener noreferrer nofollow">@Amel</a> @Bruno</p>\n'
    )
    assert render("Bonjour @Amel", []) == "<p>Bonjour @Amel</p>\n"  # nobody named: plain text
