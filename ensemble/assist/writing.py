"""Writing help: what the model is asked for each action on a selected passage, and the
summaries (a document, a chat room's unread messages, a meeting's transcript).

Summaries use the language model when one is configured, and the extractive summary
otherwise (``extractive.py``): honest about what it is, it returns the sentences it kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _

from ensemble.assist import extractive, llm

ONLY_TEXT = (
    " Answer with the resulting text only: no introduction, no comment, no quotation marks."
    " Keep the formatting of the passage (paragraphs, lists) as plain text."
)


class Action(models.TextChoices):
    CORRECT = "correct", _("Correct")
    REPHRASE = "rephrase", _("Rephrase")
    SHORTEN = "shorten", _("Shorten")
    EXPAND = "expand", _("Expand")
    TO_FRENCH = "to_french", _("Translate into French")
    TO_ENGLISH = "to_english", _("Translate into English")
    SUMMARISE = "summarise", _("Summarise")


INSTRUCTIONS = {
    Action.CORRECT: "Correct the spelling, grammar and punctuation of the passage, in its own "
    "language. Change nothing else.",
    Action.REPHRASE: "Rephrase the passage in its own language, clearer and more fluent, for "
    "a public administration. Keep its meaning and its length.",
    Action.SHORTEN: "Shorten the passage to about half its length, in its own language, "
    "keeping what matters.",
    Action.EXPAND: "Develop the passage, in its own language, with more detail and "
    "explanation, without inventing facts.",
    Action.TO_FRENCH: "Translate the passage into French.",
    Action.TO_ENGLISH: "Translate the passage into English.",
    Action.SUMMARISE: "Summarise the passage in a few sentences, in its own language.",
}


def rewrite(action: Action, passage: str) -> Iterator[str]:
    """The model's proposal for ``passage``, piece by piece (NotConfigured without one)."""
    return llm.stream(
        "You help an agent of a public administration write." + " " + INSTRUCTIONS[action]
        + ONLY_TEXT,
        passage,
    )  # fmt: skip


class Kind(StrEnum):
    TEXT = "text"
    CHAT = "chat"
    MEETING = "meeting"


SUMMARY_INSTRUCTIONS = {
    Kind.TEXT: "Summarise this document for a colleague in a few short paragraphs, in the "
    "document's language.",
    Kind.CHAT: "Summarise these chat messages (each line is 'name: message') for someone who "
    "has not read them: the subjects discussed, questions left open, what is expected of "
    "whom. In the messages' language, as a short list.",
    Kind.MEETING: "Summarise this meeting transcript (each line is 'name: words'). Write three "
    "sections with these headings in the transcript's language: Decisions; Actions (each with "
    "its owner, and its date when one is said); Topics. Only what was said.",
}


@dataclass(frozen=True)
class Summary:
    """A summary: written by the model (``text``), or extracted (``kept``: the sentences kept,
    each with its place in the source)."""

    text: str
    kept: list[extractive.Kept]
    by_model: bool


def summarise(kind: Kind, parts: list[str]) -> Summary:
    """Summarise ``parts`` (paragraphs, messages as 'name: text', transcript lines)."""
    if llm.endpoint() is None:
        kept = extractive.summarise(parts)
        return Summary(" ".join(sentence.text for sentence in kept), kept, by_model=False)
    text = llm.complete(SUMMARY_INSTRUCTIONS[kind] + ONLY_TEXT, "\n".join(parts))
    return Summary(text.strip(), [], by_model=True)
