"""Forms of the programme. Labels and hints are written for facilitators and managers."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from infuse.reference.models import Lab

from .capability import SCALE
from .models import (
    CapabilityItem,
    Ethnicity,
    ParticipantRecord,
    SessionFile,
    SessionMode,
    YesNoDeclined,
)

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


class SelfAssessmentForm(forms.Form):
    """One 1–5 rating per capability item, and at exit a "looking back" rating of each."""

    def __init__(self, *args: Any, items: list[Any], looking_back: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(value), f"{value} – {label}") for value, label in SCALE]
        self.items = items
        self.looking_back = looking_back
        for item in items:
            self.fields[f"item-{item.pk}"] = forms.ChoiceField(
                label=str(item.text), choices=choices, widget=forms.RadioSelect
            )
            if looking_back:
                self.fields[f"before-{item.pk}"] = forms.ChoiceField(
                    label=gettext_lazy("Looking back, where were you before the lab?"),
                    choices=choices,
                    widget=forms.RadioSelect,
                )

    def pairs(self) -> list[tuple[Any, forms.BoundField, forms.BoundField | None]]:
        return [
            (
                item,
                self[f"item-{item.pk}"],
                self[f"before-{item.pk}"] if self.looking_back else None,
            )
            for item in self.items
        ]

    def scores(self) -> dict[int, int]:
        return {item.pk: int(self.cleaned_data[f"item-{item.pk}"]) for item in self.items}

    def before_scores(self) -> dict[int, int] | None:
        if not self.looking_back:
            return None
        return {item.pk: int(self.cleaned_data[f"before-{item.pk}"]) for item in self.items}


class CapabilityItemForm(forms.ModelForm):
    class Meta:
        model = CapabilityItem
        fields = ["key", "kind", "text_en", "text_cy", "source", "order", "active"]
        widgets = {
            "kind": forms.RadioSelect,
            "text_en": forms.Textarea(attrs={"rows": 2}),
            "text_cy": forms.Textarea(attrs={"rows": 2}),
            "source": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "key": gettext_lazy(
                "A short name in lower case with hyphens, for example “curiosity”."
            ),
            "text_en": gettext_lazy(
                "A statement participants rate from 1 (strongly disagree) to 5 (strongly agree)."
            ),
            "active": gettext_lazy("Untick to stop asking it; answers already given are kept."),
        }


class ComparisonForm(forms.Form):
    compare = forms.ChoiceField(
        label=gettext_lazy("Compare"),
        choices=[
            ("entry-exit", gettext_lazy("Entry with exit")),
            ("lookback-exit", gettext_lazy("Looking back with exit (retrospective pre-test)")),
            ("entry-follow_up", gettext_lazy("Entry with follow-up")),
        ],
        required=False,
    )


class SubmitForm(forms.Form):
    artefact = forms.TypedChoiceField(
        label=gettext_lazy("Which piece of work are you handing in?"),
        coerce=int,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=gettext_lazy("A note for the facilitator (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args: Any, choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["artefact"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = choices


class ReviewForm(forms.Form):
    verdict = forms.ChoiceField(
        label=gettext_lazy("Your review"),
        choices=[
            ("accepted", gettext_lazy("Accept")),
            ("needs_changes", gettext_lazy("Needs changes")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        help_text=gettext_lazy("Needed when you ask for changes: say what should change."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )


class FunderRecordForm(forms.ModelForm):
    class Meta:
        model = ParticipantRecord
        fields = [
            "entry_date",
            "exit_date",
            "employment_status",
            "age_band",
            "education_level",
            "job_title",
        ]
        widgets = {
            "entry_date": DATE,
            "exit_date": DATE,
            "employment_status": forms.RadioSelect,
            "age_band": forms.RadioSelect,
            "education_level": forms.RadioSelect,
        }


#: The wording a participant agrees to before special-category data is collected.
CONSENT_WORDING = gettext_lazy(
    "I agree that the InFuSe programme team may record whether I have a disability or "
    "long-term health condition and my ethnic group, to report anonymised totals to the "
    "programme's funder. I can withdraw this consent at any time, and my answers will then "
    "be deleted."
)


class ConsentForm(forms.Form):
    agreed = forms.BooleanField(
        label=gettext_lazy("The participant has read and agreed to this wording"),
        required=True,
    )


class SpecialCategoryForm(forms.Form):
    disability = forms.ChoiceField(
        label=gettext_lazy("Disability or long-term health condition"),
        choices=YesNoDeclined.choices,
        widget=forms.RadioSelect,
    )
    ethnicity = forms.ChoiceField(
        label=gettext_lazy("Ethnic group"), choices=Ethnicity.choices, widget=forms.RadioSelect
    )


class ExportForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From (YYYY-MM-DD)"), widget=DATE)
    date_to = forms.DateField(label=gettext_lazy("To (YYYY-MM-DD)"), widget=DATE)
    file_format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")],
        widget=forms.RadioSelect,
        initial="csv",
    )
    include_special = forms.BooleanField(
        label=gettext_lazy("Include special-category data (disability, ethnic group)"),
        help_text=gettext_lazy("Only when the funder asks for it. The export is recorded."),
        required=False,
    )
