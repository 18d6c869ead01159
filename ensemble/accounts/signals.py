"""Deactivating an account ends its sessions at once."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ensemble.accounts.models import User


@receiver(post_save, sender=User)
def end_sessions_of_deactivated(sender: type[User], instance: User, **_: Any) -> None:
    if not instance.is_active:
        from ensemble.accounts.actions import end_sessions

        end_sessions(instance)
