"""Forms of the Data Lab. Labels and hints are written for officers, not data scientists."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from infuse.accounts.models import Visibility

from .dpia import QUESTION_KEYS
from .models import (
    DEF_PRINCIPLES,
    DEF_SCORES,
    DPIA_QUESTIONS,
    DataKind,
    DataQuestion,
    DataType,
    EthicsAction,
    EthicsAreaStatus,
)


class QuestionForm(forms.ModelForm):
    """The data-question canvas: a decision, a question, the data and the measure."""

    class Meta:
        model = DataQuestion
        fields = [
            "title",
            "decision",
            "decision_maker",
            "question",
            "data_needed",
            "measure",
            "data_type",
            "data_kind",
            "themes",
            "goals",
            "sources",
            "visibility",
        ]
        widgets = {
            "decision": forms.Textarea(attrs={"rows": 3}),
            "question": forms.Textarea(attrs={"rows": 3}),
            "data_needed": forms.Textarea(attrs={"rows": 3}),
            "measure": forms.Textarea(attrs={"rows": 2}),
            "sources": forms.Textarea(attrs={"rows": 3}),
            "data_type": forms.RadioSelect,
            "data_kind": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
        }
        help_texts = {
            "title": gettext_lazy("A few words to find it again, for example “Energy advice”."),
            "decision": gettext_lazy(
                "Start from the decision, not the data: what will be decided differently?"
            ),
            "decision_maker": gettext_lazy("A person or a board, for example “Cabinet”."),
            "question": gettext_lazy("One question that can be answered, in plain words."),
            "data_needed": gettext_lazy("What facts would answer it, about whom, and how often."),
            "measure": gettext_lazy(
                "What you will count or compare, for example “kWh per household per month”."
            ),
            "sources": gettext_lazy(
                "One per line: indicators or datasets that may help, with where to find them."
            ),
            "visibility": gettext_lazy(
                "Lab facilitators can review questions shared with the region or made public."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("themes", "goals"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.label_from_instance = lambda item: str(item.name)  # type: ignore[method-assign,assignment]
        # Radios need no empty "---------" choice: every question has a type and a kind.
        for name, choices in (("data_type", DataType.choices), ("data_kind", DataKind.choices)):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices
        if not self.instance.pk:
            self.initial.setdefault("visibility", Visibility.REGIONAL)

    def values(self) -> dict[str, Any]:
        return {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in {"themes", "goals"}
        }


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Your comment"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class EthicsAreaForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        max_length=10000,
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=EthicsAreaStatus.choices,
        widget=forms.RadioSelect,
        initial=EthicsAreaStatus.IN_PROGRESS,
    )


class EthicsActionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Action"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    owner = forms.CharField(
        label=gettext_lazy("Who will do it"),
        help_text=gettext_lazy("A name or a role, for example “Information governance lead”."),
        max_length=200,
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"),
        choices=EthicsAction.Priority.choices,
        widget=forms.RadioSelect,
        initial=EthicsAction.Priority.MEDIUM,
    )


class DpiaForm(forms.Form):
    """The DPIA screening: one yes/no question per criterion, every one answered."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key in QUESTION_KEYS:
            self.fields[key] = forms.TypedChoiceField(
                label=DPIA_QUESTIONS[key][0],
                choices=[("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Answer yes or no.")},
            )

    @staticmethod
    def initial_from(answers: dict[str, bool]) -> dict[str, str]:
        return {key: "yes" if value else "no" for key, value in answers.items()}

    def answers(self) -> dict[str, bool]:
        return {key: bool(self.cleaned_data[key]) for key in QUESTION_KEYS}


RATIONALE_LABELS = {
    "transparency": gettext_lazy("Why this transparency score?"),
    "accountability": gettext_lazy("Why this accountability score?"),
    "fairness": gettext_lazy("Why this fairness score?"),
}


class DefAssessmentForm(forms.Form):
    """A Data Ethics Framework self-assessment: each principle scored 0 to 5, with a reason."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label, prompt in DEF_PRINCIPLES:
            self.fields[f"{key}_score"] = forms.TypedChoiceField(
                label=label,
                help_text=prompt,
                choices=[(str(score), str(score)) for score in DEF_SCORES],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": gettext_lazy("Choose a score from 0 to 5.")},
            )
            self.fields[f"{key}_rationale"] = forms.CharField(
                # Each reason names its principle, so a screen reader user hears which it is.
                label=RATIONALE_LABELS[key],
                widget=forms.Textarea(attrs={"rows": 3}),
                max_length=4000,
                error_messages={"required": gettext_lazy("Say why you gave this score.")},
            )
        self.fields["actions"] = forms.CharField(
            label=gettext_lazy("Specific actions"),
            help_text=gettext_lazy("What you will do to raise the scores, and who will do it."),
            widget=forms.Textarea(attrs={"rows": 4}),
            required=False,
            max_length=4000,
        )

    def principles(self) -> list[tuple[Any, Any]]:
        return [(self[f"{key}_score"], self[f"{key}_rationale"]) for key, _l, _p in DEF_PRINCIPLES]

    def scores(self) -> dict[str, int]:
        return {key: self.cleaned_data[f"{key}_score"] for key, _l, _p in DEF_PRINCIPLES}

    def rationales(self) -> dict[str, str]:
        return {key: self.cleaned_data[f"{key}_rationale"] for key, _l, _p in DEF_PRINCIPLES}
