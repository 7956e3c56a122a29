from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_BODIES_FILE_BYTES = 1024 * 1024


class BodiesFileForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of public bodies"),
        help_text=_(
            "A header row with at least the columns code and name_en; optional columns are "
            "name_cy, kind, region, nation, programme_member, lead and source. Up to 1 MB."
        ),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BODIES_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("The file must be a CSV file."))
        return upload
