"""Files people send are scanned for malware before anyone else may download them.

A model that stores such a file inherits ``ScannedFile`` (its ``scan`` state), calls
``scan_after_save`` once the file is stored, and asks ``check_download`` before serving it.
The scan runs in the background (``scan_stored_file``) with the clamd client of
``ensemble.core.scanner``; a scan that could not be made leaves the file ``failed`` (never
served to others) and is retried with the background jobs' backoff.

States: pending (waiting for its scan), clean, infected, failed (could not be scanned yet,
retried), unscanned (no scanner configured, or larger than SCANNER_MAX_BYTES where the operator
allows it with SCANNER_SERVE_LARGE_UNSCANNED: served, and the page says it was not checked),
too_large (larger than SCANNER_MAX_BYTES: served to its uploader only).
"""

from __future__ import annotations

import logging
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.core import audit
from ensemble.core.refusals import ActionRefused
from ensemble.core.scanner import Verdict, configured
from ensemble.core.tasks import background_task

logger = logging.getLogger(__name__)


class ScanState(models.TextChoices):
    PENDING = "pending", gettext_lazy("Being checked for malware")
    CLEAN = "clean", gettext_lazy("No malware found")
    INFECTED = "infected", gettext_lazy("Malware found")
    FAILED = "failed", gettext_lazy("Could not be checked for malware yet")
    UNSCANNED = "unscanned", gettext_lazy("Not checked for malware")
    TOO_LARGE = "too_large", gettext_lazy("Too large to be checked for malware")


WITHHELD = (ScanState.PENDING, ScanState.FAILED)

# Sent after a scan stored its verdict (clean, infected or failed), with ``sender`` the model,
# ``pk`` and ``state``: an app tells the people who see the file (chat: its room's stream).
file_scanned = Signal()


class ScannedFile(models.Model):
    """A model holding a file that people send. New rows start pending: nothing is served to
    others before ``scan_after_save`` decided."""

    scanned_field = "file"

    scan = models.CharField(max_length=10, choices=ScanState.choices, default=ScanState.PENDING)
    scan_signature = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True


class NotYetScanned(ActionRefused):
    """The file waits for its malware scan (423: try again in a moment)."""

    status_code = 423


def scan_after_save(instance: ScannedFile, size: int) -> None:
    """Call once the file is stored: it is scanned after the transaction commits, or marked
    unscanned when no scanner is configured. One too large to be sent to clamd is kept from
    everyone but its uploader (too_large), unless the operator serves such files unchecked
    (SCANNER_SERVE_LARGE_UNSCANNED)."""
    scanner = configured()
    state = None
    if scanner is None:
        state = ScanState.UNSCANNED
    elif size > scanner.max_bytes:
        serve = settings.SCANNER_SERVE_LARGE_UNSCANNED
        state = ScanState.UNSCANNED if serve else ScanState.TOO_LARGE
    if state is not None:
        type(instance)._default_manager.filter(pk=instance.pk).update(scan=state)
        instance.scan = state
        return
    label, pk = instance._meta.label, str(instance.pk)
    transaction.on_commit(lambda: scan_stored_file.enqueue(label, pk))


class ScanUnavailable(Exception):
    """clamd could not give a verdict: the job fails and is retried."""


@background_task
def scan_stored_file(label: str, pk: str) -> str:
    """Scan one stored file and record its state (retried while clamd cannot answer)."""
    model: Any = apps.get_model(label)
    rows = model._default_manager.filter(pk=pk)
    instance = rows.first()
    if instance is None or instance.scan not in WITHHELD:
        return "gone" if instance is None else str(instance.scan)
    scanner = configured()
    if scanner is None:
        stored(instance, rows, ScanState.FAILED)
        raise ScanUnavailable("no scanner is configured (SCANNER_ADDRESS), or clamd is gone")
    with getattr(instance, instance.scanned_field).open("rb") as file:
        result = scanner.scan(file)
    if result.verdict == Verdict.CLEAN:
        return stored(instance, rows, ScanState.CLEAN)
    if result.verdict == Verdict.INFECTED:
        logger.warning("malware found in %s %s: %s", label, pk, result.signature)
        audit.record("files.malware_found", target=instance, data={"signature": result.signature})
        return stored(instance, rows, ScanState.INFECTED, result.signature[:200])
    stored(instance, rows, ScanState.FAILED)
    raise ScanUnavailable(result.reason)


def stored(instance: Any, rows: Any, state: ScanState, signature: str = "") -> ScanState:
    """Record a verdict; the apps are told when it changed what they show."""
    rows.update(scan=state, scan_signature=signature)
    if instance.scan != state:
        file_scanned.send(sender=type(instance), pk=instance.pk, state=state)
    return state


def check_download(
    instance: ScannedFile, user: Any, uploader_id: Any, *, copy: bool = False
) -> None:
    """Refuse a file with malware to everyone (its uploader learns what was found), and one not
    yet scanned, or too large to be, to everyone but its uploader. A ``copy`` that Ensemble made
    from the file (a thumbnail re-encoded from a picture's pixels) is refused only for malware."""
    is_uploader = uploader_id is not None and uploader_id == getattr(user, "pk", None)
    if instance.scan == ScanState.INFECTED:
        if is_uploader:
            raise ActionRefused(
                _("This file contains malware (%(name)s): nobody may download it.")
                % {"name": instance.scan_signature}
            )
        raise ActionRefused(_("This file contains malware: nobody may download it."))
    if instance.scan == ScanState.TOO_LARGE and not is_uploader and not copy:
        raise ActionRefused(
            _("This file is too large to be checked for malware: only its sender may download it.")
        )
    if instance.scan in WITHHELD and not is_uploader and not copy:
        if instance.scan == ScanState.FAILED:
            raise NotYetScanned(
                _("This file could not be checked for malware yet; it will be tried again.")
            )
        raise NotYetScanned(_("This file is being checked for malware; try again in a moment."))
