"""Forms of the supply-chain carbon pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from . import carbon
from .models import SupplierEmissions

FIELD_LABELS = {
    "supplier_name": _("Supplier name"),
    "expense_type": _("Expense type"),
    "category_label": _("Category label"),
    "category_code": _("Category code"),
    "description": _("Description"),
    "department": _("Department"),
}


class CarbonFilterForm(forms.Form):
    body = forms.ChoiceField(label=_("Body"), required=False)
    year = forms.ChoiceField(label=_("Financial year"), required=False)

    def __init__(self, *args: Any, bodies: list[tuple[str, str]], years: list[int], **kwargs: Any):
        super().__init__(*args, **kwargs)
        everyone = [("", _("All bodies you can see")), *bodies]
        self.fields["body"].choices = everyone  # type: ignore[attr-defined]
        year_choices = [("", _("All years"))] + [(str(y), f"{y}–{str(y + 1)[-2:]}") for y in years]
        self.fields["year"].choices = year_choices  # type: ignore[attr-defined]


class FactorSetUploadForm(forms.Form):
    file = forms.FileField(label=_("Factor file (CSV, XLSX or ODS)"))
    name = forms.CharField(label=_("Name"), max_length=200)
    version = forms.CharField(label=_("Version"), max_length=50)
    base_year = forms.IntegerField(label=_("Price base year"), min_value=1990, max_value=2100)
    source = forms.CharField(label=_("Source"), widget=forms.Textarea(attrs={"rows": 3}))
    source_url = forms.URLField(label=_("Source address"), required=False, assume_scheme="https")
    licence = forms.CharField(label=_("Licence"), max_length=200)


class ExclusionRuleForm(forms.Form):
    field = forms.ChoiceField(
        label=_("Column"), choices=[(f, FIELD_LABELS[f]) for f in carbon.EXCLUSION_FIELDS]
    )
    pattern = forms.CharField(
        label=_("Words to look for"),
        max_length=300,
        help_text=_("A regular expression, not case-sensitive, for example: rates|levy"),
    )
    reason = forms.CharField(label=_("Reason for leaving it out"), max_length=200)


class SupplierEmissionsForm(forms.Form):
    cluster_id = forms.ChoiceField(label=_("Supplier"))
    kind = forms.ChoiceField(label=_("Kind of figure"), choices=SupplierEmissions.Kind.choices)
    reported_tco2e = forms.DecimalField(
        label=_("Reported emissions (tCO2e)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=3,
    )
    revenue_gbp = forms.DecimalField(
        label=_("Revenue (£)"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    kgco2e_per_gbp = forms.FloatField(
        label=_("Emissions per £ (kgCO2e)"), required=False, min_value=0, max_value=100
    )
    year = forms.IntegerField(label=_("Year of the figure"), min_value=1990, max_value=2100)
    source = forms.CharField(label=_("Source"), max_length=500)

    def __init__(self, *args: Any, suppliers: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["cluster_id"].choices = suppliers  # type: ignore[attr-defined]


# The standard exclusion rules' reasons (``carbon.STANDARD_EXCLUSIONS``), for the catalogue.
STANDARD_REASONS = (
    gettext_noop("Refunds and credit notes"),
    gettext_noop("Salaries and staff costs"),
    gettext_noop("Pensions"),
    gettext_noop("Grants"),
    gettext_noop("Payments to other public bodies"),
    gettext_noop("Internal recharges"),
    gettext_noop("Taxes, rates and levies"),
)


class ScenarioForm(forms.Form):
    name = forms.CharField(label=_("Name of the scenario"), max_length=200)
    base_year = forms.ChoiceField(label=_("Baseline financial year"))
    shift_category = forms.ChoiceField(
        label=_("Move spend in this category to lower-carbon suppliers"), required=False
    )
    shift_percent = forms.IntegerField(
        label=_("Percentage of that spend moved"), required=False, min_value=1, max_value=100
    )
    shift_intensity = forms.FloatField(
        label=_("Emissions per £ of the new suppliers (kgCO2e)"),
        required=False,
        min_value=0,
        max_value=100,
    )
    supplier = forms.ChoiceField(label=_("A supplier cuts its emissions per £"), required=False)
    supplier_percent = forms.IntegerField(
        label=_("Percentage cut by 2030"), required=False, min_value=1, max_value=100
    )
    reduce_category = forms.ChoiceField(label=_("Spend less in this category"), required=False)
    reduce_percent = forms.IntegerField(
        label=_("Percentage less spent by 2030"), required=False, min_value=1, max_value=100
    )

    def __init__(
        self,
        *args: Any,
        years: list[int],
        categories: list[str],
        suppliers: list[str],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["base_year"].choices = [(str(y), f"{y}–{str(y + 1)[-2:]}") for y in years]  # type: ignore[attr-defined]
        none = [("", _("None"))]
        self.fields["shift_category"].choices = none + [(c, c) for c in categories]  # type: ignore[attr-defined]
        self.fields["reduce_category"].choices = none + [(c, c) for c in categories]  # type: ignore[attr-defined]
        self.fields["supplier"].choices = none + [(s, s) for s in suppliers]  # type: ignore[attr-defined]

    def levers(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        levers = []
        if data.get("shift_category") and data.get("shift_percent"):
            levers.append(
                {
                    "kind": "shift",
                    "target": data["shift_category"],
                    "share": data["shift_percent"] / 100,
                    "intensity": data.get("shift_intensity") or 0.0,
                }
            )
        if data.get("supplier") and data.get("supplier_percent"):
            levers.append(
                {
                    "kind": "supplier",
                    "target": data["supplier"],
                    "share": data["supplier_percent"] / 100,
                }
            )
        if data.get("reduce_category") and data.get("reduce_percent"):
            levers.append(
                {
                    "kind": "reduce",
                    "target": data["reduce_category"],
                    "share": data["reduce_percent"] / 100,
                }
            )
        return levers


# The factor-file reader's refusals (``carbon.FactorSetError``), for the catalogue.
FACTOR_FILE_MESSAGES = (
    gettext_noop("The file could not be read as a spreadsheet."),
    gettext_noop("The file is not text in a known encoding."),
    gettext_noop("The file is not a CSV or spreadsheet of factors."),
    gettext_noop("The file is empty."),
    gettext_noop(
        "No column of kgCO2e per £ was found (a heading such as 'ghg_kgco2e_per_gbp' or "
        "'kgCO2e per £')."
    ),
    gettext_noop("No row has both a SIC code and a factor."),
)
