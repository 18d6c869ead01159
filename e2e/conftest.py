"""End-to-end harness: a real Ensemble server (`ensemble serve`) driven by Debian's Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from ensemble.accounts.tests.conftest import SECRET as OP_SECRET
from ensemble.accounts.tests.conftest import start_openid_provider
from ensemble.core.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
# Assertions wait up to 10 s: on CI's two busy cores a page behind the network-cut proxy once
# took longer than the default 5 s to open its socket.
expect.set_options(timeout=10_000)

ARTIFACTS = ROOT / "e2e" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium's fake camera and microphone, allowed without asking, sound played without a click.
MEDIA_ARGS = [
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]
PASSWORD = "e2e password that is long enough"


class Suite:
    """A running suite: its URL, and a way to run Python inside it as an operator would."""

    def __init__(self, url: str, env: dict[str, str]) -> None:
        self.url, self.env = url, env

    def shell(self, code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "ensemble.cli", "manage", "shell", "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    def create_user(self, email: str, name: str, organisation: str = "Mairie de Lyon") -> None:
        self.shell(
            "from ensemble.accounts.models import User, Organisation\n"
            # Names of organisations are not unique: another test may have made one of the same.
            f"org = Organisation.objects.filter(name={organisation!r}).first()\n"
            f"org = org or Organisation.objects.create(name={organisation!r})\n"
            f"User.objects.create_user({email!r}, {PASSWORD!r}, full_name={name!r}, "
            "organisation=org, language='en')"
        )


def suite_env(data_dir: Path, port: int) -> dict[str, str]:
    env = {
        **os.environ,
        "ENSEMBLE_DATA_DIR": str(data_dir),
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOGIN_MAX_FAILURES": "3",
        "LANGUAGE_CODE": "en",
        "JANUS_HTTP_PORT": str(free_port()),
        "JANUS_ADMIN_PORT": str(free_port()),
        "JANUS_WS_PORT": str(free_port()),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "S3_BUCKET", "SECRET_KEY", "ENCRYPTION_KEYS"):
        env.pop(name, None)
    return env


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`ensemble serve` as a person runs it; returns once it answers."""
    with log.open("a") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "ensemble.cli", "serve", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError(log.read_text()[-4000:]) from None
            time.sleep(0.3)


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.send_signal(signal.SIGINT)
    server.wait(timeout=30)


def proconnect_env(issuer: str) -> dict[str, str]:
    """Settings that offer the test OpenID provider as "ProConnect"."""
    return {
        "OIDC_PROVIDERS": "proconnect",
        "OIDC_PROCONNECT_DISCOVERY_URL": f"{issuer}/.well-known/openid-configuration",
        "OIDC_PROCONNECT_CLIENT_ID": "ensemble-proconnect",
        "OIDC_PROCONNECT_CLIENT_SECRET": OP_SECRET,
        "OIDC_PROCONNECT_LABEL": "ProConnect",
    }


class OwnSuite(Suite):
    """A suite of a test's own, which the test may stop, kill and start again."""

    def __init__(self, folder: Path) -> None:
        self.port, self.log = free_port(), folder / "serve.log"
        super().__init__(f"http://127.0.0.1:{self.port}", suite_env(folder / "data", self.port))
        self.start()

    def start(self) -> None:
        self.server = start_server(self.env, self.port, self.log)


@pytest.fixture
def own_suite(tmp_path: Path) -> Iterator[OwnSuite]:
    running = OwnSuite(tmp_path)
    yield running
    if running.server.poll() is None:
        stop_server(running.server)


@pytest.fixture(scope="session")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Suite]:
    """The suite, with a ProConnect-like OpenID provider configured beside local accounts."""
    port = free_port()
    logs = tmp_path_factory.mktemp("logs")
    op, op_process = start_openid_provider(f"http://127.0.0.1:{port}", logs / "op.log")
    env = {**suite_env(tmp_path_factory.mktemp("data"), port), **proconnect_env(op.issuer)}
    server = start_server(env, port, logs / "serve.log")
    yield Suite(f"http://127.0.0.1:{port}", env)
    stop_server(server)
    op_process.terminate()
    op_process.wait(timeout=10)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def new_page(browser: Browser, request: Any) -> Iterator[Any]:
    """new_page(): a fresh browser context (its own cookies), screenshotted if the test fails."""
    pages: list[Page] = []

    def make(locale: str = "en-GB") -> Page:
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15000)
        page = context.new_page()
        pages.append(page)
        return page

    yield make
    close_pages(request, pages)


def close_pages(request: Any, pages: list[Page]) -> None:
    """Close each page's context, after a screenshot of it in e2e/artifacts/ if the test failed."""
    failed = getattr(request.node, "report_call", None)
    for number, page in enumerate(pages):
        if failed is not None and failed.failed:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{number}.png"))
        page.context.close()


def search_and_open(page: Page, url: str, words: str, room: str) -> Locator:
    """Search one's rooms from the chat page for ``words``: one result, in ``room``; open it
    and answer the message shown highlighted in its context."""
    page.goto(f"{url}/chat/")
    page.get_by_role("button", name="Search").first.click()
    page.get_by_label("Words to find").fill(words)
    page.get_by_label("Words to find").press("Enter")
    result = page.locator("[data-result]")
    expect(result).to_have_count(1)
    expect(result).to_contain_text(room)
    result.click()
    return page.locator("[data-messages] [data-highlight]")


def sign_in(page: Page, url: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@pytest.fixture(scope="module")
def media_browser(playwright: Playwright) -> Iterator[Browser]:
    """Chromium with a fake camera and microphone: the meeting page asks for them."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *MEDIA_ARGS]
    )
    yield browser
    browser.close()
