from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    action = forms.CharField(label=_("Action contains"), required=False, max_length=100)
    target_type = forms.ChoiceField(label=_("Record type"), required=False)
    body = forms.ChoiceField(label=_("Public body"), required=False)
    date_from = forms.DateField(
        label=_("From (YYYY-MM-DD)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (YYYY-MM-DD)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: object,
        target_types: list[str],
        bodies: list[tuple[str, str]],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["target_type"].choices = [("", _("Any")), *[(t, t) for t in target_types]]  # type: ignore[attr-defined]
        self.fields["body"].choices = [("", _("Any")), *bodies]  # type: ignore[attr-defined]
