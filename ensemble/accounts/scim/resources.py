"""How accounts and teams look as SCIM resources, and how SCIM input changes them."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from ensemble.accounts.models import Team, User

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"

USER_FILTERS = {
    "username": "email",
    "emails.value": "email",
    "emails": "email",
    "externalid": "scim_external_id",
    "active": "is_active",
    "displayname": "full_name",
    "id": "id",
}
GROUP_FILTERS = {"displayname": "name", "id": "id"}


def base_url() -> str:
    return f"{settings.SITE_URL}/scim/v2"


def meta(kind: str, obj: Any, path: str) -> dict[str, Any]:
    return {
        "resourceType": kind,
        "created": obj.created_at.isoformat()
        if hasattr(obj, "created_at")
        else obj.date_joined.isoformat(),
        "lastModified": (getattr(obj, "updated_at", None) or obj.date_joined).isoformat(),
        "location": f"{base_url()}/{path}/{obj.pk}",
    }


def user_resource(user: User) -> dict[str, Any]:
    given, _sep, family = user.full_name.partition(" ")
    return {
        "schemas": [USER_SCHEMA],
        "id": str(user.pk),
        "externalId": user.scim_external_id or None,
        "userName": user.email,
        "name": {"formatted": user.full_name, "givenName": given, "familyName": family},
        "displayName": user.full_name or user.email,
        "emails": [{"value": user.email, "primary": True, "type": "work"}],
        "active": user.is_active,
        "preferredLanguage": user.language,
        "meta": meta("User", user, "Users"),
    }


def group_resource(team: Team) -> dict[str, Any]:
    return {
        "schemas": [GROUP_SCHEMA],
        "id": str(team.pk),
        "displayName": team.name,
        "members": [
            {
                "value": str(m.user_id),
                "display": str(m.user),
                "$ref": f"{base_url()}/Users/{m.user_id}",
            }
            for m in team.memberships.all()
        ],
        "meta": meta("Group", team, "Groups"),
    }


def user_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Model fields from a SCIM User (as in POST or PUT); only what is given."""
    fields: dict[str, Any] = {}
    emails = data.get("emails")
    email = data.get("userName")
    if isinstance(emails, list) and emails and not email:
        primary = next((e for e in emails if isinstance(e, dict) and e.get("primary")), emails[0])
        email = primary.get("value") if isinstance(primary, dict) else None
    if email is not None:
        fields["email"] = str(email).strip().lower()
    name = data.get("name")
    if isinstance(name, dict):
        formatted = name.get("formatted") or " ".join(
            part for part in (name.get("givenName"), name.get("familyName")) if part
        )
        if formatted:
            fields["full_name"] = str(formatted)[:200]
    elif data.get("displayName"):
        fields["full_name"] = str(data["displayName"])[:200]
    if "active" in data:
        fields["is_active"] = data["active"]
    if "externalId" in data:
        fields["scim_external_id"] = str(data["externalId"] or "")[:255]
    if data.get("preferredLanguage"):
        fields["language"] = str(data["preferredLanguage"])[:2].lower()
    return fields
