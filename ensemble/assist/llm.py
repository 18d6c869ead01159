"""The language model: an OpenAI-compatible endpoint (the State's Albert API, vLLM, Ollama, a
llama.cpp server), when one is configured (ADR 0009). Nothing is sent anywhere otherwise.

``stream`` asks for a chat completion and yields its text as the endpoint writes it. The first
piece is awaited before anything is handed on, so that an endpoint that cannot be reached or
refuses is a clear error (502) rather than an empty answer.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from ensemble.core.refusals import ActionRefused

# The longest text sent at once (characters): a long document is cut, and the page says so.
MAX_INPUT = 60_000


class NotConfigured(ActionRefused):
    """No endpoint is configured: the feature says what to configure instead of pretending."""

    status_code = 503


class EndpointFailed(ActionRefused):
    """The endpoint could not be reached or refused the request."""

    status_code = 502


@dataclass(frozen=True)
class Endpoint:
    url: str
    model: str
    key: str
    timeout: float


def endpoint() -> Endpoint | None:
    url, model = settings.ASSIST_LLM_URL, settings.ASSIST_LLM_MODEL
    if not url or not model:
        return None
    return Endpoint(url, model, settings.ASSIST_LLM_KEY, settings.ASSIST_LLM_TIMEOUT)


def require() -> Endpoint:
    found = endpoint()
    if found is None:
        raise NotConfigured(
            _(
                "No language model is configured. An administrator sets ASSIST_LLM_URL and "
                "ASSIST_LLM_MODEL (an OpenAI-compatible endpoint such as Albert, vLLM or "
                "Ollama) to turn this on."
            )
        )
    return found


CUT = "\n[…]"  # ends an answer cut off (the endpoint failed, or the answer was too long)


def stream(system: str, text: str, max_tokens: int | None = None) -> Iterator[str]:
    """The model's answer to ``text`` under the instructions ``system``, piece by piece; it
    ends with CUT when it did not finish (the page then offers nothing to apply). By default
    the answer may be as long as the text, and a little more."""
    import openai

    place = require()
    text = text[:MAX_INPUT]
    client = openai.OpenAI(
        base_url=place.url, api_key=place.key or "none", timeout=place.timeout, max_retries=1
    )
    try:
        chunks = client.chat.completions.create(
            model=place.model,
            messages=[{"role": "system", "content": system}, {"role": "user", "content": text}],
            max_tokens=max_tokens or min(16_000, 500 + len(text) // 2),
            temperature=0.2,
            stream=True,
        )
        pieces = _pieces(chunks)
        first = next((piece for piece in pieces if piece), "")
    except openai.APIStatusError as error:
        raise EndpointFailed(
            _("The language model refused the request (HTTP %(status)s).")
            % {"status": error.status_code}
        ) from error
    except openai.APIError as error:
        raise EndpointFailed(_("The language model could not be reached.")) from error
    return _rest(first, pieces, time.monotonic() + place.timeout * 5)


def _pieces(chunks: Iterable[Any]) -> Iterator[str]:
    """The text of each chunk; CUT at the end if the model stopped for its length, or if the
    stream ended without saying it finished (the connection dropped)."""
    finished = False
    for chunk in chunks:
        if not chunk.choices:
            continue
        choice = chunk.choices[0]
        if choice.delta and choice.delta.content:
            yield choice.delta.content
        if choice.finish_reason:
            finished = choice.finish_reason != "length"
    if not finished:
        yield CUT


def _rest(first: str, pieces: Iterator[str], deadline: float) -> Iterator[str]:
    if first:
        yield first
    try:
        for piece in pieces:
            yield piece
            if time.monotonic() > deadline:  # a whole answer has a deadline too
                yield CUT
                return
    except Exception:  # cut off midway: what came is kept, and marked
        yield CUT


def complete(system: str, text: str, max_tokens: int | None = None) -> str:
    """The whole answer at once (a background job's summary)."""
    return "".join(stream(system, text, max_tokens))
