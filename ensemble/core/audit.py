"""The audit log: append-only, each entry chained to the previous one by SHA-256.

An entry's hash covers a canonical JSON of its fields plus the previous entry's hash, so a
modified, deleted or reordered entry breaks the chain from that point on and
``ensemble audit verify`` names the first entry where it breaks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from ensemble.core.models import AuditChainHead, AuditEntry
from ensemble.core.moments import in_range

GENESIS_HASH = "0" * 64


def canonical_json(entry: AuditEntry) -> str:
    """The exact text that an entry's hash covers."""
    fields = {
        "position": entry.position,
        "time": entry.time.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": str(entry.actor_id) if entry.actor_id else None,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "target_label": entry.target_label,
        "ip": entry.ip,
        "user_agent": entry.user_agent,
        "data": entry.data,
        "previous_hash": entry.previous_hash,
    }
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(entry: AuditEntry) -> str:
    text = entry.previous_hash + canonical_json(entry)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
    actor_label: str = "",
) -> AuditEntry:
    """Append one entry to the audit log (inside the caller's transaction, if any)."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(id=1)
        head = AuditChainHead.objects.select_for_update().get(id=1)
        entry = AuditEntry(
            position=head.position + 1,
            time=timezone.now(),
            actor=actor,
            actor_label=actor_label or (str(actor) if actor is not None else ""),
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=str(target)[:255] if target is not None else "",
            ip=client_ip(request),
            user_agent=(request.META.get("HTTP_USER_AGENT", "") if request else "")[:500],
            data=_plain(data or {}),
            previous_hash=head.hash,
        )
        entry.hash = entry_hash(entry)
        entry.save(force_insert=True)
        head.position, head.hash = entry.position, entry.hash
        head.save(update_fields=["position", "hash"])
    return entry


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """Details as they will read back from the database (JSON types only)."""
    loaded: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return loaded


@dataclass(frozen=True)
class VerifyResult:
    checked: int
    first_bad_position: int | None = None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad_position is None


def verify() -> VerifyResult:
    """Walk the whole chain in order and report the first entry that does not fit."""
    expected_position, previous_hash, checked = 1, GENESIS_HASH, 0
    for entry in AuditEntry.objects.order_by("position").iterator(chunk_size=2000):
        if entry.position != expected_position:
            return VerifyResult(
                checked,
                expected_position,
                f"entry #{expected_position} is missing (next found is #{entry.position})",
            )
        if entry.previous_hash != previous_hash:
            return VerifyResult(
                checked,
                entry.position,
                f"entry #{entry.position} does not follow entry #{entry.position - 1} "
                "(deleted, inserted or reordered entries)",
            )
        if entry_hash(entry) != entry.hash:
            return VerifyResult(checked, entry.position, f"entry #{entry.position} was modified")
        previous_hash, expected_position, checked = entry.hash, expected_position + 1, checked + 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.position, head.hash) != (checked, previous_hash):
        return VerifyResult(
            checked,
            checked + 1,
            f"the log ends at entry #{checked} but entry #{head.position} was written: "
            "entries were deleted from the end",
        )
    return VerifyResult(checked)


def export_lines(entries: models.QuerySet[AuditEntry]) -> Iterator[str]:
    """Entries as JSON lines, each with its hash, for archiving outside Ensemble."""
    for entry in entries.order_by("position").iterator(chunk_size=2000):
        fields = json.loads(canonical_json(entry))
        fields["hash"] = entry.hash
        yield json.dumps(fields, ensure_ascii=False, sort_keys=True) + "\n"


def parse_time(value: str) -> datetime:
    """An ISO date or date-time given on the command line or in a filter."""
    parsed = datetime.fromisoformat(value)
    if not in_range(parsed):
        raise ValueError("out of the years a date may have")
    return parsed if parsed.tzinfo else timezone.make_aware(parsed)
