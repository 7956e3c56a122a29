"""Forms of the Challenge Fund, written for officers and programme managers."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from infuse.accounts.models import Visibility
from infuse.reference.models import Theme, WayOfWorking, WellbeingGoal

from .models import Bid, Challenge, Phase
from .services import CHALLENGE_FIELDS, Contributions, CriterionValues

CRITERION_ROWS = 6

#: A 0–5 scale to start from, after the usual descriptors of public-sector bid evaluation
#: (for example the Crown Commercial Service's 0–5 quality scale). Programme managers may
#: rewrite each level.
DEFAULT_SCALE: tuple[tuple[str, str], ...] = (
    (
        "No answer, or the answer does not address the criterion.",
        "Dim ateb, neu nid yw'r ateb yn mynd i'r afael â'r maen prawf.",
    ),
    ("Poor: major gaps or serious doubts.", "Gwael: bylchau mawr neu amheuon difrifol."),
    (
        "Weak: some of the criterion is met, with significant gaps.",
        "Gwan: mae rhywfaint o'r maen prawf wedi'i fodloni, gyda bylchau sylweddol.",
    ),
    (
        "Satisfactory: the criterion is met, with minor gaps.",
        "Boddhaol: mae'r maen prawf wedi'i fodloni, gyda mân fylchau.",
    ),
    (
        "Good: the criterion is met fully, with good evidence.",
        "Da: mae'r maen prawf wedi'i fodloni'n llawn, gyda thystiolaeth dda.",
    ),
    (
        "Excellent: fully met, with strong evidence and added value.",
        "Rhagorol: wedi'i fodloni'n llawn, gyda thystiolaeth gref a gwerth ychwanegol.",
    ),
)


class ChallengeForm(forms.ModelForm):
    """A challenge statement; each theme, goal and way of working has a box for how the
    challenge contributes to it (left empty when it does not)."""

    class Meta:
        model = Challenge
        fields = list(CHALLENGE_FIELDS)
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "how_might_we",
                "problem",
                "evidence",
                "affected",
                "tried",
                "transfer",
                "purchase_commitment",
                "constraints_data",
                "constraints_legal",
                "constraints_welsh",
                "constraints_accessibility",
            )
        } | {"visibility": forms.RadioSelect}
        help_texts = {
            "how_might_we": gettext_lazy(
                "One open question, for example “How might we help older people stay warm at "
                "home without raising their bills?”"
            ),
            "problem": gettext_lazy(
                "Describe the problem, not a solution: what goes wrong, where and how often."
            ),
            "evidence": gettext_lazy("Figures, complaints, reports or data that show the need."),
            "affected": gettext_lazy("Residents, staff or services, and how many."),
            "tried": gettext_lazy("What was tried before, here or elsewhere, and what happened."),
            "transfer": gettext_lazy(
                "Which other bodies have the same problem, and what would they need to reuse "
                "an answer."
            ),
            "owner_name": gettext_lazy("The officer who owns the challenge day to day."),
            "sponsor_name": gettext_lazy("The senior person who will act on the result."),
            "budget_feasibility": gettext_lazy("In whole pounds."),
            "purchase_commitment": gettext_lazy(
                "What your body commits to buy or adopt if the answer works, and from what budget."
            ),
            "constraints_welsh": gettext_lazy(
                "For example: every resident-facing part must work in Welsh and English."
            ),
            "visibility": gettext_lazy(
                "A challenge is private to your body until you share it; bidders can answer "
                "challenges shared with the region or made public."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        challenge = self.instance if self.instance.pk else None
        existing: dict[str, str] = {}
        if challenge is not None:
            existing |= {f"theme_{x.theme_id}": x.contribution for x in challenge.theme_links.all()}
            existing |= {f"goal_{x.goal_id}": x.contribution for x in challenge.goal_links.all()}
            existing |= {f"way_{x.way_id}": x.contribution for x in challenge.way_links.all()}
        self.groups: dict[str, list[tuple[str, Any]]] = {"theme": [], "goal": [], "way": []}
        sources: list[tuple[str, Any]] = [
            ("theme", Theme.objects.all()),
            ("goal", WellbeingGoal.objects.all()),
            ("way", WayOfWorking.objects.all()),
        ]
        for prefix, queryset in sources:
            for item in queryset:
                name = f"{prefix}_{item.pk}"
                self.fields[name] = forms.CharField(
                    label=str(item.name),
                    required=False,
                    max_length=1000,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    initial=existing.get(name, ""),
                )
                self.groups[prefix].append((name, item))
        visibility = self.fields["visibility"]
        assert isinstance(visibility, forms.ChoiceField)
        visibility.choices = Visibility.choices
        if challenge is None:
            self.initial.setdefault("visibility", Visibility.PRIVATE)

    def contribution_fields(self, prefix: str) -> list[forms.BoundField]:
        return [self[name] for name, _item in self.groups[prefix]]

    @property
    def theme_fields(self) -> list[forms.BoundField]:
        return self.contribution_fields("theme")

    @property
    def goal_fields(self) -> list[forms.BoundField]:
        return self.contribution_fields("goal")

    @property
    def way_fields(self) -> list[forms.BoundField]:
        return self.contribution_fields("way")

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in CHALLENGE_FIELDS}

    def contributions(self) -> Contributions:
        def collect(prefix: str) -> dict[Any, str]:
            return {item: self.cleaned_data.get(name) or "" for name, item in self.groups[prefix]}

        return Contributions(themes=collect("theme"), goals=collect("goal"), ways=collect("way"))


class CallForm(forms.Form):
    """A call: bilingual title and summary, deadline, budgets per phase, criteria with weights
    and the scoring scale's descriptors."""

    title_en = forms.CharField(label=gettext_lazy("Title (English)"), max_length=200)
    title_cy = forms.CharField(label=gettext_lazy("Title (Welsh)"), max_length=200)
    summary_en = forms.CharField(
        label=gettext_lazy("Summary (English)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    summary_cy = forms.CharField(
        label=gettext_lazy("Summary (Welsh)"), widget=forms.Textarea(attrs={"rows": 4})
    )
    deadline_date = forms.DateField(
        label=gettext_lazy("Deadline date"),
        help_text=gettext_lazy("For example 2027-03-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_time = forms.TimeField(
        label=gettext_lazy("Deadline time"),
        help_text=gettext_lazy("UK time, 24-hour clock, for example 12:00."),
        initial=datetime.time(12, 0),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    budget_feasibility = forms.IntegerField(
        label=gettext_lazy("Feasibility budget (£)"), min_value=0
    )
    budget_prototype = forms.IntegerField(label=gettext_lazy("Prototype budget (£)"), min_value=0)
    budget_adoption = forms.IntegerField(label=gettext_lazy("Adoption budget (£)"), min_value=0)
    quality_threshold = forms.IntegerField(
        label=gettext_lazy("Quality threshold (per cent)"),
        help_text=gettext_lazy(
            "Bids whose moderated weighted score is below this share of the highest possible "
            "are not funded, whatever the budget."
        ),
        min_value=0,
        max_value=100,
        initial=60,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        call = kwargs.pop("call", None)
        super().__init__(*args, **kwargs)
        for index in range(CRITERION_ROWS):
            self.fields[f"criterion_{index}_en"] = forms.CharField(
                label=gettext_lazy("Criterion (English)"), required=False, max_length=200
            )
            self.fields[f"criterion_{index}_cy"] = forms.CharField(
                label=gettext_lazy("Criterion (Welsh)"), required=False, max_length=200
            )
            self.fields[f"criterion_{index}_weight"] = forms.IntegerField(
                label=gettext_lazy("Weight (per cent)"), required=False, min_value=0, max_value=100
            )
        for score, (english, welsh) in enumerate(DEFAULT_SCALE):
            self.fields[f"scale_{score}_en"] = forms.CharField(
                label=gettext_lazy("Descriptor (English)"), max_length=300, initial=english
            )
            self.fields[f"scale_{score}_cy"] = forms.CharField(
                label=gettext_lazy("Descriptor (Welsh)"), max_length=300, initial=welsh
            )
        if call is not None:
            local = timezone.localtime(call.deadline)
            self.initial.update(
                {
                    "title_en": call.title_en,
                    "title_cy": call.title_cy,
                    "summary_en": call.summary_en,
                    "summary_cy": call.summary_cy,
                    "deadline_date": local.date(),
                    "deadline_time": local.time().replace(second=0, microsecond=0),
                    "budget_feasibility": call.budget_feasibility,
                    "budget_prototype": call.budget_prototype,
                    "budget_adoption": call.budget_adoption,
                    "quality_threshold": call.quality_threshold,
                }
            )
            for index, criterion in enumerate(call.criteria.all()[:CRITERION_ROWS]):
                self.initial[f"criterion_{index}_en"] = criterion.name_en
                self.initial[f"criterion_{index}_cy"] = criterion.name_cy
                self.initial[f"criterion_{index}_weight"] = criterion.weight
            for level in call.scale_levels.all():
                self.initial[f"scale_{level.score}_en"] = level.descriptor_en
                self.initial[f"scale_{level.score}_cy"] = level.descriptor_cy

    def criterion_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (
                index + 1,
                [self[f"criterion_{index}_{part}"] for part in ("en", "cy", "weight")],
            )
            for index in range(CRITERION_ROWS)
        ]

    def scale_rows(self) -> list[tuple[int, list[forms.BoundField]]]:
        return [
            (score, [self[f"scale_{score}_en"], self[f"scale_{score}_cy"]])
            for score in range(len(DEFAULT_SCALE))
        ]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        deadline = timezone.make_aware(
            datetime.datetime.combine(data["deadline_date"], data["deadline_time"])
        )
        return {
            "title_en": data["title_en"],
            "title_cy": data["title_cy"],
            "summary_en": data["summary_en"],
            "summary_cy": data["summary_cy"],
            "deadline": deadline,
            "budget_feasibility": data["budget_feasibility"],
            "budget_prototype": data["budget_prototype"],
            "budget_adoption": data["budget_adoption"],
            "quality_threshold": data["quality_threshold"],
        }

    def criteria(self) -> list[CriterionValues]:
        rows = []
        for index in range(CRITERION_ROWS):
            english = self.cleaned_data.get(f"criterion_{index}_en") or ""
            welsh = self.cleaned_data.get(f"criterion_{index}_cy") or ""
            weight = self.cleaned_data.get(f"criterion_{index}_weight") or 0
            if english or welsh or weight:
                rows.append(CriterionValues(english, welsh, weight))
        return rows

    def scale(self) -> list[tuple[str, str]]:
        return [
            (self.cleaned_data[f"scale_{score}_en"], self.cleaned_data[f"scale_{score}_cy"])
            for score in range(len(DEFAULT_SCALE))
        ]


class BidForm(forms.Form):
    """A bid: what it answers, who is in it, what it costs, and an answer per criterion."""

    title = forms.CharField(label=gettext_lazy("Title of the bid"), max_length=200)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        help_text=gettext_lazy("What you will do, with whom, and what will change."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    challenge = forms.ModelChoiceField(
        label=gettext_lazy("The challenge it answers"), queryset=Challenge.objects.none()
    )
    phase = forms.ChoiceField(
        label=gettext_lazy("Phase applied for"), choices=Phase.choices, widget=forms.RadioSelect
    )
    budget = forms.IntegerField(
        label=gettext_lazy("Budget requested (£)"),
        help_text=gettext_lazy("In whole pounds, within the call's budget for the phase."),
        min_value=1,
    )
    partners: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Partner bodies"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    team: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Named officers (the bid team)"),
        help_text=gettext_lazy(
            "Only the bid team sees the draft. Officers must work for the lead body or a "
            "partner body."
        ),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        call: Any,
        challenges: Any,
        bodies: Any,
        officers: Any,
        bid: Bid | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        challenge_field = self.fields["challenge"]
        assert isinstance(challenge_field, forms.ModelChoiceField)
        challenge_field.queryset = challenges
        challenge_field.label_from_instance = lambda c: f"{c.title} ({c.owner_body.name})"  # type: ignore[method-assign,assignment]
        partners = self.fields["partners"]
        assert isinstance(partners, forms.ModelMultipleChoiceField)
        partners.queryset = bodies
        partners.label_from_instance = lambda b: str(b.name)  # type: ignore[method-assign,assignment]
        team = self.fields["team"]
        assert isinstance(team, forms.ModelMultipleChoiceField)
        team.queryset = officers
        team.label_from_instance = lambda u: f"{u.display_name} ({u.body.name})"  # type: ignore[method-assign,assignment]
        answers = {a.criterion_id: a.text for a in bid.answers.all()} if bid else {}
        self.criteria = list(call.criteria.all())
        for criterion in self.criteria:
            self.fields[f"answer_{criterion.pk}"] = forms.CharField(
                label=f"{criterion.name} ({criterion.weight}%)",
                help_text=criterion.guidance,
                required=False,
                max_length=10000,
                widget=forms.Textarea(attrs={"rows": 5}),
                initial=answers.get(criterion.pk, ""),
            )
        if bid is not None:
            self.initial.update(
                {
                    "title": bid.title,
                    "summary": bid.summary,
                    "challenge": bid.challenge_id,
                    "phase": bid.phase,
                    "budget": bid.budget,
                    "partners": [p.pk for p in bid.partners.all()],
                    "team": [m.pk for m in bid.team.all()],
                }
            )
        else:
            self.initial.setdefault("phase", Phase.FEASIBILITY)

    @property
    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"answer_{c.pk}"] for c in self.criteria]

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in ("title", "summary", "phase", "budget")}

    def answers(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"answer_{c.pk}") or "" for c in self.criteria}


class LinkForm(forms.Form):
    output = forms.ChoiceField(label=gettext_lazy("Lab record to link"), choices=())

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        output = self.fields["output"]
        assert isinstance(output, forms.ChoiceField)
        output.choices = choices

    def target(self) -> tuple[str, int]:
        kind, _sep, record_id = self.cleaned_data["output"].partition(":")
        return kind, int(record_id)


class DeclarationForm(forms.Form):
    has_conflict = forms.TypedChoiceField(
        label=gettext_lazy("Do you have a conflict of interest with this bid?"),
        help_text=gettext_lazy(
            "For example: you work for, advise or are related to someone in the lead or a "
            "partner body, or you helped write the bid."
        ),
        choices=(("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes"))),
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    declaration = forms.CharField(
        label=gettext_lazy("Interests to declare"),
        help_text=gettext_lazy(
            "Needed if you answer yes; otherwise anything the panel should know."
        ),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScoreForm(forms.Form):
    """A score from the call's scale and a comment for each criterion."""

    def __init__(self, *args: Any, call: Any, assessment: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = list(call.criteria.all())
        levels = [
            (str(level.score), f"{level.score} – {level.descriptor}")
            for level in call.scale_levels.all()
        ]
        given = {s.criterion_id: s for s in assessment.scores.all()}
        for criterion in self.criteria:
            existing = given.get(criterion.pk)
            self.fields[f"score_{criterion.pk}"] = forms.TypedChoiceField(
                label=f"{criterion.name} ({criterion.weight}%)",
                help_text=criterion.guidance,
                choices=levels,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
                initial=str(existing.score) if existing else None,
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=gettext_lazy("Comment"),
                required=False,
                max_length=4000,
                widget=forms.Textarea(attrs={"rows": 3}),
                initial=existing.comment if existing else "",
            )

    def rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[int, tuple[int | None, str]]:
        return {
            c.pk: (
                self.cleaned_data.get(f"score_{c.pk}"),
                self.cleaned_data.get(f"comment_{c.pk}") or "",
            )
            for c in self.criteria
        }


class ModerationForm(forms.Form):
    criterion: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=gettext_lazy("Criterion"), queryset=None, empty_label=None
    )
    score = forms.DecimalField(
        label=gettext_lazy("Moderated score"),
        help_text=gettext_lazy("May be a decimal, for example 3.5."),
        min_value=0,
        max_digits=4,
        decimal_places=2,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Kept with the score; the panel's earlier scores are kept too."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, call: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["criterion"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = call.criteria.all()
        field.label_from_instance = lambda c: str(c.name)  # type: ignore[method-assign,assignment]


class FeedbackForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Feedback to the bid team"),
        help_text=gettext_lazy("The bid team sees it as soon as it is released."),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class AllocationForm(forms.Form):
    per_bid = forms.IntegerField(
        label=gettext_lazy("Assessors per bid"), min_value=1, max_value=10, initial=3
    )


class DecisionForm(forms.Form):
    phase = forms.ChoiceField(label=gettext_lazy("Phase"), choices=Phase.choices)
    method = forms.ChoiceField(
        label=gettext_lazy("How are the bids chosen?"),
        choices=(
            ("rank_order", gettext_lazy("In rank order within the phase's budget")),
            ("portfolio", gettext_lazy("A portfolio choice (tick the bids; give the reason)")),
        ),
        widget=forms.RadioSelect,
    )
    chosen = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Bids to fund (portfolio choice only)"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        help_text=gettext_lazy("Needed for a portfolio choice that departs from the rank order."),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, bids: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = self.fields["chosen"]
        assert isinstance(chosen, forms.ChoiceField)
        chosen.choices = bids


class PhaseReviewForm(forms.Form):
    review = forms.CharField(
        label=gettext_lazy("What the phase found"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=(
            ("continue", gettext_lazy("Continue to the next phase")),
            ("stop", gettext_lazy("Stop")),
        ),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the decision"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OutcomesForm(forms.Form):
    outcomes = forms.CharField(
        label=gettext_lazy("Outcomes"),
        help_text=gettext_lazy("What changed, for whom, and what was adopted."),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
