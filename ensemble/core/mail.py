"""The embedded default's e-mail, when no SMTP server is configured: each message is written
to a file of its own, readable by the service's user only, instead of being printed among
the logs (where sign-in codes and reset links would be read by whoever reads the logs)."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from ensemble.core.config import private_folder

logger = logging.getLogger(__name__)


class PrivateFolderBackend(BaseEmailBackend):
    """Writes each message as an .eml file (mode 0600) in EMAIL_FILE_PATH (mode 0700), and
    logs where, never what."""

    def __init__(self, file_path: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.folder = Path(file_path or settings.EMAIL_FILE_PATH)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not email_messages:
            return 0
        private_folder(self.folder)
        written = 0
        for message in email_messages:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:12]}.eml"
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(message.message().as_bytes())
            except OSError:
                if not self.fail_silently:
                    raise
                continue
            logger.info("e-mail not sent (EMAIL_HOST is not set): written to %s", path)
            written += 1
        return written
