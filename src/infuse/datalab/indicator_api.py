"""The Indicator explorer through the API: the open indicators and their values, with their
sources. Signed-in callers only (token or session), like the pages."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema
from ninja.errors import HttpError

from infuse.api_schemas import AUTH_ERRORS, NOT_FOUND

from . import indicator_selectors as selectors
from .models import Indicator

router = Router(tags=["datalab"])


class IndicatorOut(Schema):
    code: str
    theme: str
    name_en: str
    name_cy: str
    unit: str
    publisher: str
    source_file: str
    licence: str
    higher_is_better: bool | None
    note: str
    sample: bool


class ValueOut(Schema):
    area_code: str
    area: str
    group: str
    period: str
    period_as_published: str
    value: float
    per_resident: float | None


class IndicatorValuesOut(Schema):
    indicator: IndicatorOut
    periods: list[str]
    values: list[ValueOut]


@router.get(
    "",
    response={200: list[IndicatorOut], **AUTH_ERRORS},
    summary=gettext_noop("Open indicators"),
    description=gettext_noop("Every open indicator loaded, by theme, with its source."),
)
def list_indicators(request: HttpRequest, theme: str = "") -> list[Indicator]:
    rows = Indicator.objects.all()
    if theme:
        rows = rows.filter(theme=theme)
    return list(rows)


@router.get(
    "/{code}",
    response={200: IndicatorValuesOut, **AUTH_ERRORS, **NOT_FOUND},
    summary=gettext_noop("An indicator's values"),
    description=gettext_noop(
        "The values of one indicator by area, for one period or all; filter by area code."
    ),
)
def indicator_values(
    request: HttpRequest, code: str, period: str = "", area: str = ""
) -> IndicatorValuesOut:
    indicator = selectors.indicator_by_code(code)
    if indicator is None:
        raise HttpError(404, _("No indicator has that code."))
    periods = selectors.periods(indicator)
    chosen = [period] if period else periods
    values = [
        ValueOut(
            area_code=row.code,
            area=row.name,
            group=row.group,
            period=row.period,
            period_as_published=row.period_label,
            value=row.value,
            per_resident=row.per_resident,
        )
        for p in chosen
        for row in selectors.compare(indicator, p)
        if not area or row.code == area
    ]
    return IndicatorValuesOut(
        indicator=IndicatorOut.from_orm(indicator), periods=periods, values=values
    )
