"""The language model through the official ``openai`` client against an OpenAI-compatible
server started here (the test double: no model can run on these machines; the client and the
streaming are real), and the honest offline default."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from ensemble.assist import llm, writing
from ensemble.assist.tests.openai_double import Double, running
from ensemble.core.ports import free_port


@pytest.fixture
def double(settings: Any) -> Iterator[Double]:
    with running() as server:
        settings.ASSIST_LLM_URL = server.url
        settings.ASSIST_LLM_MODEL = "albert-large"
        settings.ASSIST_LLM_KEY = "secret-key"
        yield server


def test_an_answer_comes_piece_by_piece_with_the_model_key_and_instructions(
    double: Double,
) -> None:
    double.answer = lambda system, user: "Le budget de la piscine est revu en mars, par Léa."
    pieces = list(writing.rewrite(writing.Action.CORRECT, "le budjet de la piscinne"))
    assert len(pieces) > 1  # streamed, not one block
    assert "".join(pieces) == "Le budget de la piscine est revu en mars, par Léa."
    sent = double.requests[-1]
    assert sent["model"] == "albert-large" and sent["stream"] is True
    assert "spelling" in sent["messages"][0]["content"]
    assert sent["messages"][1]["content"] == "le budjet de la piscinne"
    assert {k.lower(): v for k, v in double.headers[-1].items()}[
        "authorization"
    ] == "Bearer secret-key"


def test_every_action_asks_for_what_it_says(double: Double) -> None:
    double.answer = lambda system, user: system
    asked = {action: "".join(writing.rewrite(action, "texte")) for action in writing.Action}
    assert "French" in asked[writing.Action.TO_FRENCH]
    assert "English" in asked[writing.Action.TO_ENGLISH]
    assert "half" in asked[writing.Action.SHORTEN]
    assert len(set(asked.values())) == len(writing.Action)


def test_without_an_endpoint_it_says_what_to_configure(settings: Any) -> None:
    settings.ASSIST_LLM_URL = ""
    with pytest.raises(llm.NotConfigured) as refused:
        list(writing.rewrite(writing.Action.SHORTEN, "texte"))
    assert refused.value.status_code == 503
    assert "ASSIST_LLM_URL" in str(refused.value)


def test_an_endpoint_that_refuses_or_cannot_be_reached_is_a_clear_error(
    double: Double, settings: Any
) -> None:
    double.status = 401
    with pytest.raises(llm.EndpointFailed) as refused:
        writing.rewrite(writing.Action.SHORTEN, "texte")
    assert refused.value.status_code == 502 and "401" in str(refused.value)
    settings.ASSIST_LLM_URL = f"http://127.0.0.1:{free_port()}/v1"  # nobody listens there
    with pytest.raises(llm.EndpointFailed) as unreachable:
        writing.rewrite(writing.Action.SHORTEN, "texte")
    assert "could not be reached" in str(unreachable.value)


def test_a_summary_by_the_model_or_extracted_offline(double: Double, settings: Any) -> None:
    parts = [
        "Léa : Le budget de la piscine municipale dépasse de 12 % la prévision initiale.",
        "Paul : Le budget de la piscine doit être revu avant le conseil de mars.",
        "Léa : Il manque trois animateurs au centre de loisirs pour la rentrée.",
        "Paul : Les animateurs du centre de loisirs seront recrutés en juillet.",
    ]
    double.answer = lambda system, user: "Décisions : revoir le budget.\nActions : Léa recrute."
    by_model = writing.summarise(writing.Kind.MEETING, parts)
    assert by_model.by_model and by_model.text.startswith("Décisions")
    assert "Decisions; Actions" in double.requests[-1]["messages"][0]["content"]
    assert double.requests[-1]["messages"][1]["content"] == "\n".join(parts)
    settings.ASSIST_LLM_URL = ""
    count = len(double.requests)
    extracted = writing.summarise(writing.Kind.MEETING, parts)
    assert not extracted.by_model and len(double.requests) == count  # nothing sent anywhere
    assert {sentence.part for sentence in extracted.kept} <= {0, 1, 2, 3}
    assert extracted.text == " ".join(sentence.text for sentence in extracted.kept)


def test_an_answer_cut_off_says_so_at_its_end(double: Double) -> None:
    """Cut for its length, or the endpoint gone midway: what came is kept and marked, so the
    page offers nothing to apply."""
    double.answer = lambda system, user: "un deux trois quatre cinq six sept huit neuf dix"
    whole = "".join(writing.rewrite(writing.Action.EXPAND, "texte"))
    assert whole == "un deux trois quatre cinq six sept huit neuf dix"
    double.finish = "length"
    assert "".join(writing.rewrite(writing.Action.EXPAND, "texte")).endswith(llm.CUT)
    double.finish, double.break_after = "stop", 2
    broken = "".join(writing.rewrite(writing.Action.EXPAND, "texte"))
    assert broken.startswith("un deux trois quatre") and broken.endswith(llm.CUT)
    assert double.requests[-1]["max_tokens"] >= 500  # room for an answer as long as the text
