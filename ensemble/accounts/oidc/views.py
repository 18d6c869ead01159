"""The two steps of single sign-on: send the person to the provider, and take them back."""

from __future__ import annotations

import hmac
from typing import Any

from django.conf import settings
from django.contrib import messages
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
LOGOUT_RETURN = "oidc.logout_return"
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
    context = {"message": failure.message, "provider": provider}
    return render(request, "accounts/sign_in_failed.html", context, status=failure.status)


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
    document = protocol.metadata(provider)
    issuer = document["issuer"]
    # RFC 9207 (mix-up defence): a provider that says it names itself in its answers must do
    # so, and any name given must be its own.
    if "iss" not in params and document.get("authorization_response_iss_parameter_supported"):
        raise protocol.SignInFailed(
            _("The identity provider's answer is not meant for this service."),
            "no iss parameter, though the provider says it sends one",
        )
    if "iss" in params and params["iss"] != issuer:
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


def provider_logout(request: HttpRequest) -> tuple[OIDCProvider, protocol.Logout] | None:
    """Where to end the provider's session after ours (RP-initiated logout), if anywhere."""
    held: dict[str, str] | None = request.session.get(LOGOUT)
    if not held:
        return None
    provider = settings.OIDC_PROVIDERS.get(held["provider"])
    if provider is None:
        return None
    logout = protocol.end_session(
        provider, held["id_token"], settings.SITE_URL + reverse("accounts:oidc_logged_out")
    )
    return None if logout is None else (provider, logout)


def go_to_provider_logout(
    request: HttpRequest, provider: OIDCProvider, logout: protocol.Logout
) -> HttpResponse:
    """Once our session is over: remember the state the provider must send back, and go."""
    request.session[LOGOUT_RETURN] = {
        "provider": provider.name,
        "state": logout.state,
        "since": timezone.now().timestamp(),
    }
    return redirect(logout.url)


def oidc_logged_out_view(request: HttpRequest) -> HttpResponse:
    """Where the provider sends the browser back after its sign-out: check its ``state``."""
    expected: dict[str, Any] | None = request.session.pop(LOGOUT_RETURN, None)
    returned = request.GET.get("state", "")
    provider = settings.OIDC_PROVIDERS.get(expected["provider"]) if expected else None
    if expected is None or provider is None:
        reason = "no sign-out at a provider was started from this browser"
    elif not hmac.compare_digest(returned.encode(), expected["state"].encode()):
        reason = "state missing or different from the one sent"
    elif timezone.now().timestamp() - expected["since"] > PENDING_SECONDS:
        reason = "the sign-out took too long"
    else:
        messages.success(
            request,
            _("You are signed out of Ensemble and of %(provider)s.") % {"provider": provider.label},
        )
        return redirect("accounts:login")
    audit.record(
        "accounts.provider_sign_out_unconfirmed",
        request=request,
        data={"provider": expected["provider"] if expected else "", "reason": reason},
    )
    messages.warning(
        request,
        _(
            "You are signed out of Ensemble, but the sign-out at your identity provider could "
            "not be confirmed. Close your browser to be sure that you are signed out there too."
        ),
    )
    return redirect("accounts:login")
