"""Indicator explorer pages: pick an indicator, compare the authorities, see the trend,
download the figures and link the indicator to a data question."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infuse.accounts.policy import page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.web.charts import bar_chart, line_chart, render_svg
from infuse.web.exports import spreadsheet_safe

from . import indicator_selectors as selectors
from .indicator_services import indicator_link
from .models import Indicator, IndicatorValue

CHART_CACHE_SECONDS = 15 * 60


def _svg(item: Indicator, kind: str, period: str, build: Callable[[], dict[str, Any]]) -> str:
    """The chart drawn once per indicator, period, language and state of its figures."""
    state = IndicatorValue.objects.filter(indicator=item).aggregate(
        n=Count("pk"), top=Max("pk"), total=Sum("value")
    )
    key = "indicator-svg:" + ":".join(
        str(part)
        for part in (
            item.pk,
            kind,
            period,
            get_language(),
            state["n"],
            state["top"],
            state["total"],
        )
    )
    return str(cache.get_or_set(key, lambda: render_svg(build()), CHART_CACHE_SECONDS))


def _indicator_or_404(code: str) -> Indicator:
    indicator = selectors.indicator_by_code(code)
    if indicator is None:
        raise Http404
    return indicator


def _period(request: HttpRequest, indicator: Indicator) -> tuple[list[str], str]:
    periods = selectors.periods(indicator)
    wanted = request.GET.get("period", "")
    if wanted not in periods:
        wanted = periods[-1] if periods else ""
    return periods, wanted


@page_rule("datalab.lab")
def indicator_list(request: HttpRequest) -> HttpResponse:
    groups = selectors.indicators_by_theme()
    return render(
        request,
        "datalab/indicators.html",
        {"groups": groups, "only_sample": all(i.sample for _t, rows in groups for i in rows)},
    )


@page_rule("datalab.lab")
def indicator_detail(request: HttpRequest, indicator: str) -> HttpResponse:
    item = _indicator_or_404(indicator)
    periods, period = _period(request, item)
    user = signed_in_user(request)
    rows = selectors.compare(item, period) if period else []
    return render(
        request,
        "datalab/indicator_detail.html",
        {
            "indicator": item,
            "periods": periods,
            "period": period,
            "rows": rows,
            "per_resident": any(r.per_resident is not None for r in rows),
            "trend_years": len({r["year"] for r in selectors.trend(item)}) > 1,
            "links": selectors.links_of(user, item),
            "questions": selectors.questions_to_link(user),
            "challenges": selectors.challenges_to_link(user),
        },
    )


@page_rule("datalab.lab")
def indicator_chart(request: HttpRequest, indicator: str) -> HttpResponse:
    item = _indicator_or_404(indicator)
    _periods, period = _period(request, item)

    def build() -> dict[str, Any]:
        rows = selectors.compare(item, period)
        return bar_chart(
            [{"area": r.name, "value": r.value} for r in rows],
            category="area",
            value="value",
            title=f"{item.name} ({period})",
            category_title=_("Area"),
            value_title=item.unit or _("Value"),
        )

    svg = _svg(item, "bar", period, build)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@page_rule("datalab.lab")
def indicator_trend_chart(request: HttpRequest, indicator: str) -> HttpResponse:
    item = _indicator_or_404(indicator)
    rows = selectors.trend(item)
    if not rows:
        raise Http404

    def build() -> dict[str, Any]:
        return line_chart(
            rows,
            x="year",
            y="value",
            series="area",
            share_axis=False,
            title=str(item.name),
            x_title=_("Year"),
            y_title=item.unit or _("Value"),
        )

    svg = _svg(item, "trend", "", build)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@page_rule("datalab.lab")
def indicator_csv(request: HttpRequest, indicator: str) -> HttpResponse:
    item = _indicator_or_404(indicator)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "indicator",
            "area_code",
            "area",
            "group",
            "period",
            "period_as_published",
            "value",
            "unit",
            "per_resident_t",
            "publisher",
            "file",
            "licence",
        ]
    )
    for period in selectors.periods(item):
        for row in selectors.compare(item, period):
            writer.writerow(
                [
                    spreadsheet_safe(v)
                    for v in (
                        item.code,
                        row.code,
                        row.name,
                        row.group,
                        row.period,
                        row.period_label,
                        row.value,
                        item.unit,
                        "" if row.per_resident is None else row.per_resident,
                        item.publisher,
                        item.source_file,
                        item.licence,
                    )
                ]
            )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{item.code}.csv"'
    return response


@page_rule("datalab.lab")
@require_POST
def indicator_link_question(request: HttpRequest, indicator: str) -> HttpResponse:
    item = _indicator_or_404(indicator)
    user = signed_in_user(request)
    if "challenge" in request.POST:
        wanted = request.POST.get("challenge", "")
        challenge = next(
            (c for c in selectors.challenges_to_link(user) if str(c.pk) == wanted), None
        )
        if challenge is None:
            messages.error(request, _("Choose a challenge you can change."))
        else:
            indicator_link(actor=user, indicator=item, challenge=challenge)
            messages.success(
                request, _("Linked to the challenge “%(title)s”.") % {"title": challenge.title}
            )
        return redirect("datalab:indicator", indicator=item.code)
    wanted = request.POST.get("question", "")
    question = next((q for q in selectors.questions_to_link(user) if str(q.pk) == wanted), None)
    if question is None:
        messages.error(request, _("Choose a data question you can change."))
    else:
        try:
            indicator_link(actor=user, indicator=item, question=question)
        except UserFacingError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Linked to the data question “%(title)s”.") % {"title": question.title},
            )
    return redirect("datalab:indicator", indicator=item.code)
