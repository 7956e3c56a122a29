from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from infuse.web.forms import MultipleFileField

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


MAX_LOOKUP_FILE_BYTES = 300 * 1024 * 1024


class PostcodeLookupForm(forms.Form):
    lookup_files = MultipleFileField(
        label=_("Files of the ONS postcode lookup"),
        help_text=_(
            "The National Statistics Postcode Lookup's CSV file for each postcode area you need "
            "(for Wales, CF, CH, LD, LL, NP, SA and SY), up to 300 MB each. The columns pcds, "
            "laua and ctry are read; districts in other areas keep the table that comes with "
            "Infuse."
        ),
    )

    def clean_lookup_files(self) -> list[Any]:
        uploads = self.cleaned_data["lookup_files"]
        for upload in uploads:
            if upload.size > MAX_LOOKUP_FILE_BYTES:
                raise forms.ValidationError(
                    _("%(file)s is larger than 300 MB.") % {"file": upload.name}
                )
            if not upload.name.lower().endswith(".csv"):
                raise forms.ValidationError(
                    _("%(file)s is not a CSV file.") % {"file": upload.name}
                )
        return list(uploads)
