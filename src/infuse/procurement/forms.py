from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.accounts.models import Visibility
from infuse.reference.models import Body
from infuse.web.forms import MultipleFileField

from .ledger_columns import REQUIRED_ROLES, ROLE_LABELS, ROLES

ALLOWED_SUFFIXES = (".csv", ".xlsx", ".ods", ".xls", ".csv.gz", ".txt")


class ForOwnBodyForm(forms.Form):
    """A form that loads a file for the user's own body; a member of the delivery team (who
    belongs to no body) chooses one in the ``body`` field."""

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user.body_id is not None:
            del self.fields["body"]
        else:
            self.fields["body"].required = True
            self.fields["body"].label_from_instance = lambda body: str(body.name)  # type: ignore[attr-defined]

    def chosen_body(self) -> Body:
        return self.user.body if self.user.body_id is not None else self.cleaned_data["body"]


class SpendUploadForm(ForOwnBodyForm):
    spend_files = MultipleFileField(
        label=gettext_lazy("Spend files"),
        help_text=gettext_lazy(
            "Choose one or more files: CSV, XLSX or ODS (also gzipped CSV), up to 200 MB each, "
            "in any layout. Each file is imported whole or not at all."
        ),
    )
    body = forms.ModelChoiceField(
        label=gettext_lazy("Public body that published the files"),
        queryset=Body.objects.order_by("name_en"),
        required=False,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see the analysis"),
        choices=Visibility.choices,
        initial=Visibility.REGIONAL,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Spend over £500 is published openly, so sharing with the region is the usual choice. "
            "Names of individuals are always withheld from lists."
        ),
    )

    def clean_spend_files(self) -> list[Any]:
        files = self.cleaned_data["spend_files"]
        for upload in files:
            name = upload.name.lower()
            if not name.endswith(ALLOWED_SUFFIXES):
                raise forms.ValidationError(
                    _("%(file)s is not a CSV, XLSX or ODS file.") % {"file": upload.name}
                )
            if upload.size > 200 * 1024 * 1024:
                raise forms.ValidationError(
                    _("%(file)s is larger than 200 MB.") % {"file": upload.name}
                )
        return files


class SpendFilterForm(forms.Form):
    body = forms.ChoiceField(label=gettext_lazy("Public body"), required=False)
    date_from = forms.DateField(
        label=gettext_lazy("Paid from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    date_to = forms.DateField(
        label=gettext_lazy("Paid up to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    department = forms.CharField(
        label=gettext_lazy("Department or service"), required=False, max_length=300
    )
    category = forms.CharField(label=gettext_lazy("Category"), required=False, max_length=300)
    supplier = forms.CharField(label=gettext_lazy("Supplier"), required=False, max_length=300)

    def __init__(self, *args: Any, bodies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = [("", _("All bodies you can see")), *bodies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date must be on or after the start date."))
        return cleaned


class ColumnMappingForm(forms.Form):
    """One choice per role: which column of the file holds it (or none)."""

    def __init__(
        self, *args: Any, columns: list[dict[str, Any]], proposal: dict[str, Any], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        options = [("", _("Not in this file"))] + [
            (str(c["position"]), f"{c['position'] + 1}: {c['label']}") for c in columns
        ]
        for role in ROLES:
            guess = proposal.get(role)
            self.fields[role] = forms.ChoiceField(
                label=_first_upper(_(ROLE_LABELS[role])),
                choices=options,
                required=role in REQUIRED_ROLES and role != "payment_date",
                initial=str(guess["position"]) if guess else "",
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        used: dict[str, str] = {}
        for role in ROLES:
            position = cleaned.get(role)
            if not position:
                continue
            if position in used:
                self.add_error(
                    role,
                    _("This column is already chosen for the %(other)s.")
                    % {"other": _(ROLE_LABELS[used[position]])},
                )
            used[position] = role
        return cleaned

    def mapping(self) -> dict[str, int | None]:
        return {
            role: int(self.cleaned_data[role]) if self.cleaned_data.get(role) else None
            for role in ROLES
        }


def _first_upper(text: str) -> str:
    """Capitalise the first letter only, so abbreviations such as VAT or TAW stay as they are."""
    return text[:1].upper() + text[1:]


class SupplierFilterForm(forms.Form):
    """Which body's suppliers, narrowed by a search and a view."""

    SHOW_CHOICES = (
        ("all", gettext_lazy("All suppliers")),
        ("review", gettext_lazy("To check: joined by a close match")),
        ("confirmed", gettext_lazy("Confirmed by an analyst")),
        ("unknown_size", gettext_lazy("Size unknown")),
    )

    body = forms.ChoiceField(label=gettext_lazy("Public body"), required=False)
    q = forms.CharField(
        label=gettext_lazy("Search suppliers"),
        help_text=gettext_lazy("Any spelling of the name, a company or VAT number, or a postcode"),
        required=False,
        max_length=200,
    )
    show = forms.ChoiceField(
        label=gettext_lazy("Show"), choices=SHOW_CHOICES, required=False, initial="all"
    )
    PLACE_CHOICES = (
        ("", gettext_lazy("Anywhere")),
        ("authority", gettext_lazy("In the authority's area")),
        ("region", gettext_lazy("Elsewhere in the region")),
        ("wales", gettext_lazy("Elsewhere in Wales")),
        ("outside", gettext_lazy("Outside Wales")),
        ("unknown", gettext_lazy("Place unknown")),
    )
    place = forms.ChoiceField(
        label=gettext_lazy("Where the supplier is"),
        help_text=gettext_lazy("By the supplier's postcode, as the local share counts it"),
        choices=PLACE_CHOICES,
        required=False,
    )

    def __init__(
        self, *args: Any, bodies: list[tuple[str, str]], withheld: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].choices = bodies  # type: ignore[attr-defined]
        if withheld:
            self.fields["show"].choices = [  # type: ignore[attr-defined]
                *self.SHOW_CHOICES,
                ("withheld", _("Withheld: individuals and redacted names")),
            ]


class SupplierListUploadForm(forms.Form):
    supplier_list = forms.FileField(
        label=gettext_lazy("Supplier list"),
        help_text=gettext_lazy(
            "A CSV, XLSX or ODS file, up to 20 MB, with one row per supplier: a column of "
            "supplier names and at least one of company number, VAT number, postcode, SME "
            "(yes or no) and SIC codes."
        ),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see what the list adds"),
        choices=Visibility.choices,
        initial=Visibility.REGIONAL,
        widget=forms.RadioSelect,
    )

    def clean_supplier_list(self) -> Any:
        upload = self.cleaned_data["supplier_list"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError(
                _("%(file)s is not a CSV, XLSX or ODS file.") % {"file": upload.name}
            )
        if upload.size > 20 * 1024 * 1024:
            raise forms.ValidationError(_("%(file)s is larger than 20 MB.") % {"file": upload.name})
        return upload


class ContractUploadForm(ForOwnBodyForm):
    """An OCDS file of contract notices (Sell2Wales, Contracts Finder, Find a Tender) or a
    contracts register (CSV or spreadsheet), told apart by content."""

    contract_file = forms.FileField(
        label=gettext_lazy("Contract data file (OCDS or contracts register)"),
        help_text=gettext_lazy(
            "A release package, record package, compiled release or JSON-lines file in the "
            "Open Contracting Data Standard, as downloaded from Sell2Wales, Contracts Finder or "
            "Find a Tender; or a council's contracts register as CSV or a spreadsheet (with "
            "headings such as Contract Reference, Contract Title, Supplier, Value, Start Date "
            "and End Date). Up to 200 MB. The same file twice changes nothing."
        ),
    )
    body = forms.ModelChoiceField(
        label=gettext_lazy("Public body the contracts belong to"),
        queryset=Body.objects.order_by("name_en"),
        required=False,
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Who can see the contracts"),
        choices=Visibility.choices,
        initial=Visibility.REGIONAL,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Contract notices are published openly, so sharing with the region is the usual "
            "choice: it lets other bodies find contracts to collaborate on."
        ),
    )


class ContractFilterForm(forms.Form):
    body = forms.ChoiceField(label=gettext_lazy("Public body"), required=False)
    ending = forms.ChoiceField(
        label=gettext_lazy("Ending"),
        required=False,
        choices=[
            ("", gettext_lazy("Any time")),
            ("6", gettext_lazy("In the next 6 months")),
            ("12", gettext_lazy("In the next 12 months")),
            ("18", gettext_lazy("In the next 18 months")),
        ],
    )
    q = forms.CharField(label=gettext_lazy("Title, buyer or supplier contains"), required=False)

    def __init__(self, *args: Any, bodies: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        body = self.fields["body"]
        assert isinstance(body, forms.ChoiceField)
        body.choices = [("", _("All bodies")), *bodies]
