"""Sign-in, two-factor step, sign-out, profile, security (sessions, TOTP) and language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ensemble.accounts import actions
from ensemble.accounts.forms import (
    CodeForm,
    LanguageForm,
    ProfileForm,
    SignInForm,
    TokenForm,
    TotpOffForm,
)
from ensemble.accounts.models import ApiToken, User, UserSession

TOTP_PENDING = "accounts.totp_pending"
NEW_TOKEN = "accounts.new_token"  # noqa: S105 (a session key, not a secret)
TOTP_PENDING_SECONDS = 300


def signed_in(request: HttpRequest) -> User:
    """The user of a view behind login_required."""
    return cast(User, request.user)


def safe_next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _finish_sign_in(request: HttpRequest, user: User, method: str, target: str) -> HttpResponse:
    actions.sign_in(request, user, method)
    response = redirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
    return response


def sign_in_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(safe_next_url(request))
    form = SignInForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and not settings.LOCAL_LOGIN_ENABLED:
        form.full_clean()
        form.add_error(
            None, _("Sign-in with a password is turned off: use your identity provider.")
        )
    elif request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        try:
            actions.check_not_locked(request, email)
            user = authenticate(request, email=email, password=form.cleaned_data["password"])
            if user is None:
                actions.record_failed_sign_in(request, email, "wrong credentials")
                actions.check_not_locked(request, email, audit_refusal=False)
                raise actions.ActionRefused(_("E-mail address or password is incorrect."))
        except actions.ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            if user.totp_enabled:
                request.session[TOTP_PENDING] = {
                    "user": str(user.pk),
                    "since": timezone.now().timestamp(),
                    "next": safe_next_url(request),
                }
                return redirect("accounts:login_totp")
            return _finish_sign_in(request, user, "password", safe_next_url(request))
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "next": safe_next_url(request),
        "providers": settings.OIDC_PROVIDERS.values(),
        "local_login": settings.LOCAL_LOGIN_ENABLED,
    }
    return render(request, "accounts/sign_in.html", context, status=status)


def sign_in_totp_view(request: HttpRequest) -> HttpResponse:
    pending: dict[str, Any] | None = request.session.get(TOTP_PENDING)
    if not pending or timezone.now().timestamp() - pending["since"] > TOTP_PENDING_SECONDS:
        request.session.pop(TOTP_PENDING, None)
        messages.error(request, _("Your sign-in took too long. Please start again."))
        return redirect("accounts:login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.check_not_locked(request, user.email)
            if not actions.verify_totp(user, form.cleaned_data["code"]):
                actions.record_failed_sign_in(request, user.email, "wrong second factor")
                actions.check_not_locked(request, user.email, audit_refusal=False)
                raise actions.ActionRefused(_("This code is not valid. Try the next one."))
        except actions.ActionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            del request.session[TOTP_PENDING]
            return _finish_sign_in(request, user, "password+totp", pending.get("next", "/"))
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/sign_in_totp.html", {"form": form}, status=status)


def admin_sign_in_view(request: HttpRequest) -> HttpResponse:
    """/admin/login/: the administration signs in through the sign-in page, with its lock-out,
    second factor and audit, rather than with a form of its own that has none of them."""
    target = safe_next_url(request)
    if target == "/":
        target = reverse("admin:index")
    if request.user.is_authenticated:
        if not request.user.is_staff:  # sent back here by the admin: no way round
            raise PermissionDenied(_("This account may not use the administration site."))
        return redirect(target)
    return redirect(f"{reverse('accounts:login')}?{urlencode({'next': target})}")


@require_POST
def sign_out_view(request: HttpRequest) -> HttpResponse:
    from ensemble.accounts.oidc.views import go_to_provider_logout, provider_logout

    # Signed in through a provider: end its session too (RP-initiated logout).
    at_provider = provider_logout(request)
    actions.sign_out(request)
    if at_provider:
        return go_to_provider_logout(request, *at_provider)
    messages.success(request, _("You are signed out."))
    return redirect("accounts:login")


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = ProfileForm(request.POST if request.method == "POST" else None, instance=user)
    if request.method == "POST" and form.is_valid():
        actions.update_profile(request, user, form.cleaned_data)
        translation.activate(user.language)
        messages.success(request, _("Your profile is saved."))
        response = redirect("accounts:profile")
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, user.language, samesite="Lax")
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    context: dict[str, Any] = {
        "sessions": user.browser_sessions.all(),
        "current_key": request.session.session_key,
        "code_form": CodeForm(),
        "totp_off_form": TotpOffForm(),
        "tokens": ApiToken.objects.filter(user=user),
        "token_form": TokenForm(staff=user.is_staff),
        "new_token": request.session.pop(NEW_TOKEN, None),
    }
    if not user.totp_enabled and user.totp_secret:
        context["totp_qr"] = segno.make(actions.totp_uri(user)).svg_inline(scale=4)
        context["totp_secret"] = user.totp_secret
    return render(request, "accounts/security.html", context)


@login_required
@require_POST
def token_create_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = TokenForm(request.POST, staff=user.is_staff)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(str(error) for error in errors))
        return redirect("accounts:security")
    _token, value = actions.create_api_token(
        request,
        user,
        form.cleaned_data["name"],
        sorted(form.cleaned_data["scopes"]),
        form.cleaned_data["expires_in_days"],
    )
    request.session[NEW_TOKEN] = value  # shown on the next page, once
    return redirect(reverse("accounts:security") + "#tokens")


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: str) -> HttpResponse:
    user = signed_in(request)
    actions.revoke_api_token(request, user, get_object_or_404(ApiToken, pk=pk, user=user))
    messages.success(request, _("The token is revoked: it no longer works."))
    return redirect(reverse("accounts:security") + "#tokens")


@login_required
@require_POST
def totp_start_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not user.totp_enabled:
        actions.start_totp(user)
    return redirect("accounts:security")


def back_to_security(request: HttpRequest, act: Callable[[], object], done: str) -> HttpResponse:
    """Do what the Security page asked, say how it went there, and go back to it."""
    try:
        act()
    except actions.ActionRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("accounts:security")


@login_required
@require_POST
def totp_confirm_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = CodeForm(request.POST)

    def enable() -> None:
        if not form.is_valid():
            raise actions.ActionRefused(_("Enter the 6 digits shown by your authenticator app."))
        actions.enable_totp(request, user, form.cleaned_data["code"])

    return back_to_security(request, enable, _("Two-factor authentication is on."))


@login_required
@require_POST
def totp_disable_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = TotpOffForm(request.POST)
    form.is_valid()  # both fields are optional: the action says what is missing
    data = getattr(form, "cleaned_data", {})
    return back_to_security(
        request,
        lambda: actions.disable_totp(
            request, user, password=data.get("password", ""), code=data.get("code", "")
        ),
        _("Two-factor authentication is off."),
    )


@login_required
def email_confirm_view(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: confirms it for the signed-in person (login_required
    sends anyone else to sign in first, then back here)."""
    return back_to_security(
        request,
        lambda: actions.confirm_email(request, signed_in(request), token),
        _("Your e-mail address is confirmed."),
    )


@login_required
@require_POST
def email_confirm_send_view(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    if not user.email_verified:
        actions.send_email_confirmation(user)
        messages.success(
            request, _("A confirmation link was sent to %(email)s.") % {"email": user.email}
        )
    return redirect("accounts:security")


@login_required
@require_POST
def session_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(UserSession, pk=pk, user=request.user)
    actions.revoke_session(request, signed_in(request), session)
    if session.session_key == request.session.session_key:
        return redirect("accounts:login")
    messages.success(request, _("That session is ended."))
    return redirect("accounts:security")


@require_POST
def language_view(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the profile of a signed-in user."""
    form = LanguageForm(request.POST)
    if not form.is_valid():
        return HttpResponse(_("Unknown language."), status=400, content_type="text/plain")
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        actions.update_profile(request, signed_in(request), {"language": language})
    target = form.cleaned_data["next"]
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
    return response
