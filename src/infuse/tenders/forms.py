"""Forms for setting up a tender evaluation. They check the shape of what is typed (numbers,
required fields); the rules that need the database (weights adding up to 100, nothing changing
once scoring has started) are the services', whose refusals the views show on the form."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy

from infuse.accounts.models import Role
from infuse.procurement.forms import ForOwnBodyForm
from infuse.reference.models import Body

from .models import Bidder, Criterion, Lot, Procurement, SocialValueMeasure


def _money(label: Any, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )


def _weight(label: Any, required: bool = True, help_text: Any = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
    )


SAME_AS_PROCUREMENT = ""

# The add-another lists start with this many rows and grow by one for each "Add another".
MORE_ROWS_LIMIT = 20


def _text(label: Any, required: bool = True, max_length: int = 200, **extra: Any) -> Any:
    return forms.CharField(label=label, required=required, max_length=max_length, **extra)


def rows_wanted(data: Any, name: str, start: int, limit: int = MORE_ROWS_LIMIT) -> int:
    """How many rows of an add-another list to show: the count posted back in ``name`` (one
    more when "Add another" was pressed), else ``start``."""
    try:
        rows = int((data or {}).get(name, start))
    except (TypeError, ValueError):
        rows = start
    if data and "add_another" in data:
        rows += 1
    return max(1, min(rows, limit))


class ProcurementForm(ForOwnBodyForm):
    title_en = _text(gettext_lazy("Title in English"))
    title_cy = _text(gettext_lazy("Title in Welsh"), required=False)
    reference = _text(
        gettext_lazy("Reference"),
        required=False,
        max_length=60,
        help_text=gettext_lazy("Your own reference, for example CCBC-2027-001."),
    )
    description_en = forms.CharField(
        label=gettext_lazy("Description in English"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What is being bought and why, in a few sentences."),
    )
    description_cy = forms.CharField(
        label=gettext_lazy("Description in Welsh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.ModelChoiceField(
        label=gettext_lazy("Public body running the tender"),
        queryset=Body.objects.order_by("name_en"),
        required=False,
    )
    price_formula = forms.ChoiceField(
        label=gettext_lazy("Price formula"),
        choices=Procurement.Formula.choices,
        initial=Procurement.Formula.LOWEST,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Used for every lot unless you choose another for a lot."),
    )
    price_ceiling = _money(
        gettext_lazy("Price ceiling in pounds (optional)"),
        required=False,
        help_text=gettext_lazy(
            "For the linear formula: a bid at or above it scores 0. Leave empty to use the "
            "highest bid."
        ),
    )
    lot_en = _text(
        gettext_lazy("First lot's title in English"),
        required=False,
        help_text=gettext_lazy(
            "Leave empty for a single lot with the procurement's title. You can add more lots next."
        ),
    )
    lot_cy = _text(gettext_lazy("First lot's title in Welsh"), required=False)


class ProcurementDetailsForm(forms.Form):
    """Correcting a procurement after it was created: what ``ProcurementForm`` asks, but the
    body (a tender does not move between bodies) and the first lot (see the lots page). With
    ``locked`` (scoring has started) the price formula and ceiling are shown but not taken."""

    title_en = ProcurementForm.base_fields["title_en"]
    title_cy = ProcurementForm.base_fields["title_cy"]
    reference = ProcurementForm.base_fields["reference"]
    description_en = ProcurementForm.base_fields["description_en"]
    description_cy = ProcurementForm.base_fields["description_cy"]
    price_formula = ProcurementForm.base_fields["price_formula"]
    price_ceiling = ProcurementForm.base_fields["price_ceiling"]

    def __init__(self, data: Any = None, *, procurement: Procurement, locked: bool) -> None:
        super().__init__(
            data,
            initial={
                "title_en": procurement.title_en,
                "title_cy": procurement.title_cy,
                "reference": procurement.reference,
                "description_en": procurement.description_en,
                "description_cy": procurement.description_cy,
                "price_formula": procurement.price_formula,
                "price_ceiling": procurement.price_ceiling,
            },
        )
        if locked:
            self.fields["price_formula"].disabled = True
            self.fields["price_ceiling"].disabled = True


class LotForm(forms.Form):
    title_en = _text(gettext_lazy("Lot title in English"))
    title_cy = _text(gettext_lazy("Lot title in Welsh"), required=False)
    price_formula = forms.ChoiceField(
        label=gettext_lazy("Price formula for this lot"),
        choices=[
            (SAME_AS_PROCUREMENT, gettext_lazy("The procurement's formula")),
            *Procurement.Formula.choices,
        ],
        required=False,
        initial=SAME_AS_PROCUREMENT,
        widget=forms.RadioSelect,
    )
    price_ceiling = _money(
        gettext_lazy("Price ceiling for this lot in pounds (optional)"),
        required=False,
        help_text=gettext_lazy("Used only with a formula chosen for this lot."),
    )

    @classmethod
    def for_lot(cls, lot: Lot, data: Any = None) -> LotForm:
        return cls(
            data,
            initial={
                "title_en": lot.title_en,
                "title_cy": lot.title_cy,
                "price_formula": lot.price_formula,
                "price_ceiling": lot.price_ceiling,
            },
        )


class ScaleForm(forms.Form):
    """The scoring scale, level 0 upwards: an add-another list of descriptors."""

    def __init__(
        self, data: Any = None, *, initial: dict[str, Any] | None = None, rows: int = 6
    ) -> None:
        super().__init__(data, initial=initial or {})
        self.rows = rows
        for value in range(rows):
            self.fields[f"level_{value}_en"] = _text(
                gettext_lazy("Level %(value)s in English") % {"value": value},
                required=False,
                max_length=300,
            )
            self.fields[f"level_{value}_cy"] = _text(
                gettext_lazy("Level %(value)s in Welsh") % {"value": value},
                required=False,
                max_length=300,
            )

    @staticmethod
    def initial_from(levels: Sequence[tuple[str, str]]) -> dict[str, str]:
        initial = {}
        for value, (en, cy) in enumerate(levels):
            initial[f"level_{value}_en"], initial[f"level_{value}_cy"] = en, cy
        return initial

    def pairs(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"level_{value}_en"], self[f"level_{value}_cy"]) for value in range(self.rows)
        ]

    def levels(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data[f"level_{v}_en"], data[f"level_{v}_cy"]) for v in range(self.rows)]


class CriteriaForm(forms.Form):
    """The criteria tree: price, quality with its sub-criteria (an add-another list) and social
    value, each with a weight in per cent; the weights must add up to 100."""

    price_en = _text(gettext_lazy("Price criterion's name in English"), initial="Price")
    price_cy = _text(
        gettext_lazy("Price criterion's name in Welsh"), required=False, initial="Pris"
    )
    price_weight = _weight(gettext_lazy("Weight of price (per cent)"))
    quality_en = _text(gettext_lazy("Quality group's name in English"), initial="Quality")
    quality_cy = _text(
        gettext_lazy("Quality group's name in Welsh"), required=False, initial="Ansawdd"
    )
    social_en = _text(
        gettext_lazy("Social-value criterion's name in English"),
        required=False,
        initial="Social value",
    )
    social_cy = _text(
        gettext_lazy("Social-value criterion's name in Welsh"),
        required=False,
        initial="Gwerth cymdeithasol",
    )
    social_weight = _weight(
        gettext_lazy("Weight of social value (per cent)"),
        required=False,
        help_text=gettext_lazy("Leave empty or 0 if social value is not scored."),
    )

    def __init__(
        self, data: Any = None, *, initial: dict[str, Any] | None = None, rows: int = 3
    ) -> None:
        super().__init__(data, initial=initial or {})
        self.rows = rows
        for i in range(rows):
            self.fields[f"q{i}_en"] = _text(
                gettext_lazy("Sub-criterion %(number)s in English") % {"number": i + 1},
                required=False,
            )
            self.fields[f"q{i}_cy"] = _text(
                gettext_lazy("Sub-criterion %(number)s in Welsh") % {"number": i + 1},
                required=False,
            )
            self.fields[f"q{i}_weight"] = _weight(
                gettext_lazy("Weight of sub-criterion %(number)s (per cent)") % {"number": i + 1},
                required=False,
            )

    @staticmethod
    def initial_from(criteria: Sequence[Criterion]) -> tuple[dict[str, Any], int]:
        """The form's initial values from a saved tree, and how many sub-criteria rows."""
        initial: dict[str, Any] = {}
        rows = 0
        groups = [c for c in criteria if c.parent_id is None]
        for group in groups:
            children = [c for c in criteria if c.parent_id == group.pk]
            if group.kind == Criterion.Kind.PRICE:
                initial.update(price_en=group.name_en, price_cy=group.name_cy)
                initial["price_weight"] = group.weight
            elif group.kind == Criterion.Kind.SOCIAL:
                initial.update(social_en=group.name_en, social_cy=group.name_cy)
                initial["social_weight"] = group.weight
            else:
                initial.update(quality_en=group.name_en, quality_cy=group.name_cy)
                for child in children or [group]:
                    initial[f"q{rows}_en"] = child.name_en
                    initial[f"q{rows}_cy"] = child.name_cy
                    initial[f"q{rows}_weight"] = child.weight
                    rows += 1
        return initial, rows

    def sub_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"q{i}_en"], self[f"q{i}_cy"], self[f"q{i}_weight"]) for i in range(self.rows)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for i in range(self.rows):
            name, weight = data.get(f"q{i}_en"), data.get(f"q{i}_weight")
            if name and weight is None:
                self.add_error(f"q{i}_weight", gettext_lazy("Enter a weight for this criterion."))
            if weight and not name:
                self.add_error(f"q{i}_en", gettext_lazy("Enter a name for this criterion."))
        if data.get("social_weight") and not data.get("social_en"):
            self.add_error("social_en", gettext_lazy("Enter a name for this criterion."))
        return data

    def tree(self) -> list[dict[str, Any]]:
        """The tree in the shape ``services.criteria_set`` takes."""
        data = self.cleaned_data
        tree: list[dict[str, Any]] = [
            {
                "kind": Criterion.Kind.PRICE,
                "name_en": data["price_en"],
                "name_cy": data["price_cy"],
                "weight": data["price_weight"],
            }
        ]
        children = [
            {
                "name_en": data[f"q{i}_en"],
                "name_cy": data[f"q{i}_cy"],
                "weight": data[f"q{i}_weight"],
            }
            for i in range(self.rows)
            if data.get(f"q{i}_en")
        ]
        if children:
            tree.append(
                {
                    "kind": Criterion.Kind.QUALITY,
                    "name_en": data["quality_en"],
                    "name_cy": data["quality_cy"],
                    "children": children,
                }
            )
        if data.get("social_en") and data.get("social_weight"):
            tree.append(
                {
                    "kind": Criterion.Kind.SOCIAL,
                    "name_en": data["social_en"],
                    "name_cy": data["social_cy"],
                    "weight": data["social_weight"],
                }
            )
        return tree


class BidderForm(forms.Form):
    lot = forms.ModelChoiceField(label=gettext_lazy("Lot"), queryset=Lot.objects.none())
    name = _text(gettext_lazy("Supplier's name"))
    price = _money(gettext_lazy("Bid price in pounds"))

    def __init__(
        self,
        data: Any = None,
        *,
        procurement: Procurement,
        measures: Sequence[SocialValueMeasure] = (),
    ) -> None:
        super().__init__(data)
        lots = self.fields["lot"]
        assert isinstance(lots, forms.ModelChoiceField)
        lots.queryset = procurement.lots.filter(awarded_to__isnull=True)
        lots.label_from_instance = lambda lot: f"{lot.number}: {lot.title}"  # type: ignore[method-assign,assignment]
        self.measures = list(measures)
        for measure in self.measures:
            self.fields[f"m{measure.pk}"] = forms.DecimalField(
                label=f"{measure.code} {measure.name} ({measure.unit})",
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
            )

    def commitment_fields(self) -> list[Any]:
        return [self[f"m{m.pk}"] for m in self.measures]

    def commitments(self) -> dict[SocialValueMeasure, Decimal]:
        return {
            m: self.cleaned_data[f"m{m.pk}"]
            for m in self.measures
            if self.cleaned_data.get(f"m{m.pk}")
        }


class BidderChangeForm(BidderForm):
    """Correcting a bid: the same fields, filled from the bid. An existing commitment is removed
    through its own confirmation page, not by emptying its box. With ``locked`` (see
    ``selectors.bidder_change_refusal``) only the supplier's name is taken."""

    def __init__(
        self,
        data: Any = None,
        *,
        bidder: Bidder,
        measures: Sequence[SocialValueMeasure] = (),
        locked: bool = False,
    ) -> None:
        procurement = bidder.lot.procurement
        super().__init__(data, procurement=procurement, measures=measures)
        lots = self.fields["lot"]
        assert isinstance(lots, forms.ModelChoiceField)
        lots.queryset = procurement.lots.filter(Q(awarded_to__isnull=True) | Q(pk=bidder.lot_id))
        self.committed = {c.measure_id: c.quantity for c in bidder.commitments.all()}
        self.initial = {
            "lot": bidder.lot_id,
            "name": bidder.name,
            "price": bidder.price,
            **{f"m{pk}": quantity for pk, quantity in self.committed.items()},
        }
        if locked:
            for name in ["lot", "price", *(f"m{m.pk}" for m in self.measures)]:
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for pk in self.committed:
            name = f"m{pk}"
            if name in self.fields and name not in self.errors and not data.get(name):
                self.add_error(
                    name,
                    gettext_lazy(
                        "Enter a quantity above 0. To remove the commitment, use “Remove” "
                        "beside it on the bidders page."
                    ),
                )
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the bid withdrawn?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: the supplier withdrew it by email on 3 March, or it was excluded "
            "because it arrived late. The reason is kept with the bid and in the audit trail."
        ),
        error_messages={"required": gettext_lazy("Give the reason the bid is withdrawn.")},
    )


class ConfirmForm(forms.Form):
    """A confirmation with no fields: a bound form to carry a refusal to the error summary."""


class EvaluatorForm(forms.Form):
    user = forms.ModelChoiceField(
        label=gettext_lazy("Colleague to name as an evaluator"),
        queryset=get_user_model().objects.none(),
        help_text=gettext_lazy(
            "Users of your body, or the delivery team's independent assessors. Each declares "
            "their interests, then scores on their own."
        ),
    )

    def __init__(self, data: Any = None, *, procurement: Procurement, manager: Any) -> None:
        super().__init__(data)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            get_user_model()
            .objects.filter(
                Q(body_id=procurement.owner_body_id) | Q(body=None, role=Role.ASSESSOR),
                is_active=True,
            )
            .exclude(pk__in=procurement.evaluators.values("user_id"))
            .exclude(pk__in=[getattr(manager, "pk", 0)])
            .order_by("last_name", "first_name", "username")
        )
        field.label_from_instance = lambda user: str(user.display_name)  # type: ignore[method-assign,assignment]


class MeasureForm(ForOwnBodyForm):
    code = _text(
        gettext_lazy("Code"),
        max_length=20,
        help_text=gettext_lazy("A short code from your framework, for example NT1."),
    )
    name_en = _text(gettext_lazy("Measure in English"))
    name_cy = _text(gettext_lazy("Measure in Welsh"), required=False)
    unit_en = _text(
        gettext_lazy("Unit in English"),
        max_length=60,
        help_text=gettext_lazy("What is counted, for example “week” or “hour”."),
    )
    unit_cy = _text(gettext_lazy("Unit in Welsh"), required=False, max_length=60)
    proxy_value = forms.DecimalField(
        label=gettext_lazy("Proxy value in pounds per unit"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    framework = _text(
        gettext_lazy("Framework"),
        required=False,
        max_length=120,
        help_text=gettext_lazy("The framework the measure belongs to, with its year or version."),
    )
    source = _text(
        gettext_lazy("Source of the proxy value"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Where the value per unit comes from: a publication or a link."),
    )
    body = forms.ModelChoiceField(
        label=gettext_lazy("Public body whose framework this is"),
        queryset=Body.objects.order_by("name_en"),
        required=False,
    )


class MeasureChangeForm(forms.Form):
    """Correcting a measure: the fields of ``MeasureForm`` but the body. With ``locked`` (a bid
    committing to it is being scored) the unit and proxy value are shown but not taken."""

    code = MeasureForm.base_fields["code"]
    name_en = MeasureForm.base_fields["name_en"]
    name_cy = MeasureForm.base_fields["name_cy"]
    unit_en = MeasureForm.base_fields["unit_en"]
    unit_cy = MeasureForm.base_fields["unit_cy"]
    proxy_value = MeasureForm.base_fields["proxy_value"]
    framework = MeasureForm.base_fields["framework"]
    source = MeasureForm.base_fields["source"]

    def __init__(
        self, data: Any = None, *, measure: SocialValueMeasure, locked: bool = False
    ) -> None:
        super().__init__(data, initial={name: getattr(measure, name) for name in self.base_fields})
        if locked:
            for name in ("unit_en", "unit_cy", "proxy_value"):
                self.fields[name].disabled = True


class StandDownForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is the evaluator stood down?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "For example: a conflict of interest came to light after they scored, or they are "
            "on long-term leave. The reason is kept with the evaluator and in the audit trail."
        ),
        error_messages={"required": gettext_lazy("Give the reason the evaluator is stood down.")},
    )
