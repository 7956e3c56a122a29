"""Forms of the programme. Labels and hints are written for facilitators and managers."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from infuse.reference.models import Lab

from .models import SessionFile, SessionMode

DATE = forms.DateInput(attrs={"type": "date"})


class _PeopleChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class IntakeForm(forms.Form):
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200)
    name_cy = forms.CharField(label=gettext_lazy("Name in Welsh"), max_length=200)
    starts_on = forms.DateField(label=gettext_lazy("Starts on (YYYY-MM-DD)"), widget=DATE)


class CohortForm(forms.Form):
    lab = forms.ModelChoiceField(
        label=gettext_lazy("Lab"), queryset=Lab.objects.all(), widget=forms.RadioSelect
    )
    name_en = forms.CharField(label=gettext_lazy("Name in English"), max_length=200)
    name_cy = forms.CharField(label=gettext_lazy("Name in Welsh"), max_length=200)
    starts_on = forms.DateField(
        label=gettext_lazy("First session (YYYY-MM-DD)"),
        help_text=gettext_lazy("One session a week follows for the six weeks of the lab."),
        widget=DATE,
    )
    facilitator = _PeopleChoice(label=gettext_lazy("Lead facilitator"), queryset=None)
    mode = forms.ChoiceField(
        label=gettext_lazy("How the sessions run"),
        choices=SessionMode.choices,
        widget=forms.RadioSelect,
        initial=SessionMode.IN_PERSON,
    )

    def __init__(self, *args: Any, facilitators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitator = self.fields["facilitator"]
        assert isinstance(facilitator, forms.ModelChoiceField)
        facilitator.queryset = facilitators
        lab = self.fields["lab"]
        assert isinstance(lab, forms.ModelChoiceField)
        lab.label_from_instance = lambda item: str(item.name)  # type: ignore[method-assign,assignment]


class SessionForm(forms.Form):
    title_en = forms.CharField(label=gettext_lazy("Title in English"), max_length=200)
    title_cy = forms.CharField(label=gettext_lazy("Title in Welsh"), max_length=200)
    day = forms.DateField(label=gettext_lazy("Date (YYYY-MM-DD)"), widget=DATE)
    time = forms.TimeField(
        label=gettext_lazy("Start time (HH:MM)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    mode = forms.ChoiceField(
        label=gettext_lazy("How it runs"), choices=SessionMode.choices, widget=forms.RadioSelect
    )
    place = forms.CharField(
        label=gettext_lazy("Place or joining details"),
        help_text=gettext_lazy("A room and address, or where to find the link to join."),
        max_length=300,
        required=False,
    )
    facilitator = _PeopleChoice(label=gettext_lazy("Facilitator"), queryset=None)
    materials_en = forms.CharField(
        label=gettext_lazy("Materials in English"),
        help_text=gettext_lazy(
            "Plain text. Leave a blank line between paragraphs; start lines with “- ” for a "
            "list and “## ” for a heading; write links as [words](https://…)."
        ),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )
    materials_cy = forms.CharField(
        label=gettext_lazy("Materials in Welsh"),
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
    )

    def __init__(self, *args: Any, facilitators: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        facilitator = self.fields["facilitator"]
        assert isinstance(facilitator, forms.ModelChoiceField)
        facilitator.queryset = facilitators

    @staticmethod
    def initial_from(session: Any) -> dict[str, Any]:
        local = timezone.localtime(session.starts_at)
        return {
            "title_en": session.title_en,
            "title_cy": session.title_cy,
            "day": local.date(),
            "time": local.time().replace(second=0, microsecond=0),
            "mode": session.mode,
            "place": session.place,
            "facilitator": session.facilitator_id,
            "materials_en": session.materials_en,
            "materials_cy": session.materials_cy,
        }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts_at = datetime.datetime.combine(
            data["day"], data["time"], tzinfo=timezone.get_current_timezone()
        )
        names = ("title_en", "title_cy", "mode", "place", "facilitator")
        return {
            **{name: data[name] for name in names},
            "starts_at": starts_at,
            "materials_en": data["materials_en"],
            "materials_cy": data["materials_cy"],
        }


class SessionFileForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title of the file"), max_length=200)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=SessionFile.Language.choices,
        widget=forms.RadioSelect,
        initial=SessionFile.Language.BOTH,
    )
    upload = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "PDF, Word, PowerPoint, Excel, OpenDocument, text, CSV, PNG or JPEG, up to 20 MB."
        ),
    )


class EnrolForm(forms.Form):
    participants: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Participants to enrol"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, candidates: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["participants"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = candidates
        field.label_from_instance = lambda user: f"{user.display_name} · {user.body.name}"  # type: ignore[method-assign,assignment]
