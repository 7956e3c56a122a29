"""Forms of the red-flag pages: a body's settings, and a review of one flag."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from infuse.errors import UserFacingError

from .models import RedFlagReview
from .redflag_services import NOTE_LIMIT
from .redflag_settings import settings_check


class RedFlagSettingsForm(forms.Form):
    settings = forms.CharField(
        label=gettext_lazy("Settings (Cardinal's settings file format)"),
        help_text=gettext_lazy(
            "One [section] per indicator that should run, with “key = value” lines under it; "
            "an indicator without its section does not run. A threshold left out uses the "
            "default shown above."
        ),
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false"}),
        max_length=20_000,
    )

    def clean_settings(self) -> str:
        text: str = self.cleaned_data["settings"]
        try:
            settings_check(text)
        except UserFacingError as error:
            raise forms.ValidationError(str(error)) from None
        return text


class RedFlagReviewForm(forms.Form):
    """A review of one flag; the flag is named by hidden fields as the engine emits it."""

    indicator = forms.CharField(widget=forms.HiddenInput, max_length=16)
    group = forms.CharField(widget=forms.HiddenInput, max_length=20)
    item_id = forms.CharField(widget=forms.HiddenInput, max_length=500, strip=False)
    status = forms.ChoiceField(
        label=gettext_lazy("What did the review find?"),
        choices=RedFlagReview.Status.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        help_text=gettext_lazy("What was checked, and with whom (kept with the review)."),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, flag: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if flag is not None and not args and "data" not in kwargs:
            kwargs["initial"] = {
                "indicator": flag["indicator"],
                "group": flag["group"],
                "item_id": flag["id"],
                "status": flag["review"].status if flag.get("review") else "",
            }
        super().__init__(*args, **kwargs)
