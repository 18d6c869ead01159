"""Audit what happens outside our actions: every admin action and every permission change."""

from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_save
from django.dispatch import receiver

from ensemble.core import audit


@receiver(post_save, sender=LogEntry)
def audit_admin_action(sender: type[LogEntry], instance: LogEntry, created: bool, **_: Any) -> None:
    if not created:
        return
    verb = {1: "added", 2: "changed", 3: "deleted"}.get(instance.action_flag, "acted")
    audit.record(
        f"admin.{verb}",
        actor=instance.user,
        actor_label=str(instance.user),
        data={
            "object_type": instance.content_type.model if instance.content_type else "",
            "object_id": instance.object_id or "",
            "object": instance.object_repr,
            "change": instance.get_change_message(),
        },
    )


def audit_permission_change(
    sender: Any, instance: Any, action: str, pk_set: set[Any] | None, model: Any, **_: Any
) -> None:
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    audit.record(
        "accounts.permissions_changed",
        target=instance,
        data={
            "change": action.removeprefix("post_"),
            "what": model._meta.model_name,
            "ids": sorted(str(pk) for pk in pk_set or ()),
        },
    )


User = get_user_model()
m2m_changed.connect(audit_permission_change, sender=User.groups.through)
m2m_changed.connect(audit_permission_change, sender=User.user_permissions.through)
