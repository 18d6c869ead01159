from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.models import User
from ensemble.core.forms import DsfrForm


class SignInForm(DsfrForm, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(DsfrForm, forms.Form):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{3}\s*\d{3}\s*$",
        error_messages={"invalid": _("Enter the 6 digits shown by your authenticator app.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ProfileForm(DsfrForm, forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["full_name", "language"]


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class ResetRequestForm(DsfrForm, PasswordResetForm):
    pass


class NewPasswordForm(DsfrForm, SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        from ensemble.accounts.actions import password_was_reset

        user = super().save(commit)
        password_was_reset(user)
        return user
