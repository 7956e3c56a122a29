"""The dataset catalogue: reads narrowed by the policy, DCAT export, and profiling uploads.

Writes are in ``services.py`` (``dataset_save``, ``dataset_profile_keep``); the profiling itself
is the pure ``profiling.py`` and the DCAT JSON-LD the pure ``dcat.py``.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.accounts.policy import visible_filter
from infuse.errors import UserFacingError

from . import dcat
from .models import Dataset
from .profiling import DIMENSIONS, PERSONAL_LABELS, ProfileError, profile_path

MAX_UPLOAD_BYTES = 200 * 1024 * 1024
SUFFIXES = (".csv", ".csv.gz", ".txt", ".xlsx")

#: Pages show the dimensions, their definitions and measures in the user's language.
DIMENSION_TEXT: dict[str, tuple[Any, Any, Any]] = {
    "completeness": (
        gettext_lazy("Completeness"),
        gettext_lazy("The degree to which all required data is present."),
        gettext_lazy("Filled cells as a share of all cells."),
    ),
    "uniqueness": (
        gettext_lazy("Uniqueness"),
        gettext_lazy("No thing is recorded more than once."),
        gettext_lazy("Rows that are not exact copies of an earlier row, as a share of all rows."),
    ),
    "validity": (
        gettext_lazy("Validity"),
        gettext_lazy("Data conforms to the syntax (format, type, range) of its definition."),
        gettext_lazy("Filled cells that read as their column's type, as a share of filled cells."),
    ),
    "consistency": (
        gettext_lazy("Consistency"),
        gettext_lazy("The same thing is recorded the same way across the data set."),
        gettext_lazy(
            "Filled cells without stray spaces at either end and, in date columns, written in "
            "the column's most common date format, as a share of filled cells."
        ),
    ),
    "timeliness": (
        gettext_lazy("Timeliness"),
        gettext_lazy("The data represents reality at the required point in time."),
        gettext_lazy(
            "From the newest date in the file: full marks up to a year old, falling evenly to "
            "none at five years old; not measured when the file has no date column."
        ),
    ),
    "accuracy": (
        gettext_lazy("Accuracy"),
        gettext_lazy("The data correctly describes the real-world thing it records."),
        gettext_lazy(
            "Accuracy needs a trusted reference to compare with, so the file alone cannot show "
            "it. As a proxy, numbers inside Tukey's fences as a share of all numbers; not "
            "measured when the file has no number column."
        ),
    ),
}
assert set(DIMENSION_TEXT) == {key for key, _d, _m in DIMENSIONS}

PERSONAL_TEXT: dict[str, Any] = {
    "name": gettext_lazy("names"),
    "email": gettext_lazy("email addresses"),
    "phone": gettext_lazy("UK phone numbers"),
    "postcode": gettext_lazy("postcodes"),
    "ni_number": gettext_lazy("National Insurance numbers"),
    "date_of_birth": gettext_lazy("dates of birth"),
}
assert set(PERSONAL_TEXT) == set(PERSONAL_LABELS)

TYPE_TEXT: dict[str, Any] = {
    "integer": gettext_lazy("Whole number"),
    "decimal": gettext_lazy("Number"),
    "date": gettext_lazy("Date"),
    "boolean": gettext_lazy("Yes or no"),
    "text": gettext_lazy("Text"),
    "empty": gettext_lazy("Empty"),
}


class ProfileUploadError(UserFacingError):
    """A file that cannot be profiled, with the reason in the user's language."""


def _message(error: ProfileError) -> str:
    messages = {
        "empty": _("The file has no rows of data under its heading row."),
        "unreadable_csv": _(
            "The file could not be read as a table. Save it as CSV (comma-separated, with a "
            "heading row) or as an Excel workbook (.xlsx) and try again."
        ),
        "unreadable_xlsx": _(
            "The workbook could not be opened. Check it is an Excel workbook (.xlsx) that is "
            "not damaged or password-protected."
        ),
        "too_many_columns": _("The file has too many columns to profile (the most is 500)."),
        "missing_file": _("Choose a file to profile."),
    }
    return messages.get(error.code, messages["unreadable_csv"])


def profile_upload(content: bytes, file_name: str) -> dict[str, Any]:
    """Profile an uploaded file's bytes; a ``ProfileUploadError`` names any problem."""
    name = os.path.basename(file_name or "").lower()
    if not content:
        raise ProfileUploadError(_("The file is empty."))
    if len(content) > MAX_UPLOAD_BYTES:
        raise ProfileUploadError(_("The file is too big to profile here (the most is 200 MB)."))
    if not name.endswith(SUFFIXES):
        raise ProfileUploadError(_("The file must be a CSV file or an Excel workbook (.xlsx)."))
    suffix = ".csv.gz" if name.endswith(".csv.gz") else os.path.splitext(name)[1]
    if suffix == ".txt":
        suffix = ".csv"
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "upload" + suffix)
        with open(path, "wb") as handle:
            handle.write(content)
        try:
            profile = profile_path(path)
        except ProfileError as error:
            raise ProfileUploadError(_message(error)) from error
    profile["file"] = os.path.basename(file_name)[:200]
    return profile


def datasets_visible_to(user: Any, filters: dict[str, str] | None = None) -> QuerySet[Dataset]:
    found = (
        Dataset.objects.filter(visible_filter(user))
        .select_related("owner_body")
        .prefetch_related("themes")
    )
    filters = filters or {}
    if filters.get("q"):
        text = filters["q"]
        found = found.filter(
            Q(title__icontains=text) | Q(description__icontains=text) | Q(keywords__icontains=text)
        )
    for field in ("data_type", "dcat_theme", "access_rights"):
        if filters.get(field):
            found = found.filter(**{field: filters[field]})
    if filters.get("theme"):
        found = found.filter(themes__slug=filters["theme"])
    return found.distinct()


def dataset_for(user: Any, dataset_id: int) -> Dataset | None:
    return (
        Dataset.objects.filter(visible_filter(user), pk=dataset_id)
        .select_related("owner_body")
        .prefetch_related("themes", "questions")
        .first()
    )


def dcat_entry(dataset: Dataset, base: str, user: Any) -> dict[str, Any]:
    """The plain fields ``dcat.dataset_jsonld`` takes; only questions ``user`` may see."""
    from .selectors import questions_visible_to

    question_ids = set(
        questions_visible_to(user)
        .filter(pk__in=[q.pk for q in dataset.questions.all()])
        .values_list("pk", flat=True)
    )
    return {
        "id": dataset.pk,
        "uri": base + reverse("datalab:dataset", args=[dataset.pk]),
        "title": dataset.title,
        "description": dataset.description,
        "publisher": dataset.publisher,
        "contact_name": dataset.contact_name,
        "contact_email": dataset.contact_email,
        "licence": dataset.licence,
        "access_rights": dataset.access_rights,
        "frequency": dataset.frequency,
        "keywords": dataset.keyword_list(),
        "dcat_theme": dataset.dcat_theme,
        "themes": [str(theme) for theme in dataset.themes.all()],
        "data_type": dataset.data_type,
        "data_kind": dataset.data_kind,
        "spatial": dataset.spatial,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "landing_page": dataset.landing_page,
        "modified": dataset.updated_at.isoformat() if dataset.updated_at else None,
        "questions": [base + reverse("datalab:question", args=[pk]) for pk in sorted(question_ids)],
    }


def dataset_dcat(dataset: Dataset, base: str, user: Any) -> dict[str, Any]:
    return dcat.dataset_jsonld(dcat_entry(dataset, base, user))


def catalogue_dcat(user: Any, base: str) -> dict[str, Any]:
    return dcat.catalogue_jsonld(
        [dcat_entry(dataset, base, user) for dataset in datasets_visible_to(user)],
        uri=base + reverse("datalab:datasets"),
        title=_("Infuse Data Lab catalogue"),
    )
