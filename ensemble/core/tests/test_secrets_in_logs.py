"""Secrets never reach the logs: the address of each request (uvicorn's access log, Django's
warnings) is logged with its tokens blanked, and e-mails are not printed among the logs."""

from __future__ import annotations

import logging
import re
import stat
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core import mail

from ensemble.accounts import guests
from ensemble.accounts.tests.factories import UserFactory
from ensemble.conftest import run_ensemble, web_server
from ensemble.core.logs import redact
from ensemble.core.mail import PrivateFolderBackend


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        (
            '127.0.0.1:1 - "GET /accounts/invitations/Zx9-secret_Tok/ HTTP/1.1" 200',
            '127.0.0.1:1 - "GET /accounts/invitations/[redacted]/ HTTP/1.1" 200',
        ),
        (
            "Not Found: /accounts/email/confirm/abc.def/",
            "Not Found: /accounts/email/confirm/[redacted]/",
        ),
        ("/accounts/password/reset/MQ/cz1k-0a1b2c/", "/accounts/password/reset/MQ/[redacted]/"),
        ("/accounts/password/reset/MQ/set-password/", "/accounts/password/reset/MQ/set-password/"),
        ("/accounts/password/reset/sent/", "/accounts/password/reset/sent/"),
        ("/meet/abc-defg-hij/?key=s3cr3t&x=1", "/meet/abc-defg-hij/?key=[redacted]&x=1"),
        (
            "/accounts/oidc/pc/callback/?code=AbC&state=XyZ",
            "/accounts/oidc/pc/callback/?code=[redacted]&state=[redacted]",
        ),
        ("/api/v1/meet/meetings/?limit=5", "/api/v1/meet/meetings/?limit=5"),
    ],
)
def test_secrets_are_blanked_in_logged_text(logged: str, shown: str) -> None:
    assert redact(logged) == shown


def test_the_log_handler_blanks_secrets(caplog: Any) -> None:
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        "",
        0,
        "Not Found: %s",
        ("/accounts/invitations/t0k3n/",),
        None,
    )
    handler = logging.getLogger().handlers[0]
    assert handler.filter(record)
    assert handler.format(record).endswith("Not Found: /accounts/invitations/[redacted]/")


def test_the_embedded_default_writes_e_mails_to_a_private_folder(
    embedded_env: dict[str, str],
) -> None:
    shown = run_ensemble(
        "manage",
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_FILE_PATH)",
        env=embedded_env,
    )
    data = embedded_env["ENSEMBLE_DATA_DIR"]
    assert (
        shown.stdout.strip().splitlines()[-1]
        == f"ensemble.core.mail.PrivateFolderBackend {data}/mail"
    )


@pytest.mark.django_db
def test_a_sign_in_code_is_written_to_a_private_file_and_only_its_place_is_logged(
    settings: Any, tmp_path: Path, caplog: Any
) -> None:
    settings.EMAIL_BACKEND = "ensemble.core.mail.PrivateFolderBackend"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    UserFactory(email="guest@bureau.fr", is_external=True)
    with caplog.at_level(logging.DEBUG):
        guests.send_sign_in_code("guest@bureau.fr")
    [written] = list((tmp_path / "mail").iterdir())
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "mail").stat().st_mode) == 0o700
    message = message_from_bytes(written.read_bytes())
    assert message["To"] == "guest@bureau.fr"
    code = re.search(r"\b(\d{6})\b", message.get_payload(decode=True).decode()).group(1)
    assert code not in caplog.text
    assert [r.getMessage() for r in caplog.records if r.name == "ensemble.core.mail"] == [
        f"e-mail not sent (EMAIL_HOST is not set): written to {written}"
    ]


def test_the_private_folder_backend_counts_what_it_wrote(tmp_path: Path) -> None:
    backend = PrivateFolderBackend(file_path=str(tmp_path / "out"))
    sent = backend.send_messages(
        [mail.EmailMessage("a", "b", to=["x@y.fr"]), mail.EmailMessage("c", "d", to=["z@y.fr"])]
    )
    assert sent == 2 and len(list((tmp_path / "out").iterdir())) == 2


NEW_USER = (
    "from ensemble.accounts.models import User\n"
    "User.objects.create_user('anne@lyon.fr', 'a long password 123')"
)


def test_the_running_server_logs_no_secret(embedded_env: dict[str, str]) -> None:
    """A password reset link, an invitation and an older meeting link with its guest key, as
    the web server logs them (and the reset e-mail, which it does not print)."""
    with web_server(embedded_env) as (url, printed):
        created = run_ensemble("manage", "shell", "-c", NEW_USER, env=embedded_env)
        assert created.returncode == 0, created.stderr
        browser = requests.Session()
        browser.get(f"{url}/accounts/password/reset/")
        asked = browser.post(
            f"{url}/accounts/password/reset/",
            {"email": "anne@lyon.fr", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            headers={"Referer": f"{url}/accounts/password/reset/"},
        )
        assert asked.status_code == 200 and asked.url.endswith("/accounts/password/reset/sent/")
        folder = Path(embedded_env["ENSEMBLE_DATA_DIR"]) / "mail"
        [written] = list(folder.iterdir())
        link = re.search(r"http://\S+/accounts/password/reset/\S+/", written.read_text()).group(0)
        link = link.replace("http://127.0.0.1:8000", url)
        assert browser.get(link).status_code == 200
        assert (
            requests.get(f"{url}/accounts/invitations/InviteT0ken-123/", timeout=10).status_code
            == 404
        )
        requests.get(f"{url}/meet/abc-defg-hij/?key=GuestK3y-456", timeout=10)
    log = "\n".join(printed)
    token = link.rstrip("/").rsplit("/", 1)[1]
    for secret in (token, "InviteT0ken-123", "GuestK3y-456", "Subject:"):
        assert secret not in log, secret
    assert '"GET /accounts/invitations/[redacted]/ HTTP/1.1" 404' in log
    assert "Not Found: /accounts/invitations/[redacted]/" in log
    assert '"GET /meet/abc-defg-hij/?key=[redacted] HTTP/1.1"' in log
    assert re.search(r'"GET /accounts/password/reset/\w+/\[redacted\]/ HTTP/1.1" 302', log), log
