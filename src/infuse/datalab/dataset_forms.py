"""Forms of the dataset catalogue and the profiling upload."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from infuse.reference.models import Theme

from .models import AccessRights, DataQuestion, Dataset, DataType, DcatTheme

DATASET_FORM_FIELDS = [
    "title",
    "description",
    "publisher",
    "contact_name",
    "contact_email",
    "licence",
    "access_rights",
    "spatial",
    "temporal_start",
    "temporal_end",
    "frequency",
    "keywords",
    "dcat_theme",
    "themes",
    "data_type",
    "data_kind",
    "landing_page",
    "questions",
    "visibility",
]


class DatasetForm(forms.ModelForm):
    """A catalogue entry: the DCAT metadata, the Infuse themes and the type of data."""

    landing_page = forms.URLField(
        label=gettext_lazy("web page"), required=False, assume_scheme="https"
    )

    class Meta:
        model = Dataset
        fields = DATASET_FORM_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "temporal_start": forms.DateInput(attrs={"type": "date"}),
            "temporal_end": forms.DateInput(attrs={"type": "date"}),
            "access_rights": forms.RadioSelect,
            "data_type": forms.RadioSelect,
            "data_kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "questions": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "publisher": gettext_lazy("The organisation that publishes or holds the data."),
            "contact_name": gettext_lazy("A team or role people can ask about the data."),
            "spatial": gettext_lazy("For example “Cardiff” or “Wales, by local authority”."),
            "keywords": gettext_lazy("Separate keywords with commas."),
            "dcat_theme": gettext_lazy("The European data theme, so other catalogues can file it."),
            "questions": gettext_lazy("Data questions this dataset helps to answer."),
        }

    def __init__(self, *args: Any, questions: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        themes_field: Any = self.fields["themes"]
        themes_field.queryset = Theme.objects.all()
        questions_field: Any = self.fields["questions"]
        questions_field.queryset = (
            questions if questions is not None else DataQuestion.objects.none()
        )
        self.fields["questions"].required = False
        self.fields["themes"].required = False

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in DATASET_FORM_FIELDS
            if name not in {"themes", "questions"}
        }


class ProfileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File to profile"),
        help_text=gettext_lazy(
            "A CSV file with a heading row, or an Excel workbook (.xlsx; the first sheet is read)."
        ),
    )


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False)
    data_type = forms.ChoiceField(
        label=gettext_lazy("Type of data"),
        required=False,
        choices=[("", gettext_lazy("All")), *DataType.choices],
    )
    dcat_theme = forms.ChoiceField(
        label=gettext_lazy("DCAT theme"),
        required=False,
        choices=[("", gettext_lazy("All")), *DcatTheme.choices],
    )
    access_rights = forms.ChoiceField(
        label=gettext_lazy("Access rights"),
        required=False,
        choices=[("", gettext_lazy("All")), *AccessRights.choices],
    )
