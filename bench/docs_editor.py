"""Benchmark: typing in the Docs editor (Chromium) in a long document, against a short one.

A document of --words words (paragraphs of 50) and one of 500 are opened in Chromium (the
real page: TipTap on Yjs, our provider, the server on its embedded default); in each,
--keys characters are typed at 10 per second in the middle of the text. For each key: the time
from its keydown to the first animation frame after the editor's DOM changed (what the person
sees), p50/p95/max; and the time to open the page until the status says "Saved" with the text
shown.

    .venv/bin/python bench/docs_editor.py [--words 20000 --keys 100]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from ensemble.core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
ENGINES = {"DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SECRET_KEY", "ENCRYPTION_KEYS"}
PASSWORD = "bench-Passw0rd-long-enough"
MAKE = """
from ensemble.accounts.models import User
from ensemble.docs import actions, changes, content
owner = User.objects.create_user("bench@bench.local", {password!r}, full_name="Bench")
vocabulary = "administration agent budget service réunion projet note décision".split()
for words in {sizes!r}:
    doc = actions.create_document(owner, f"{{words}} words")
    text = [vocabulary[(n * 7) % len(vocabulary)] for n in range(words)]
    paragraphs = [" ".join(text[i : i + 50]) for i in range(0, words, 50)]
    changes.replace(doc, owner, content.from_markdown("\\n\\n".join(paragraphs)))
    print(doc.pk)
"""
# Installed in the page: each keydown's time, and the first frame after the editor changed.
PROBE = """() => {
  window.__latencies = [];
  let pending = null;
  const editor = document.querySelector('.ProseMirror');
  editor.addEventListener('keydown', () => { pending = performance.now(); }, true);
  new MutationObserver(() => {
    if (pending === null) return;
    const started = pending;
    pending = null;
    requestAnimationFrame(() => window.__latencies.push(performance.now() - started));
  }).observe(editor, {subtree: true, childList: true, characterData: true});
}"""


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def measure(page: Any, url: str, keys: int) -> dict[str, Any]:
    started = time.monotonic()
    page.goto(url)
    page.wait_for_selector("[data-doc-status]:has-text('Saved')", timeout=120_000)
    page.wait_for_selector(".ProseMirror p")
    opened = (time.monotonic() - started) * 1000
    paragraphs = page.locator(".ProseMirror > p")
    middle = paragraphs.nth(paragraphs.count() // 2)
    middle.click()
    page.keyboard.press("End")
    page.evaluate(PROBE)
    for _ in range(keys):
        page.keyboard.type("x")
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)
    latencies: list[float] = page.evaluate("window.__latencies")
    page.wait_for_selector("[data-doc-status]:has-text('Saved')", timeout=60_000)
    return {
        "open_ms": round(opened),
        "keys": len(latencies),
        "p50_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 95), 1),
        "max_ms": round(max(latencies), 1),
    }


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", type=int, default=20000)
    parser.add_argument("--keys", type=int, default=100)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="ensemble-bench-editor-"))
    env = {key: value for key, value in os.environ.items() if key not in ENGINES}
    env.update(ENSEMBLE_DATA_DIR=str(work / "data"), STATIC_ROOT=str(work / "static"),
               LANGUAGE_CODE="en", JANUS_EMBEDDED="false")  # fmt: skip
    manage = [str(PYTHON), "-m", "ensemble.cli", "manage"]
    try:
        subprocess.run([*manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
        subprocess.run(
            [*manage, "collectstatic", "--no-input", "-v0"], env=env, cwd=ROOT, check=True
        )
        code = MAKE.format(password=PASSWORD, sizes=[options.words, 500])
        made = subprocess.run([*manage, "shell", "-c", code], env=env, cwd=ROOT, check=True,
                              capture_output=True, text=True)  # fmt: skip
        long_doc, short_doc = made.stdout.split()[-2:]
        port = free_port()
        server = subprocess.Popen(
            [str(PYTHON), "-m", "ensemble.cli", "serve", "--port", str(port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            import urllib.request

            while True:
                try:
                    urllib.request.urlopen(f"{base}/healthz", timeout=2)  # noqa: S310 (loopback)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page()
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("E-mail address").fill("bench@bench.local")
                page.get_by_label("Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{base}/")
                report = {
                    "conditions": {
                        "date": time.strftime("%Y-%m-%d %H:%M"),
                        "cores": os.cpu_count(),
                        "python": platform.python_version(),
                        "chromium": browser.version,
                        "keys": options.keys,
                        "typing": "10 characters per second, in the middle of the document",
                    },
                    f"{options.words} words": measure(
                        page, f"{base}/docs/{long_doc}/", options.keys
                    ),
                    "500 words": measure(page, f"{base}/docs/{short_doc}/", options.keys),
                }
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
