"""Forms of the spend categories pages: a rule, and a correction of a line's category."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import CategoryCorrection

RULE_FIELD_LABELS = {
    "expense_type": _("Expense type"),
    "description": _("Description"),
    "supplier_name": _("Supplier name"),
}


class CategoryRuleForm(forms.Form):
    name = forms.CharField(label=_("Name of the rule"), max_length=100)
    field = forms.ChoiceField(label=_("Column"), choices=list(RULE_FIELD_LABELS.items()))
    pattern = forms.CharField(
        label=_("Words to look for"),
        max_length=300,
        help_text=_("A regular expression, not case-sensitive, for example: agency|locum"),
    )
    category_code = forms.ChoiceField(label=_("Category"))
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=10000,
        initial=100,
        help_text=_("Rules with a lower number are tried first."),
    )
    enabled = forms.BooleanField(label=_("Use this rule"), required=False, initial=True)

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [("", _("Choose a category")), *choices]  # type: ignore[attr-defined]


class CategoryCorrectionForm(forms.Form):
    scope = forms.ChoiceField(
        label=_("Which lines"),
        choices=CategoryCorrection.Scope.choices,
        widget=forms.RadioSelect,
        initial=CategoryCorrection.Scope.LINE,
    )
    category_code = forms.ChoiceField(label=_("Category"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category_code"].choices = [("", _("Choose a category")), *choices]  # type: ignore[attr-defined]
