"""Template tags that render Django form fields with GOV.UK Frontend markup.

They keep every form accessible in the same way: a label tied to its input, hints and errors
linked with ``aria-describedby``, and an error summary that links to each field in error.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS

register = template.Library()


def _kind(widget: forms.Widget) -> str:
    # CheckboxSelectMultiple is a subclass of RadioSelect in Django, so it is asked about first;
    # otherwise a many-choice field renders as radios and only one choice can be ticked.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.ClearableFileInput | forms.FileInput):
        return "file"
    return "input"


@register.inclusion_tag("web/includes/field.html")
def govuk_field(
    field: forms.BoundField, label_class: str = "govuk-label--s", width: str = ""
) -> dict[str, Any]:
    widget = field.field.widget
    input_type = getattr(widget, "input_type", "text")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    return {
        "field": field,
        "kind": _kind(widget),
        "input_type": input_type,
        "label_class": label_class,
        "width_class": f"govuk-input--width-{width}" if width else "",
        "described_by": " ".join(described_by),
        "value": field.value() if field.value() is not None else "",
        "autocomplete": widget.attrs.get("autocomplete", ""),
    }


@register.inclusion_tag("web/includes/error_summary.html")
def govuk_error_summary(*forms_with_errors: forms.BaseForm) -> dict[str, Any]:
    items: list[dict[str, str]] = []
    for form in forms_with_errors:
        if form is None or not form.is_bound:
            continue
        for error in form.non_field_errors():
            items.append({"href": "", "text": str(error)})
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            bound = form[name]
            for error in errors:
                items.append({"href": f"#{bound.auto_id}", "text": str(error)})
    return {"items": items}
