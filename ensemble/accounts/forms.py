from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _

from ensemble.accounts.models import TokenScope, User
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
        fields = ["full_name", "language", "share_read_receipts"]
        help_texts = {
            "share_read_receipts": _(
                "In small rooms, others see when you have read their messages. Turned off, "
                "you do not see theirs either."
            )
        }


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=settings.LANGUAGES)
    next = forms.CharField(required=False, max_length=2000)


class TotpOffForm(DsfrForm, forms.Form):
    """Turning the second factor off asks for the password or a current code."""

    password = forms.CharField(
        label=_("Your password"),
        required=False,
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label=_("or a 6-digit code from your authenticator app"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class ResetRequestForm(DsfrForm, PasswordResetForm):
    def get_users(self, email: str) -> Iterator[Any]:
        """Only accounts whose address is confirmed: an address an operator set has not yet
        been shown to belong to the person (User.email_verified)."""
        return (user for user in super().get_users(email) if user.email_verified)


class NewPasswordForm(DsfrForm, SetPasswordForm):
    def save(self, commit: bool = True) -> Any:
        from ensemble.accounts.actions import password_was_reset

        user = super().save(commit)
        password_was_reset(user)
        return user


class TokenForm(DsfrForm, forms.Form):
    name = forms.CharField(label=_("Name (what the token is for)"), max_length=100)
    scopes = forms.MultipleChoiceField(
        label=_("What it may do"),
        choices=[
            (TokenScope.READ, TokenScope.READ.label),
            (TokenScope.WRITE, TokenScope.WRITE.label),
        ],
        widget=forms.CheckboxSelectMultiple,
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[(7, _("7 days")), (30, _("30 days")), (90, _("90 days")), (365, _("1 year"))],
    )

    def __init__(self, *args: Any, staff: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if staff:
            field = self.fields["scopes"]
            field.choices = [*field.choices, (TokenScope.SCIM, TokenScope.SCIM.label)]  # type: ignore[attr-defined]
