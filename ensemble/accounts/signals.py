"""What follows any save of an account, whoever made it (actions, the admin's forms, management
commands): deactivating it ends its sessions and revokes its API tokens; changing its password
revokes its API tokens."""

from typing import Any

from django.db.models.signals import post_save
from django.dispatch import receiver

from ensemble.accounts.models import User


@receiver(post_save, sender=User)
def end_sessions_of_deactivated(sender: type[User], instance: User, **_: Any) -> None:
    if not instance.is_active:
        from ensemble.accounts.actions import end_sessions, revoke_api_tokens

        end_sessions(instance)
        revoke_api_tokens(instance, "deactivated")


@receiver(post_save, sender=User)
def revoke_tokens_on_password_change(
    sender: type[User], instance: User, created: bool, **_: Any
) -> None:
    # Django keeps the new raw password in _password from set_password() until the end of
    # save() (and clears it first for a mere hash upgrade at sign-in): that is a change.
    if not created and getattr(instance, "_password", None) is not None:
        from ensemble.accounts.actions import revoke_api_tokens

        revoke_api_tokens(instance, "password_changed")
