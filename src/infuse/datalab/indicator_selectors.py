"""Reads of the Indicator explorer. Indicators are shared public facts: anyone signed in
reads them; the links to questions and challenges are narrowed by the permission policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils.translation import gettext as _

from infuse.accounts.policy import Action, can, visible_filter
from infuse.reference.models import Body

from .indicators import NAME_BY_GSS, WALES
from .models import DataQuestion, Indicator, IndicatorLink, IndicatorValue

HIGHLIGHTED = "highlighted"
COMPARATOR = "comparator"
NATION = "wales"


def indicators_by_theme() -> list[tuple[Any, list[Indicator]]]:
    rows = Indicator.objects.annotate(value_count=Count("values")).order_by("theme", "name_en")
    groups: dict[str, list[Indicator]] = {}
    for indicator in rows:
        groups.setdefault(indicator.theme, []).append(indicator)
    return [
        (Indicator.Theme(theme).label, groups[theme])
        for theme in Indicator.Theme.values
        if theme in groups
    ]


def indicator_by_code(code: str) -> Indicator | None:
    return Indicator.objects.filter(code=code).first()


def periods(indicator: Indicator) -> list[str]:
    rows = (
        IndicatorValue.objects.filter(indicator=indicator)
        .values_list("period", "period_end")
        .distinct()
    )
    return [p for p, _end in sorted(set(rows), key=lambda r: (r[1] or 0, r[0]))]


@dataclass
class AreaRow:
    code: str
    name: str
    group: str
    group_label: str
    value: float
    period: str
    period_label: str
    per_resident: float | None = None


def _areas() -> tuple[dict[str, str], set[str]]:
    names: dict[str, str] = {code: name for code, name in NAME_BY_GSS.items()}
    names[WALES] = _("Wales")
    highlighted: set[str] = set()
    for body in Body.objects.filter(code__startswith="W06"):
        names[body.code] = str(body.name)
        if body.programme_member:
            highlighted.add(body.code)
    return names, highlighted


def _population(period: str) -> dict[str, float]:
    return dict(
        IndicatorValue.objects.filter(indicator__code="population", period=period).values_list(
            "area_code", "value"
        )
    )


def compare(indicator: Indicator, period: str) -> list[AreaRow]:
    """Every area's value for one period: the highlighted authorities first, then the other
    Welsh authorities as comparators, then Wales; each group largest first. For emissions in
    kt, the per-resident figure in tonnes uses the same file's population for the same year."""
    names, highlighted = _areas()
    per_resident = indicator.unit.startswith("kt")
    population = _population(period) if per_resident else {}
    labels = {
        HIGHLIGHTED: _("Cardiff Capital Region"),
        COMPARATOR: _("Other Welsh authority"),
        NATION: _("Wales"),
    }
    rows = []
    for value in IndicatorValue.objects.filter(indicator=indicator, period=period):
        group = (
            NATION
            if value.area_code == WALES
            else HIGHLIGHTED
            if value.area_code in highlighted
            else COMPARATOR
        )
        pop = population.get(value.area_code)
        rows.append(
            AreaRow(
                code=value.area_code,
                name=names.get(value.area_code, value.area_code),
                group=group,
                group_label=str(labels[group]),
                value=value.value,
                period=value.period,
                period_label=value.period_label,
                per_resident=value.value / pop if per_resident and pop else None,
            )
        )
    order = {HIGHLIGHTED: 0, COMPARATOR: 1, NATION: 2}
    rows.sort(key=lambda r: (order[r.group], -r.value, r.name))
    return rows


def trend(indicator: Indicator) -> list[dict[str, Any]]:
    """The highlighted authorities' values over the years (periods with a known end year)."""
    names, highlighted = _areas()
    rows = (
        IndicatorValue.objects.filter(
            indicator=indicator, area_code__in=highlighted | {WALES}, period_end__isnull=False
        )
        .order_by("area_code", "period_end")
        .values("area_code", "period_end", "period", "value")
    )
    return [
        {
            "area": names.get(row["area_code"], row["area_code"]),
            "year": row["period_end"],
            "period": row["period"],
            "value": row["value"],
        }
        for row in rows
    ]


def _target(link: IndicatorLink) -> Any:
    return link.question if link.question_id else link.challenge


def links_of(user: Any, indicator: Indicator) -> list[IndicatorLink]:
    links = IndicatorLink.objects.filter(indicator=indicator).select_related(
        "question__owner_body", "challenge__owner_body"
    )
    return [link for link in links if can(user, Action.VIEW, _target(link))]


def questions_to_link(user: Any) -> list[DataQuestion]:
    rows = DataQuestion.objects.filter(visible_filter(user)).select_related("owner_body")
    return [q for q in rows if can(user, Action.CHANGE, q)]


def challenges_to_link(user: Any) -> list[Any]:
    from infuse.challenges.selectors import challenges_visible_to

    return [c for c in challenges_visible_to(user) if can(user, Action.CHANGE, c)]


def indicators_of_question(question: DataQuestion) -> list[Indicator]:
    return [
        link.indicator
        for link in IndicatorLink.objects.filter(question=question).select_related("indicator")
    ]
