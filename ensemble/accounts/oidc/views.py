"""The two steps of single sign-on: send the person to the provider, and take them back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ensemble.accounts.oidc import protocol
from ensemble.accounts.oidc.actions import sign_in_with_provider
from ensemble.accounts.oidc.config import OIDCProvider
from ensemble.accounts.views import safe_next_url
from ensemble.core import audit

PENDING = "oidc.pending"
LOGOUT = "oidc.logout"
PENDING_SECONDS = 600
MAX_PENDING = 5


def provider_or_404(name: str) -> OIDCProvider:
    provider: OIDCProvider | None = settings.OIDC_PROVIDERS.get(name)
    if provider is None:
        raise Http404(_("Unknown identity provider."))
    return provider


def callback_uri(provider: OIDCProvider) -> str:
    return settings.SITE_URL + reverse("accounts:oidc_callback", args=[provider.name])


def failed(
    request: HttpRequest, provider: OIDCProvider, failure: protocol.SignInFailed
) -> HttpResponse:
    audit.record(
        "accounts.sign_in_failed",
        request=request,
        data={"method": f"oidc:{provider.name}", "reason": failure.reason},
    )
    status = 503 if failure.reason.startswith("provider unreachable") else 400
    context = {"message": failure.message, "provider": provider}
    return render(request, "accounts/sign_in_failed.html", context, status=status)


def oidc_login_view(request: HttpRequest, name: str) -> HttpResponse:
    provider = provider_or_404(name)
    try:
        authorization = protocol.start(provider, callback_uri(provider))
    except protocol.SignInFailed as failure:
        return failed(request, provider, failure)
    pending: dict[str, Any] = request.session.get(PENDING, {})
    # Keep the few most recent attempts (several tabs), never an unbounded list.
    recent = sorted(pending.items(), key=lambda item: item[1]["since"])[-(MAX_PENDING - 1) :]
    pending = dict(recent)
    pending[authorization.state] = {
        "provider": provider.name,
        "nonce": authorization.nonce,
        "verifier": authorization.code_verifier,
        "next": safe_next_url(request),
        "since": timezone.now().timestamp(),
    }
    request.session[PENDING] = pending
    return redirect(authorization.url)


def oidc_callback_view(request: HttpRequest, name: str) -> HttpResponse:
    provider = provider_or_404(name)
    try:
        return complete(request, provider)
    except protocol.SignInFailed as failure:
        return failed(request, provider, failure)


def complete(request: HttpRequest, provider: OIDCProvider) -> HttpResponse:
    params = request.GET
    pending_all: dict[str, Any] = request.session.get(PENDING, {})
    pending = pending_all.pop(params.get("state", ""), None)
    request.session[PENDING] = pending_all
    if params.get("error"):
        raise protocol.SignInFailed(
            _("The sign-in was cancelled or refused by the identity provider."),
            f"provider error: {params.get('error')}: {params.get('error_description', '')}"[:300],
        )
    if pending is None or pending["provider"] != provider.name:
        raise protocol.SignInFailed(
            _("This sign-in link is not valid or was already used. Please start again."),
            "unknown or replayed state",
        )
    if timezone.now().timestamp() - pending["since"] > PENDING_SECONDS:
        raise protocol.SignInFailed(
            _("The sign-in took too long and expired. Please start again."), "state expired"
        )
    issuer = protocol.metadata(provider)["issuer"]
    if params.get("iss") and params["iss"] != issuer:  # RFC 9207: mix-up defence
        raise protocol.SignInFailed(
            _("The identity provider's answer is not meant for this service."),
            "iss parameter differs from the provider's issuer",
        )
    if not params.get("code"):
        raise protocol.SignInFailed(
            _("The identity provider sent an incomplete answer."), "no code in the callback"
        )
    tokens = protocol.exchange_code(
        provider, params["code"], callback_uri(provider), pending["verifier"]
    )
    claims = protocol.validate_id_token(provider, tokens["id_token"], pending["nonce"])
    claims |= protocol.fetch_userinfo(provider, tokens["access_token"], claims["sub"])
    user = sign_in_with_provider(request, provider, issuer, claims)
    request.session[LOGOUT] = {"provider": provider.name, "id_token": tokens["id_token"]}
    response = redirect(pending["next"])
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def provider_logout_url(request: HttpRequest) -> str | None:
    """Where to end the provider's session after ours (RP-initiated logout), if anywhere."""
    held: dict[str, str] | None = request.session.get(LOGOUT)
    if not held:
        return None
    provider = settings.OIDC_PROVIDERS.get(held["provider"])
    if provider is None:
        return None
    return protocol.end_session_url(
        provider, held["id_token"], settings.SITE_URL + reverse("accounts:login")
    )
