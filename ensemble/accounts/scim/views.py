"""SCIM 2.0 endpoints under /scim/v2/: Users and Groups (teams), with filter, paging and PATCH."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ensemble.accounts import actions, scopes
from ensemble.accounts.models import ApiToken, Team, TeamMembership, TokenScope, User
from ensemble.accounts.scim import resources as r
from ensemble.accounts.scim.filters import InvalidFilter, to_q
from ensemble.accounts.tokens import TokenAuthentication
from ensemble.core import audit
from ensemble.core.parsers import JSONParser

MAX_COUNT = 200


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


class ScimRenderer(JSONRenderer):
    media_type = "application/scim+json"


class ScimParser(JSONParser):  # depth-limited; refuses NUL and unpaired surrogates
    media_type = "application/scim+json"


class ScimAccess(BasePermission):
    message = gettext_lazy("SCIM needs an operator's API token with the scim scope.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        return (
            isinstance(token, ApiToken)
            and TokenScope.SCIM in token.scopes
            and bool(request.user.is_staff)
        )


@extend_schema(exclude=True)  # SCIM describes itself (ServiceProviderConfig, Schemas)
class ScimView(APIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [ScimAccess]
    required_token_scope = TokenScope.SCIM  # and a token with it is refused everywhere else
    renderer_classes = [ScimRenderer, JSONRenderer]
    parser_classes = [ScimParser, JSONParser]

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, ScimError):
            error = exc
        elif isinstance(exc, Http404):
            error = ScimError(404, _("No such resource."))
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            error = ScimError(401, str(exc.detail))
        elif isinstance(exc, exceptions.PermissionDenied):
            error = ScimError(403, str(exc.detail))
        elif isinstance(exc, exceptions.ParseError):
            error = ScimError(400, str(exc.detail), "invalidSyntax")
        elif isinstance(exc, exceptions.MethodNotAllowed):
            error = ScimError(405, str(exc.detail))
        elif isinstance(exc, exceptions.UnsupportedMediaType):
            error = ScimError(415, str(exc.detail))
        else:
            return super().handle_exception(exc)
        body: dict[str, Any] = {
            "schemas": [r.ERROR_SCHEMA],
            "status": str(error.status),
            "detail": error.detail,
        }
        if error.scim_type:
            body["scimType"] = error.scim_type
        response = Response(body, status=error.status)
        if error.status == 401:
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
        return response

    def body(self, request: Request) -> dict[str, Any]:
        if not isinstance(request.data, dict):
            raise ScimError(400, _("The body must be a JSON object."), "invalidSyntax")
        return request.data

    def operator(self, request: Request) -> User:
        return request.user  # type: ignore[return-value]


def check_may_change(operator: User, user: User) -> None:
    """Only a superuser changes a superuser: otherwise an operator could give itself the
    superuser's account (change its address, then reset its password)."""
    if user.is_superuser and not operator.is_superuser:
        raise ScimError(403, _("Only a superuser may change a superuser's account."))


def whole_number(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError as error:  # also the numbers of more than 4,300 digits Python refuses
        raise ScimError(
            400, _("startIndex and count must be whole numbers."), "invalidValue"
        ) from error


def page(
    request: Request, queryset: QuerySet[Any], fields: dict[str, str], render: Any
) -> Response:
    params = request.query_params
    if params.get("filter"):
        try:
            queryset = queryset.filter(to_q(params["filter"], fields))
        except (InvalidFilter, DjangoValidationError, ValueError) as error:
            raise ScimError(
                400, _("Invalid filter: %(error)s") % {"error": error}, "invalidFilter"
            ) from error
    # RFC 7644 §3.4.2.4: a startIndex below 1 means 1, a negative count means 0.
    start = max(1, whole_number(request, "startIndex", 1))
    count = min(MAX_COUNT, max(0, whole_number(request, "count", 100)))
    total = queryset.count()
    # Past the end, no query: an offset beyond 64 bits overflows the database's integers.
    items = list(queryset[start - 1 : start - 1 + count]) if start <= total and count else []
    return Response(
        {
            "schemas": [r.LIST_SCHEMA],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(items),
            "Resources": [render(item) for item in items],
        }
    )


# Users ----------------------------------------------------------------------------------


def apply_user_fields(request: Request, operator: User, user: User, fields: dict[str, Any]) -> None:
    active = fields.pop("is_active", None)
    previous_email = None if user._state.adding else user.email
    if "email" in fields:
        try:
            validate_email(fields["email"])
        except DjangoValidationError as error:
            raise ScimError(
                400, _("userName must be an e-mail address."), "invalidValue"
            ) from error
        if User.objects.filter(email=fields["email"]).exclude(pk=user.pk).exists():
            raise ScimError(409, _("Another account has this userName."), "uniqueness")
    if active is not None and not isinstance(active, bool):
        raise ScimError(400, _("active must be true or false."), "invalidValue")
    for name, value in fields.items():
        setattr(user, name, value)
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as error:
        raise ScimError(400, "; ".join(error.messages), "invalidValue") from error
    if user._state.adding:
        user.email_verified = False  # given by the provisioning system, not by the person
    user.save()
    if previous_email is not None and user.email != previous_email:
        actions.email_changed_by_operator(request, operator, user, previous_email)
    if active is not None:
        actions.set_active(request, operator, user, active)


class UsersView(ScimView):
    def get(self, request: Request) -> Response:
        users = scopes.people_of(self.operator(request)).order_by("date_joined", "id")
        return page(request, users, r.USER_FILTERS, r.user_resource)

    def post(self, request: Request) -> Response:
        data = self.body(request)
        fields = r.user_fields(data)
        if not fields.get("email"):
            raise ScimError(400, _("userName (the e-mail address) is required."), "invalidValue")
        operator = self.operator(request)
        if operator.organisation_id is None and not operator.is_superuser:
            raise ScimError(
                400, _("The token's account belongs to no organisation."), "invalidValue"
            )
        with transaction.atomic():
            user = User(organisation_id=operator.organisation_id)
            user.set_unusable_password()
            apply_user_fields(request, operator, user, fields)
            audit.record("scim.user_created", actor=operator, target=user, request=request)
        response = Response(r.user_resource(user), status=201)
        response["Location"] = r.user_resource(user)["meta"]["location"]
        return response


class UserView(ScimView):
    def get_user(self, request: Request, pk: str, *, to_change: bool = True) -> User:
        """The account, if the operator may see it (and change it, unless ``to_change`` is
        False); the accounts of other organisations are not found."""
        operator = self.operator(request)
        try:
            user = scopes.people_of(operator).get(pk=pk)
        except (User.DoesNotExist, DjangoValidationError, ValueError) as error:
            raise ScimError(404, _("No user %(id)s.") % {"id": pk}) from error
        if to_change:
            check_may_change(operator, user)
        return user

    def get(self, request: Request, pk: str) -> Response:
        return Response(r.user_resource(self.get_user(request, pk, to_change=False)))

    def put(self, request: Request, pk: str) -> Response:
        user, operator = self.get_user(request, pk), self.operator(request)
        fields = r.user_fields(self.body(request))
        if not fields.get("email"):
            raise ScimError(400, _("userName (the e-mail address) is required."), "invalidValue")
        with transaction.atomic():
            apply_user_fields(request, operator, user, fields)
            audit.record("scim.user_replaced", actor=operator, target=user, request=request)
        return Response(r.user_resource(user))

    def patch(self, request: Request, pk: str) -> Response:
        user, operator = self.get_user(request, pk), self.operator(request)
        fields: dict[str, Any] = {}
        for operation in patch_operations(self.body(request)):
            op, path, value = operation
            if op == "remove":
                raise ScimError(400, _("Removing user attributes is not supported."), "mutability")
            if path is None and not isinstance(value, dict):
                raise ScimError(400, _("Without a path, value must be an object."), "invalidValue")
            change = value if path is None else nest(path, value)
            name = change.get("name")
            if isinstance(name, dict) and "formatted" not in name:
                # One part of the name changes; the other stays as it is.
                current = r.user_resource(user)["name"]
                parts = {"givenName": current["givenName"], "familyName": current["familyName"]}
                change = {**change, "name": {**parts, **name}}
            fields |= r.user_fields(change)
        with transaction.atomic():
            apply_user_fields(request, operator, user, fields)
            audit.record(
                "scim.user_patched",
                actor=operator,
                target=user,
                request=request,
                data={"fields": sorted(fields)},
            )
        return Response(r.user_resource(user))

    def delete(self, request: Request, pk: str) -> Response:
        """Deactivates the account: it is kept for the audit log and what it shared."""
        user, operator = self.get_user(request, pk), self.operator(request)
        with transaction.atomic():
            actions.set_active(request, operator, user, False)
            audit.record("scim.user_deleted", actor=operator, target=user, request=request)
        return Response(status=204)


def patch_operations(data: dict[str, Any]) -> list[tuple[str, str | None, Any]]:
    if r.PATCH_SCHEMA not in data.get("schemas", []):
        raise ScimError(
            400,
            _("A PATCH body must use the %(schema)s schema.") % {"schema": r.PATCH_SCHEMA},
            "invalidSyntax",
        )
    operations = data.get("Operations")
    if not isinstance(operations, list) or not operations:
        raise ScimError(400, _("Operations must be a non-empty list."), "invalidSyntax")
    parsed = []
    for operation in operations:
        if not isinstance(operation, dict) or str(operation.get("op", "")).lower() not in {
            "add",
            "replace",
            "remove",
        }:
            raise ScimError(
                400, _("Each operation needs op: add, replace or remove."), "invalidSyntax"
            )
        path = operation.get("path")
        if path is not None and not isinstance(path, str):
            raise ScimError(400, _("path must be text."), "invalidPath")
        parsed.append((str(operation["op"]).lower(), path, operation.get("value")))
    return parsed


ALLOWED_USER_PATHS = {
    "active",
    "username",
    "displayname",
    "externalid",
    "preferredlanguage",
    "name.givenname",
    "name.familyname",
    "name.formatted",
    "emails",
}


def nest(path: str, value: Any) -> dict[str, Any]:
    """{"name.givenName": "Ana"} style paths as the nested object user_fields() reads."""
    if path.lower() not in ALLOWED_USER_PATHS:
        raise ScimError(
            400, _("Changing %(path)s is not supported.") % {"path": repr(path)}, "invalidPath"
        )
    canonical = {
        "username": "userName",
        "displayname": "displayName",
        "externalid": "externalId",
        "preferredlanguage": "preferredLanguage",
        "givenname": "givenName",
        "familyname": "familyName",
    }
    parts = [canonical.get(part.lower(), part) for part in path.split(".")]
    if len(parts) == 2:
        return {parts[0]: {parts[1]: value}}
    return {parts[0]: value}


# Groups ---------------------------------------------------------------------------------

MEMBER_PATH = re.compile(r'^members\[value eq "([^"]+)"\]$', re.I)


class GroupsView(ScimView):
    def teams(self, request: Request) -> QuerySet[Team]:
        """The teams of the operator's organisation; every team for a superuser."""
        return (
            scopes.teams_of(self.operator(request))
            .prefetch_related("memberships__user")
            .order_by("created_at", "id")
        )

    def get(self, request: Request) -> Response:
        return page(request, self.teams(request), r.GROUP_FILTERS, r.group_resource)

    def post(self, request: Request) -> Response:
        data, operator = self.body(request), self.operator(request)
        if operator.organisation_id is None:
            raise ScimError(
                400, _("The token's account belongs to no organisation."), "invalidValue"
            )
        name = str(data.get("displayName") or "").strip()
        if not name or len(name) > 200:
            raise ScimError(
                400, _("displayName is required (200 characters at most)."), "invalidValue"
            )
        try:
            with transaction.atomic():
                team = Team.objects.create(name=name, organisation_id=operator.organisation_id)
                set_members(team, member_ids(data.get("members", [])))
                audit.record("scim.group_created", actor=operator, target=team, request=request)
        except IntegrityError as error:
            raise ScimError(409, _("A team with this displayName exists."), "uniqueness") from error
        return Response(r.group_resource(team), status=201)


def member_ids(members: Any) -> list[str]:
    if not isinstance(members, list) or not all(
        isinstance(m, dict) and isinstance(m.get("value"), str) for m in members
    ):
        raise ScimError(400, _('members must be a list of {"value": "<user id>"}.'), "invalidValue")
    return [m["value"] for m in members]


def users_for(team: Team, ids: list[str]) -> list[User]:
    try:
        users = list(User.objects.filter(pk__in=ids))
    except (DjangoValidationError, ValueError) as error:
        raise ScimError(400, _("A member value is not a user id."), "invalidValue") from error
    if len(users) != len(set(ids)):
        raise ScimError(400, _("A member is not a known user."), "invalidValue")
    strangers = [
        u for u in users if u.organisation_id != team.organisation_id and not u.is_external
    ]
    if strangers:
        raise ScimError(400, _("A member belongs to another organisation."), "invalidValue")
    return users


def set_members(team: Team, ids: list[str]) -> None:
    users = users_for(team, ids)
    team.memberships.exclude(user__in=users).exclude(role="owner").delete()
    for user in users:
        TeamMembership.objects.get_or_create(team=team, user=user)


class GroupView(GroupsView):
    def get_team(self, request: Request, pk: str) -> Team:
        try:
            return self.teams(request).get(pk=pk)
        except (Team.DoesNotExist, DjangoValidationError, ValueError) as error:
            raise ScimError(404, _("No group %(id)s.") % {"id": pk}) from error

    def get(self, request: Request, pk: str) -> Response:  # type: ignore[override]
        return Response(r.group_resource(self.get_team(request, pk)))

    def put(self, request: Request, pk: str) -> Response:
        team, data, operator = (
            self.get_team(request, pk),
            self.body(request),
            self.operator(request),
        )
        name = str(data.get("displayName") or "").strip()
        if not name:
            raise ScimError(400, _("displayName is required."), "invalidValue")
        with transaction.atomic():
            team.name = name
            team.save()
            set_members(team, member_ids(data.get("members", [])))
            audit.record("scim.group_replaced", actor=operator, target=team, request=request)
        return Response(r.group_resource(self.get_team(request, pk)))

    def patch(self, request: Request, pk: str) -> Response:
        team, operator = self.get_team(request, pk), self.operator(request)
        with transaction.atomic():
            for op, path, value in patch_operations(self.body(request)):
                apply_group_operation(team, op, path, value)
            audit.record("scim.group_patched", actor=operator, target=team, request=request)
        return Response(r.group_resource(self.get_team(request, pk)))

    def delete(self, request: Request, pk: str) -> Response:
        team, operator = self.get_team(request, pk), self.operator(request)
        with transaction.atomic():
            audit.record("scim.group_deleted", actor=operator, target=team, request=request)
            team.delete()
        return Response(status=204)


def apply_group_operation(team: Team, op: str, path: str | None, value: Any) -> None:
    single = MEMBER_PATH.match(path or "")
    if op == "remove" and single:
        team.memberships.filter(user_id=single.group(1)).exclude(role="owner").delete()
    elif (path or "").lower() == "members":
        ids = member_ids(value if value is not None else [])
        if op == "add":
            for user in users_for(team, ids):
                TeamMembership.objects.get_or_create(team=team, user=user)
        elif op == "remove":
            team.memberships.filter(Q(user_id__in=ids) if ids else Q()).exclude(
                role="owner"
            ).delete()
        else:
            set_members(team, ids)
    elif (path or "").lower() == "displayname" or (path is None and isinstance(value, dict)):
        name = value.get("displayName") if isinstance(value, dict) else value
        if not isinstance(name, str) or not name.strip():
            raise ScimError(400, _("displayName must be non-empty text."), "invalidValue")
        team.name = name.strip()[:200]
        team.save()
    else:
        raise ScimError(
            400, _("Changing %(path)s is not supported.") % {"path": repr(path)}, "invalidPath"
        )


# Discovery ------------------------------------------------------------------------------


class ServiceProviderConfigView(ScimView):
    def get(self, request: Request) -> Response:
        return Response(
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
                "patch": {"supported": True},
                "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
                "filter": {"supported": True, "maxResults": MAX_COUNT},
                "changePassword": {"supported": False},
                "sort": {"supported": False},
                "etag": {"supported": False},
                "authenticationSchemes": [
                    {
                        "type": "oauthbearertoken",
                        "name": "API token",
                        "description": "An operator's Ensemble API token with the scim scope.",
                        "primary": True,
                    }
                ],
                "meta": {
                    "resourceType": "ServiceProviderConfig",
                    "location": f"{r.base_url()}/ServiceProviderConfig",
                },
            }
        )


class ResourceTypesView(ScimView):
    def get(self, request: Request) -> Response:
        types = [
            {
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
                "id": name,
                "name": name,
                "endpoint": f"/{name}s",
                "schema": schema,
                "meta": {
                    "resourceType": "ResourceType",
                    "location": f"{r.base_url()}/ResourceTypes/{name}",
                },
            }
            for name, schema in (("User", r.USER_SCHEMA), ("Group", r.GROUP_SCHEMA))
        ]
        return Response(
            {
                "schemas": [r.LIST_SCHEMA],
                "totalResults": 2,
                "startIndex": 1,
                "itemsPerPage": 2,
                "Resources": types,
            }
        )
