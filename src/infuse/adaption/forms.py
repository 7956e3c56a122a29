"""Forms of the Adaption Lab. Labels and hints are written for officers, not statisticians."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from infuse.reference.models import Theme

from .models import (
    FIT_DIMENSIONS,
    AdaptionAssessment,
    EvidenceLevel,
    Experiment,
    FitRating,
    Innovation,
)
from .power_requests import Design


def _words(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;\n]", value) if part.strip()]


class InnovationFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=100)
    theme = forms.ChoiceField(label=gettext_lazy("Theme"), required=False)
    level = forms.TypedChoiceField(
        label=gettext_lazy("Evidence at least"),
        required=False,
        coerce=int,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        theme = self.fields["theme"]
        level = self.fields["level"]
        assert isinstance(theme, forms.ChoiceField) and isinstance(level, forms.ChoiceField)
        theme.choices = [("", _("All themes"))] + [
            (item.slug, str(item.name)) for item in Theme.objects.all()
        ]
        level.choices = [("", _("Any level"))] + [
            (str(value), label) for value, label in EvidenceLevel.choices
        ]


class InnovationForm(forms.ModelForm):
    """An innovation for the library, in English and (where known) Welsh."""

    links_text = forms.CharField(
        label=gettext_lazy("Links"),
        help_text=gettext_lazy(
            "One per line: a title, a vertical bar, then the address, for example "
            "“Evaluation report | https://example.org/report”."
        ),
        widget=forms.Textarea,
        required=False,
        max_length=3000,
    )

    class Meta:
        model = Innovation
        fields = [
            "title_en",
            "title_cy",
            "where_en",
            "where_cy",
            "problem_en",
            "problem_cy",
            "summary_en",
            "summary_cy",
            "evidence_level",
            "evidence_en",
            "evidence_cy",
            "core_elements_en",
            "core_elements_cy",
            "adaptable_elements_en",
            "adaptable_elements_cy",
            "cost_en",
            "cost_cy",
            "themes",
            "goals",
            "visibility",
        ]
        widgets = {
            "evidence_level": forms.RadioSelect,
            "themes": forms.CheckboxSelectMultiple,
            "goals": forms.CheckboxSelectMultiple,
            "visibility": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("themes", "goals"):
            field = self.fields[name]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.label_from_instance = lambda item: str(item.name)  # type: ignore[method-assign,assignment]
        if not self.is_bound and self.instance.pk:
            self.initial["links_text"] = "\n".join(
                f"{link['title']} | {link['url']}" for link in self.instance.links
            )

    def clean_links_text(self) -> list[dict[str, str]]:
        links = []
        for line in self.cleaned_data["links_text"].splitlines():
            if not line.strip():
                continue
            title, _bar, url = line.rpartition("|")
            url = url.strip()
            if not url.startswith(("https://", "http://")):
                raise forms.ValidationError(
                    _("Each link needs a title, a vertical bar and an address starting https://.")
                )
            links.append({"title": title.strip() or url, "url": url})
        return links

    def values(self) -> dict[str, Any]:
        values = {
            name: self.cleaned_data[name]
            for name in self.Meta.fields
            if name not in {"themes", "goals"}
        }
        values["links"] = self.cleaned_data["links_text"]
        return values


class AssessmentForm(forms.Form):
    """Fit to the local context, question by question, then what changes and the decision."""

    adaptations = forms.CharField(
        label=gettext_lazy("What will you adapt, and why?"),
        help_text=gettext_lazy(
            "Change only the elements that may change; keep the core elements as they are."
        ),
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    risks = forms.CharField(
        label=gettext_lazy("Risks"),
        help_text=gettext_lazy("What could go wrong here, and what would you do about it?"),
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=AdaptionAssessment.Decision.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "“Test it first” starts an experiment to find out whether it works here."
        ),
    )
    decision_reason = forms.CharField(
        label=gettext_lazy("Reason for the decision"),
        widget=forms.Textarea,
        required=False,
        max_length=5000,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fit_fields: dict[str, forms.Field] = {}
        for key, label, question in FIT_DIMENSIONS:
            fit_fields[f"fit_{key}"] = forms.ChoiceField(
                label=label,
                help_text=question,
                choices=FitRating.choices,
                widget=forms.RadioSelect,
                initial=FitRating.UNKNOWN,
            )
            fit_fields[f"note_{key}"] = forms.CharField(
                label=_("Notes on %(question)s") % {"question": str(label).lower()},
                widget=forms.Textarea,
                required=False,
                max_length=2000,
            )
        self.fields = {**fit_fields, **self.fields}

    def fit_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"fit_{key}"], self[f"note_{key}"]) for key, _l, _q in FIT_DIMENSIONS]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        reason = str(cleaned.get("decision_reason") or "").strip()
        if decision and decision != AdaptionAssessment.Decision.UNDECIDED and not reason:
            self.add_error("decision_reason", _("Say why you reached this decision."))
        return cleaned

    def fit(self) -> dict[str, dict[str, str]]:
        return {
            key: {
                "rating": self.cleaned_data[f"fit_{key}"],
                "note": self.cleaned_data[f"note_{key}"],
            }
            for key, _label, _question in FIT_DIMENSIONS
        }

    @staticmethod
    def initial_from(assessment: AdaptionAssessment) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "adaptations": assessment.adaptations,
            "risks": assessment.risks,
            "decision": assessment.decision,
            "decision_reason": assessment.decision_reason,
        }
        for key, _label, _question in FIT_DIMENSIONS:
            entry = assessment.fit.get(key, {})
            initial[f"fit_{key}"] = entry.get("rating", FitRating.UNKNOWN)
            initial[f"note_{key}"] = entry.get("note", "")
        return initial


class ExperimentStartForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Title of the experiment"),
        help_text=gettext_lazy("For example: Text reminders for bulky-waste collections"),
        max_length=200,
    )


class ExperimentDesignForm(forms.ModelForm):
    """The plan, step by step. Lists (arms, ratio, strata, covariates) are typed as text."""

    arms_text = forms.CharField(
        label=gettext_lazy("Arms"),
        help_text=gettext_lazy(
            "Names of the groups, separated by commas, control first: for example "
            "“control, letter, text message”. Not used for stepped-wedge designs."
        ),
        required=False,
        max_length=300,
    )
    ratio_text = forms.CharField(
        label=gettext_lazy("Allocation ratio"),
        help_text=gettext_lazy(
            "How many units go to each arm for every one in another, separated by colons: "
            "1:1 is equal; 2:1 puts twice as many in the first arm."
        ),
        required=False,
        max_length=60,
    )
    strata_text = forms.CharField(
        label=gettext_lazy("Stratify by (column names)"),
        help_text=gettext_lazy(
            "Columns of your units list to balance the arms within, separated by commas: for "
            "example “ward, tenure”."
        ),
        required=False,
        max_length=300,
    )
    covariates_text = forms.CharField(
        label=gettext_lazy("Baseline covariates to adjust for"),
        help_text=gettext_lazy(
            "Measured before randomisation, named now so they cannot be chosen after seeing "
            "results. Separate with commas."
        ),
        required=False,
        max_length=300,
    )

    class Meta:
        model = Experiment
        fields = [
            "title",
            "hypothesis",
            "primary_outcome",
            "outcome_type",
            "outcome_measure",
            "outcome_timing",
            "secondary_outcomes",
            "unit",
            "eligibility",
            "design",
            "cluster_column",
            "periods",
            "non_randomised_plan",
            "estimator",
            "alpha",
            "correction",
            "stopping_rule",
        ]
        widgets = {
            "outcome_type": forms.RadioSelect,
            "unit": forms.RadioSelect,
            "design": forms.RadioSelect,
            "estimator": forms.RadioSelect,
            "correction": forms.RadioSelect,
            "hypothesis": forms.Textarea,
        }
        help_texts = {
            "hypothesis": gettext_lazy(
                "What you expect to happen and why, in one or two sentences: “Sending a text "
                "reminder the day before will cut missed collections, because people forget.”"
            ),
            "primary_outcome": gettext_lazy(
                "The one measure that decides whether it worked. Choose it now, before any "
                "results exist."
            ),
            "outcome_measure": gettext_lazy("Where the figure comes from and how it is counted."),
            "outcome_timing": gettext_lazy("For example: 8 weeks after the first reminder."),
            "secondary_outcomes": gettext_lazy("Other measures worth reporting, one per line."),
            "unit": gettext_lazy(
                "What is randomised. People in the same household, school or ward affect each "
                "other; randomising whole groups avoids that but needs more people."
            ),
            "eligibility": gettext_lazy("Who or what can take part, and who is left out."),
            "design": gettext_lazy(
                "Randomise whenever you can: it is the fairest test. If you cannot, choose the "
                "comparison that comes closest."
            ),
            "cluster_column": gettext_lazy(
                "Cluster and stepped-wedge designs: the column of your units list naming each "
                "unit's cluster (for example “ward” or “authority”)."
            ),
            "periods": gettext_lazy(
                "Stepped-wedge: measurement periods, including the first, when no cluster has "
                "the change yet."
            ),
            "non_randomised_plan": gettext_lazy(
                "Without randomisation: which groups or areas are compared, over which periods, "
                "with which data, and why they are comparable."
            ),
            "estimator": gettext_lazy("How the effect will be estimated, fixed in advance."),
            "alpha": gettext_lazy("The risk of a false alarm you accept; 0.05 is usual."),
            "correction": gettext_lazy(
                "With several outcomes or arms, a correction keeps the overall risk of a false "
                "alarm at the level above."
            ),
            "stopping_rule": gettext_lazy(
                "When the experiment ends (a date or a number of people), and anything that "
                "would stop it early, such as harm."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        experiment: Experiment = self.instance
        if not self.is_bound:
            self.initial.setdefault("arms_text", ", ".join(experiment.arms))
            self.initial.setdefault("ratio_text", ":".join(str(p) for p in experiment.ratio))
            self.initial.setdefault("strata_text", ", ".join(experiment.strata_columns))
            self.initial.setdefault("covariates_text", ", ".join(experiment.covariates))
        self.fields["hypothesis"].required = False
        self.fields["alpha"].widget = forms.TextInput(attrs={"inputmode": "decimal"})

    def clean_alpha(self) -> Decimal:
        alpha: Decimal = self.cleaned_data["alpha"]
        if not Decimal("0") < alpha < Decimal("0.5"):
            raise forms.ValidationError(_("Give a significance level between 0 and 0.5."))
        return alpha

    def clean_ratio_text(self) -> list[int]:
        text = self.cleaned_data["ratio_text"].strip()
        if not text:
            return []
        parts = [part.strip() for part in text.split(":")]
        if not all(part.isdigit() and int(part) >= 1 for part in parts):
            raise forms.ValidationError(
                _("Write the ratio as whole numbers with colons, like 1:1.")
            )
        return [int(part) for part in parts]

    def plan_values(self) -> dict[str, Any]:
        """The cleaned form as plan fields for the services."""
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        arms = _words(self.cleaned_data["arms_text"])
        ratio = self.cleaned_data["ratio_text"] or [1] * len(arms)
        values.update(
            arms=arms,
            ratio=ratio,
            strata_columns=_words(self.cleaned_data["strata_text"]),
            covariates=_words(self.cleaned_data["covariates_text"]),
            cluster_column=self.cleaned_data["cluster_column"].strip(),
        )
        return values


class AmendmentForm(ExperimentDesignForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the amendment"),
        help_text=gettext_lazy(
            "Everyone who reads a report of this experiment will see this reason beside the change."
        ),
        widget=forms.Textarea,
        max_length=5000,
    )


class UnitsUploadForm(forms.Form):
    units_file = forms.FileField(
        label=gettext_lazy("List of units"),
        help_text=gettext_lazy(
            "A CSV, XLSX or ODS file with a header row and one row per unit: an id column and "
            "any baseline columns (ward, age, last year's figure) to stratify by or check "
            "balance on. Up to 2 million units."
        ),
    )
    id_column = forms.CharField(
        label=gettext_lazy("Id column (optional)"),
        help_text=gettext_lazy("Leave blank to use a column called id, or else the first column."),
        required=False,
        max_length=100,
    )


def power_form_class(design: Design) -> type[forms.Form]:
    """A form with one field per option of ``design``, plus what to solve for."""
    fields: dict[str, forms.Field] = {}
    if design.solve_among:
        fields["solve"] = forms.ChoiceField(
            label=_("What do you want to find out?"),
            choices=[(name, _(design.option(name).label)) for name in design.solve_among],
            widget=forms.RadioSelect,
            initial=design.solve_among[0],
        )
    for option in design.options:
        label = _(option.label)
        hint = _(option.hint)
        if option.kind == "choice":
            fields[option.name] = forms.ChoiceField(
                label=label,
                help_text=hint,
                choices=[(choice, choice) for choice in option.choices],
                initial=option.default,
                required=False,
            )
        else:
            fields[option.name] = forms.CharField(
                label=label,
                help_text=hint,
                required=False,
                max_length=30,
                initial=option.default,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
    return type("PowerForm", (forms.Form,), fields)


class OutcomesUploadForm(forms.Form):
    outcomes_file = forms.FileField(
        label=gettext_lazy("Outcome data"),
        help_text=gettext_lazy(
            "A CSV, XLSX or ODS file with a header row: the same id column as the units list "
            "and a column with each unit's outcome. Units with no outcome count as missing."
        ),
    )
    outcome_column = forms.CharField(
        label=gettext_lazy("Outcome column"),
        help_text=gettext_lazy("The name of the column holding the primary outcome."),
        max_length=100,
    )
    period_column = forms.CharField(
        label=gettext_lazy("Period column"),
        help_text=gettext_lazy(
            "Stepped-wedge trials: the column numbering each row's period (1 is the baseline). "
            "Rows may be people or one summary per cluster and period."
        ),
        max_length=100,
        initial="period",
    )

    def __init__(self, *args: Any, stepped_wedge: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not stepped_wedge:
            del self.fields["period_column"]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("What the team decided"),
        choices=Experiment.Decision.choices,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Why"),
        help_text=gettext_lazy(
            "What the result means for the decision: the effect and its interval against what "
            "would be worth having, cost, side effects, what people said."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class ObservationalOutcomesForm(forms.Form):
    """The columns and settings a non-randomised design's analysis needs; only those of the
    experiment's design are shown."""

    outcomes_file = forms.FileField(
        label=gettext_lazy("Data"),
        help_text=gettext_lazy(
            "A CSV, XLSX or ODS file with a header row: one row per unit and period."
        ),
    )
    outcome = forms.CharField(label=gettext_lazy("Outcome column"), max_length=100)
    unit = forms.CharField(
        label=gettext_lazy("Unit column"),
        help_text=gettext_lazy("The column naming each place or group (for example ward)."),
        max_length=100,
        required=False,
    )
    time = forms.CharField(
        label=gettext_lazy("Time column"),
        help_text=gettext_lazy("The column numbering the periods (for example year or month)."),
        max_length=100,
        required=False,
    )
    treated = forms.CharField(
        label=gettext_lazy("Treated group column"),
        help_text=gettext_lazy("0 for the comparison group, 1 for the group that changed."),
        max_length=100,
        required=False,
    )
    after = forms.CharField(
        label=gettext_lazy("After column"),
        help_text=gettext_lazy("0 before the change started, 1 after."),
        max_length=100,
        required=False,
    )
    first_treated = forms.CharField(
        label=gettext_lazy("First period treated (staggered start)"),
        help_text=gettext_lazy(
            "Leave empty for two groups and two periods. If units started at different "
            "times, the column giving each unit's first period (0 or empty for never)."
        ),
        max_length=100,
        required=False,
    )
    treated_unit = forms.CharField(
        label=gettext_lazy("The unit that changed"), max_length=200, required=False
    )
    start = forms.CharField(
        label=gettext_lazy("First period after the start"), max_length=40, required=False
    )
    predictors = forms.CharField(
        label=gettext_lazy("Predictors (optional)"),
        help_text=gettext_lazy(
            "Columns averaged over periods, separated by semicolons, for example "
            "income:2015-2019; population:2019. Leave empty to match on the outcome alone."
        ),
        max_length=1000,
        required=False,
    )
    model = forms.ChoiceField(
        label=gettext_lazy("Model"),
        choices=[
            ("poisson", gettext_lazy("Counts (Poisson)")),
            ("quasi_poisson", gettext_lazy("Counts that vary more than Poisson (quasi-Poisson)")),
            ("linear", gettext_lazy("A measurement or rate (linear)")),
        ],
        required=False,
    )
    offset = forms.CharField(
        label=gettext_lazy("Population column (counts only)"), max_length=100, required=False
    )
    season = forms.CharField(
        label=gettext_lazy("Season column (for example month)"), max_length=100, required=False
    )
    harmonics = forms.IntegerField(
        label=gettext_lazy("Seasonal terms (pairs of sine and cosine, 0 for none)"),
        min_value=0,
        max_value=6,
        initial=0,
        required=False,
    )

    FIELDS_BY_METHOD = {
        "did": ("unit", "time", "treated", "after", "first_treated"),
        "synth": ("unit", "time", "treated_unit", "start", "predictors"),
        "its": ("time", "after", "start", "model", "offset", "season", "harmonics"),
    }

    def __init__(self, *args: Any, method: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {"outcomes_file", "outcome", *self.FIELDS_BY_METHOD[method]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def options(self) -> dict[str, Any]:
        values = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "outcomes_file" and value not in ("", None)
        }
        return values
