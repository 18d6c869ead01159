"""What the Docs end-to-end tests share: documents made as their owner would, the editor page
opened and typed into, the content API read and written from a signed-in page, the server killed
outright, and screenshots to look at (var/screenshots/docs-*.png)."""

from __future__ import annotations

import os
import signal
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

from playwright.sync_api import Locator, Page, expect

from e2e.conftest import Suite, sign_in

SHOTS = Path(__file__).resolve().parent.parent / "var" / "screenshots"

# The status line's words (editor.html's data-doc-strings), in English.
SAVED = "Saved"
SYNCING = "Syncing…"
OFFLINE = "Offline — your changes are kept on this device"
READ_ONLY = "Read only"
# Another person's caret carries their name in this label (frontend/src/docs/colour.ts).
CARET_LABEL = ".collaboration-carets__label"

MAKE_DOCUMENT = """
from ensemble.accounts.models import User
from ensemble.docs import actions
owner = User.objects.get(email={owner!r})
doc = actions.create_document(owner, {title!r})
for email, role in {shares!r}.items():
    actions.grant(owner, doc, role, User.objects.get(email=email))
print(doc.pk)
"""


def make_document(suite: Suite, owner: str, title: str, shares: dict[str, str]) -> str:
    """A document ``owner`` made and shared (email → role) as they would from the page."""
    code = MAKE_DOCUMENT.format(owner=owner, title=title, shares=shares)
    return suite.shell(code).strip().splitlines()[-1]


def editor(page: Page) -> Locator:
    return page.get_by_role("textbox", name="Document text")


# The document's text as written: others' carets (their name labels sit inside the text) left
# out, one line per block.
TEXT_OF = """root => {
  const walk = node => {
    if (node.nodeType === Node.TEXT_NODE) return node.data;
    if (node.classList && node.classList.contains("collaboration-carets__caret")) return "";
    let text = [...node.childNodes].map(walk).join("");
    if (/^(P|H[1-6]|LI|TD|TH|PRE)$/.test(node.nodeName)) text += "\\n";
    return text;
  };
  return walk(root).trim();
}"""


def text_of(page: Page) -> str:
    """What the document says on this page (without the carets' name labels)."""
    text: str = editor(page).evaluate(TEXT_OF)
    return text


def wait_for_text(page: Page, expected: str, *, exact: bool = False, timeout: float = 10) -> None:
    """Wait until the page's document holds ``expected`` (or is exactly it)."""
    deadline = time.monotonic() + timeout
    while True:
        text = text_of(page)
        if (text == expected if exact else expected in text) or time.monotonic() > deadline:
            break
        page.wait_for_timeout(100)
    if exact:
        assert text == expected, f"{text!r} is not {expected!r}"
    else:
        assert expected in text, f"{expected!r} not in {text!r}"


def status(page: Page) -> Locator:
    return page.locator("[data-doc-status]")


def open_document(page: Page, url: str, email: str, document: str, settled: str = SAVED) -> None:
    """Sign in and open the document's page; returns once its status line says ``settled``."""
    sign_in(page, url, email)
    expect(page.locator("body")).to_have_attribute("data-live", "")
    goto_document(page, url, document, settled)


def goto_document(page: Page, url: str, document: str, settled: str = SAVED) -> None:
    page.goto(f"{url}/docs/{document}/")
    expect(editor(page)).to_be_visible()
    # The first socket to a server just started may take a while on a busy machine.
    expect(status(page)).to_have_text(settled, timeout=20000)


def type_at_end(page: Page, text: str) -> None:
    """Put the cursor at the end of the document and type, key by key, as a person does."""
    box = editor(page)
    box.click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text, delay=15)


def api(page: Page, method: str, path: str, **options: Any) -> Any:
    """A call to the API as the page's signed-in person (their session and CSRF cookies)."""
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    headers = {"X-CSRFToken": cookies.get("csrftoken", ""), "Referer": page.url}
    answer = page.request.fetch(path, method=method, headers=headers, **options)
    assert answer.ok, f"{method} {path}: {answer.status} {answer.text()[:500]}"
    return answer


def content(page: Page, url: str, document: str, fmt: str = "markdown") -> dict[str, Any]:
    """The document as the server stores it (GET …/content/?as=)."""
    path = f"{url}/api/v1/docs/documents/{document}/content/?as={fmt}"
    got: dict[str, Any] = api(page, "GET", path).json()
    return got


def wait_for_content(page: Page, url: str, document: str, words: list[str], timeout: float = 20):
    """The stored Markdown once it holds every one of ``words`` (or the last one read)."""
    deadline = time.monotonic() + timeout
    while True:
        text = content(page, url, document)["content"]
        if all(word in text for word in words) or time.monotonic() > deadline:
            return text
        time.sleep(0.3)


def shot(page: Page, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"docs-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def children_of(pid: int) -> list[int]:
    """Every process below ``pid`` (from /proc), deepest last."""
    found: list[int] = []
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        direct = [int(child) for task in tasks for child in (task / "children").read_text().split()]
    except OSError:
        return found
    for child in direct:
        found += [child, *children_of(child)]
    return found


def kill_server(server: Any) -> None:
    """SIGKILL `ensemble serve` and every process it started (web server, worker, Janus): no
    clean shutdown, as when the machine loses power. Only those processes, by their ids."""
    doomed = [*children_of(server.pid)]
    server.send_signal(signal.SIGKILL)
    for pid in doomed:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    server.wait(timeout=10)
