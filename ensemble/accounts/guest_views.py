"""Pages of external users: accept an invitation, sign in with a code sent by e-mail."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ensemble.accounts import actions, guests
from ensemble.accounts.forms import CodeForm
from ensemble.core.audit import client_ip
from ensemble.core.forms import DsfrForm
from ensemble.core.ratelimit import limited_posts

CODE_EMAIL = "accounts.code_email"


class EmailForm(DsfrForm, forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)


def invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = guests.find_invitation(token)
    except actions.ActionRefused as refusal:
        context = {"message": str(refusal)}
        return render(request, "accounts/invitation_invalid.html", context, status=404)
    if request.method == "POST":
        try:
            guests.accept(request, invitation)
        except actions.ActionRefused as refusal:
            return render(
                request, "accounts/invitation_invalid.html", {"message": str(refusal)}, status=400
            )
        if request.user.is_authenticated and request.user.email == invitation.email:
            return redirect("/")
        guests.send_sign_in_code(invitation.email)
        request.session[CODE_EMAIL] = invitation.email
        messages.success(request, _("Invitation accepted. We sent you a code to sign in."))
        return redirect("accounts:code_verify")
    return render(request, "accounts/invitation.html", {"invitation": invitation})


@limited_posts("accounts.code")
def code_request_view(request: HttpRequest) -> HttpResponse:
    form = EmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        guests.send_sign_in_code(form.cleaned_data["email"])
        request.session[CODE_EMAIL] = form.cleaned_data["email"].strip().lower()
        return redirect("accounts:code_verify")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/code_request.html", {"form": form}, status=status)


def code_verify_view(request: HttpRequest) -> HttpResponse:
    email = request.session.get(CODE_EMAIL)
    if not email:
        return redirect("accounts:code_request")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            # Refused while locked, audited below as a failure.
            actions.check_not_locked(request, email, audit_refusal=False)
            user = guests.check_sign_in_code(email, form.cleaned_data["code"])
        except actions.ActionRefused as refusal:
            actions.record_failed_sign_in(request, email, "wrong e-mailed code")
            form.add_error(None, str(refusal))
        else:
            del request.session[CODE_EMAIL]
            actions.sign_in(request, user, method="email_code")
            response = redirect("/")
            response.set_cookie("django_language", user.language, samesite="Lax")
            return response
    status = 400 if request.method == "POST" else 200
    context = {
        "form": form,
        "email": email,
        "ip": client_ip(request),
        "again": reverse("accounts:code_request"),
    }
    return render(request, "accounts/code_verify.html", context, status=status)
