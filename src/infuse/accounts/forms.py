from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from . import services


class SignInForm(AuthenticationForm):
    """Sign-in that stops answering for an account name after repeated failures."""

    error_messages = {
        "invalid_login": _("Enter a correct username and password. Both are case-sensitive."),
        "inactive": _("This account has been closed."),
        "locked": _(
            "Too many failed attempts to sign in to this account. Wait 15 minutes, then try "
            "again, or reset your password."
        ),
    }

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        if username and services.sign_in_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                services.sign_in_failure_record(username)
            raise
        services.sign_in_failures_clear(username)
        return cleaned


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        help_text=_("Say what the token is for, for example 'monthly spend import script'."),
        max_length=100,
    )


class LanguagePreferenceForm(forms.Form):
    preferred_language = forms.ChoiceField(
        label=_("Language for pages and emails"),
        choices=[("en", "English"), ("cy", "Cymraeg")],
        widget=forms.RadioSelect,
    )
