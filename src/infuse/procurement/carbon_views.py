"""Procurement Lab pages for supply-chain carbon: the figures with their drill-down, the
factor sets, each body's exclusion rules and supplier figures, and the annual return."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from infuse.accounts.policy import Action, BodyWorkspace, can, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.reference.models import Body
from infuse.web.charts import bar_chart, render_svg
from infuse.web.exports import spreadsheet_safe

from . import carbon, selectors, services
from .forms_carbon import (
    FIELD_LABELS,
    CarbonFilterForm,
    ExclusionRuleForm,
    FactorSetUploadForm,
    ScenarioForm,
    SupplierEmissionsForm,
)
from .models import (
    CarbonExclusionRule,
    CarbonFactorSet,
    CarbonScenario,
    SpendBatch,
    SupplierEmissions,
)
from .spend_queries import SpendFilter


def _financial_years(user: Any, bodies: list[Body]) -> list[int]:
    batches = selectors.spend_batches_visible_to(user).filter(
        status=SpendBatch.Status.LIVE, owner_body__in=bodies
    )
    years: set[int] = set()
    for first, last in batches.values_list("first_payment_date", "last_payment_date"):
        for day in (first, last):
            if day is not None:
                years.add(day.year if day.month >= 4 else day.year - 1)
    if years:
        years |= set(range(min(years), max(years) + 1))
    return sorted(years, reverse=True)


def _choice(request: HttpRequest) -> tuple[list[Body], CarbonFilterForm, carbon.CarbonFilter, str]:
    """The bodies and filter a carbon page shows, from its query string."""
    user = signed_in_user(request)
    visible = list(selectors.bodies_with_spend(user))
    codes = {b.code: b for b in visible}
    years = _financial_years(user, visible)
    form = CarbonFilterForm(
        request.GET or None, bodies=[(b.code, str(b.name)) for b in visible], years=years
    )
    body_code = request.GET.get("body", "")
    if body_code not in codes:
        own = user.body.code if user.body is not None else ""
        body_code = own if own in codes and "body" not in request.GET else ""
    chosen = [codes[body_code]] if body_code else visible
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and int(year_text) in years else None
    tier_text = request.GET.get("tier", "")
    excluded_text = request.GET.get("excluded", "")
    carbon_filter = carbon.CarbonFilter(
        spend=SpendFilter(
            bodies=tuple(b.code for b in chosen),
            department=request.GET.get("department", "")[:500],
            supplier=request.GET.get("supplier", "")[:500],
        ),
        financial_year=year,
        category=request.GET.get("category", "")[:200],
        tier=int(tier_text) if tier_text in ("1", "2", "3") else None,
        basis=request.GET.get("basis", "")
        if request.GET.get("basis")
        in ("proclass", "category", "keyword", "unclassified", "supplier")
        else "",
        excluded={"yes": True, "no": False}.get(excluded_text),
    )
    query = urlencode({k: v for k, v in (("body", body_code), ("year", year or "")) if v})
    return chosen, form, carbon_filter, query


@page_rule("procurement.carbon")
def carbon_overview(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    bodies, form, carbon_filter, query = _choice(request)
    overview = selectors.carbon_overview(user, bodies, carbon_filter) if bodies else None
    single = bodies[0] if len(bodies) == 1 else None
    return render(
        request,
        "procurement/carbon_overview.html",
        {
            "form": form,
            "bodies": bodies,
            "overview": overview,
            "query": query,
            "single": single,
            "may_change": single is not None and selectors.may_change_carbon(user, single),
            "uncertainty": carbon.UNCERTAINTY,
            "deflator_source": carbon.DEFLATOR_SOURCE,
            "factor_sets_exist": selectors.carbon_factor_sets().exists(),
        },
    )


@page_rule("procurement.carbon")
def carbon_chart(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    bodies, _form, carbon_filter, _query = _choice(request)
    overview = selectors.carbon_overview(user, bodies, carbon_filter) if bodies else None
    if overview is None:
        raise Http404
    spec = bar_chart(
        [
            {"label": _(r.label) if r.label == "Unclassified" else r.label, "tco2e": r.tco2e}
            for r in overview.by_category
        ],
        category="label",
        value="tco2e",
        title=_("Emissions by category"),
        category_title=_("Category"),
        value_title=_("tCO2e"),
    )
    response = HttpResponse(render_svg(spec), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


@page_rule("procurement.carbon")
def carbon_lines(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    bodies, form, carbon_filter, _query = _choice(request)
    page = request.GET.get("page", "1")
    page_number = max(1, int(page)) if page.isdigit() else 1
    rows = (
        selectors.carbon_lines(
            user, bodies, carbon_filter, limit=101, offset=(page_number - 1) * 100
        )
        if bodies
        else []
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "procurement/carbon_lines.html",
        {
            "form": form,
            "rows": rows[:100],
            "has_next": len(rows) > 100,
            "page_number": page_number,
            "query": params.urlencode(),
            "filter": carbon_filter,
        },
    )


@page_rule("procurement.carbon")
def carbon_factor_sets(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    may_upload = selectors.may_manage_factor_sets(user)
    form = FactorSetUploadForm(request.POST or None, request.FILES or None) if may_upload else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                factor_set = services.carbon_factor_set_add(
                    actor=user,
                    file_name=upload.name,
                    content=upload.read(),
                    name=form.cleaned_data["name"],
                    version=form.cleaned_data["version"],
                    base_year=form.cleaned_data["base_year"],
                    source=form.cleaned_data["source"],
                    source_url=form.cleaned_data["source_url"],
                    licence=form.cleaned_data["licence"],
                )
            except UserFacingError as error:
                form.add_error("file", str(error))
            else:
                messages.success(request, _("The factor set was added."))
                return redirect("procurement:carbon-factor-set", set_id=factor_set.pk)
    own = user.body if user.body is not None else None
    return render(
        request,
        "procurement/carbon_factor_sets.html",
        {
            "sets": selectors.carbon_factor_sets(),
            "form": form,
            "own_set": selectors.carbon_factor_set_of(own),
        },
    )


def _factor_set_or_404(set_id: int) -> CarbonFactorSet:
    found = selectors.carbon_factor_sets().filter(pk=set_id).first()
    if found is None:
        raise Http404
    return found


@page_rule("procurement.carbon")
def carbon_factor_set(request: HttpRequest, set_id: int) -> HttpResponse:
    """A factor set, what switching to it would change, and (POST) switching to it."""
    user = signed_in_user(request)
    factor_set = _factor_set_or_404(set_id)
    if request.method == "POST":
        return _factor_set_choose(request, factor_set)
    body = user.body
    comparison = None
    current = selectors.carbon_factor_set_of(body) if body is not None else None
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    if body is not None and current is not None and current.pk != factor_set.pk:
        comparison = selectors.carbon_compare(user, body, current, factor_set, year)
    return render(
        request,
        "procurement/carbon_factor_set.html",
        {
            "factor_set": factor_set,
            "body": body,
            "current": current,
            "comparison": comparison,
            "may_choose": body is not None and selectors.may_change_carbon(user, body),
        },
    )


def _factor_set_choose(request: HttpRequest, factor_set: CarbonFactorSet) -> HttpResponse:
    user = signed_in_user(request)
    if user.body is None or not selectors.may_change_carbon(user, user.body):
        raise Http404
    services.carbon_factor_set_choose(actor=user, body=user.body, factor_set=factor_set)
    messages.success(request, _("Your body's figures now use this factor set."))
    return redirect(f"{_url('procurement:carbon')}?body={user.body.code}")


def _url(name: str, **kwargs: Any) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs or None)


def _workspace_body(request: HttpRequest, body_code: str) -> Body:
    """A body whose own carbon records (rules, supplier figures, its annual return) the user
    may see: its members, and the programme's overseers."""
    body = Body.objects.filter(code=body_code).first()
    if body is None or not can(request.user, Action.VIEW, BodyWorkspace(owner_body_id=body.pk)):
        raise Http404
    return body


@page_rule("procurement.carbon")
def carbon_rules(request: HttpRequest, body_code: str) -> HttpResponse:
    """A body's exclusion rules; its members who work with data add rules, remove their own
    and switch standard ones off and on (POST with ``action`` = add, remove or switch)."""
    user = signed_in_user(request)
    body = _workspace_body(request, body_code)
    may_change = selectors.may_change_carbon(user, body)
    action = request.POST.get("action", "add")
    if request.method == "POST" and not may_change:
        raise Http404
    if request.method == "POST" and action == "switch":
        return _rule_switch(request, body)
    if request.method == "POST" and action == "remove":
        return _rule_remove(request, body)
    form = ExclusionRuleForm(request.POST or None) if may_change else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.carbon_rule_add(actor=user, body=body, **form.cleaned_data)
        except UserFacingError as error:
            form.add_error("pattern", str(error))
        else:
            messages.success(request, _("The rule was added."))
            return redirect("procurement:carbon-rules", body_code=body.code)
    settings = body.carbon_settings if hasattr(body, "carbon_settings") else None
    disabled = set(settings.disabled_rules if settings else [])
    standard = [
        {"rule": r, "on": r.key not in disabled, "field_label": FIELD_LABELS.get(r.field, "")}
        for r in carbon.STANDARD_EXCLUSIONS
    ]
    own = [
        {"rule": r, "field_label": FIELD_LABELS.get(r.field, r.field)}
        for r in CarbonExclusionRule.objects.filter(owner_body=body)
    ]
    return render(
        request,
        "procurement/carbon_rules.html",
        {"body": body, "standard": standard, "own": own, "form": form, "may_change": may_change},
    )


def _rule_switch(request: HttpRequest, body: Body) -> HttpResponse:
    try:
        services.carbon_standard_rule_switch(
            actor=signed_in_user(request),
            body=body,
            key=request.POST.get("key", ""),
            enabled=request.POST.get("enabled") == "1",
        )
    except UserFacingError as error:
        messages.error(request, str(error))
    return redirect("procurement:carbon-rules", body_code=body.code)


def _rule_remove(request: HttpRequest, body: Body) -> HttpResponse:
    rule_id = request.POST.get("rule", "")
    rule = (
        CarbonExclusionRule.objects.filter(owner_body=body, pk=int(rule_id)).first()
        if rule_id.isdigit()
        else None
    )
    if rule is None:
        raise Http404
    services.carbon_rule_remove(actor=signed_in_user(request), rule=rule)
    messages.success(request, _("The rule was removed."))
    return redirect("procurement:carbon-rules", body_code=body.code)


@page_rule("procurement.carbon")
def carbon_suppliers(request: HttpRequest, body_code: str) -> HttpResponse:
    """Supplier-specific figures (tiers 2 and 3) of a body."""
    user = signed_in_user(request)
    body = _workspace_body(request, body_code)
    may_change = selectors.may_change_carbon(user, body)
    if request.method == "POST" and may_change and request.POST.get("action") == "withdraw":
        return _supplier_withdraw(request, body)
    form = None
    if may_change:
        overview = selectors.supplier_overview(user, body)
        choices = []
        if overview is not None:
            summary = overview.profiles.filter(~overview.profiles["is_excluded"]).head(500)
            choices = [(r["cluster_id"], r["name"]) for r in summary.iter_rows(named=True)]
        form = SupplierEmissionsForm(request.POST or None, suppliers=choices)
        if request.method == "POST" and form.is_valid():
            try:
                services.supplier_emissions_record(actor=user, body=body, **form.cleaned_data)
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The supplier's figure was recorded."))
                return redirect("procurement:carbon-suppliers", body_code=body.code)
    elif request.method == "POST":
        raise Http404
    figures = SupplierEmissions.objects.filter(owner_body=body).select_related("created_by")
    return render(
        request,
        "procurement/carbon_suppliers.html",
        {"body": body, "figures": figures, "form": form, "may_change": may_change},
    )


def _supplier_withdraw(request: HttpRequest, body: Body) -> HttpResponse:
    figure_id = request.POST.get("figure", "")
    figure = (
        SupplierEmissions.objects.filter(owner_body=body, pk=int(figure_id)).first()
        if figure_id.isdigit()
        else None
    )
    if figure is None:
        raise Http404
    services.supplier_emissions_withdraw(actor=signed_in_user(request), figure=figure)
    messages.success(request, _("The supplier's figure is no longer used."))
    return redirect("procurement:carbon-suppliers", body_code=body.code)


RETURN_COLUMNS = ("category", "tier", "spend_gbp", "tco2e", "tco2e_low", "tco2e_high", "lines")


@page_rule("procurement.carbon")
def carbon_return(request: HttpRequest, body_code: str, fmt: str) -> HttpResponse:
    """The annual supply-chain return of a body as CSV, XLSX or a bilingual PDF."""
    user = signed_in_user(request)
    body = _workspace_body(request, body_code)
    kind = fmt
    if kind not in ("csv", "xlsx", "pdf"):
        raise Http404
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() else None
    report = selectors.carbon_return(user, body, year)
    if report is None:
        raise Http404
    name = f"supply-chain-carbon-{body.code}-{year or 'all'}"
    if kind == "csv":
        return _return_csv(report, name)
    if kind == "xlsx":
        return _return_xlsx(report, name)
    return _return_pdf(request, report, name)


def return_csv_text(report: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(RETURN_COLUMNS)
    for row in report["rows"]:
        writer.writerow(
            [
                spreadsheet_safe(row["category"]),
                row["tier"],
                f"{row['spend_gbp']:.2f}",
                f"{row['tco2e']:.3f}",
                f"{row['tco2e_low']:.3f}",
                f"{row['tco2e_high']:.3f}",
                row["lines"],
            ]
        )
    totals = report["totals"]
    writer.writerow(
        [
            "Total",
            "",
            f"{totals.in_scope_spend:.2f}",
            f"{totals.tco2e:.3f}",
            f"{totals.low:.3f}",
            f"{totals.high:.3f}",
            totals.lines,
        ]
    )
    return buffer.getvalue()


def _return_csv(report: dict[str, Any], name: str) -> HttpResponse:
    response = HttpResponse(return_csv_text(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


def _return_xlsx(report: dict[str, Any], name: str) -> HttpResponse:
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Supply-chain return")
    number = workbook.add_format({"num_format": "#,##0.000"})
    money = workbook.add_format({"num_format": "#,##0.00"})
    for column, heading in enumerate(RETURN_COLUMNS):
        sheet.write(0, column, heading)
    for index, row in enumerate(report["rows"], start=1):
        sheet.write_string(index, 0, str(row["category"]))
        sheet.write_number(index, 1, row["tier"])
        sheet.write_number(index, 2, row["spend_gbp"], money)
        for column, key in enumerate(("tco2e", "tco2e_low", "tco2e_high"), start=3):
            sheet.write_number(index, column, row[key], number)
        sheet.write_number(index, 6, row["lines"])
    method = workbook.add_worksheet("Method")
    factor_set = report["factor_set"]
    for index, (label, value) in enumerate(
        (
            ("Factor set", str(factor_set)),
            ("Source", factor_set.source),
            ("Licence", factor_set.licence),
            ("Price base year", factor_set.base_year),
            ("Deflator", report["deflator_source"]),
            ("Excluded spend (GBP)", round(report["totals"].excluded_spend, 2)),
        )
    ):
        method.write(index, 0, label)
        method.write(index, 1, value)
    workbook.close()
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _return_pdf(request: HttpRequest, report: dict[str, Any], name: str) -> HttpResponse:
    from django.utils import translation
    from weasyprint import HTML

    sections = []
    for language in ("en", "cy"):
        with translation.override(language):
            sections.append(
                render_to_string(
                    "procurement/carbon_return_section.html",
                    {"report": report, "uncertainty": carbon.UNCERTAINTY},
                )
            )
    html = render_to_string("procurement/carbon_return_pdf.html", {"sections": sections})
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return response


@page_rule("procurement.carbon")
def carbon_hot_spots(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    bodies, form, carbon_filter, query = _choice(request)
    spots = selectors.carbon_hot_spots(user, bodies, carbon_filter) if bodies else None
    return render(
        request,
        "procurement/carbon_hot_spots.html",
        {"form": form, "bodies": bodies, "spots": spots, "query": query},
    )


def _scenario_or_404(request: HttpRequest, body: Body, scenario_id: int) -> CarbonScenario:
    scenario = selectors.carbon_scenarios(body).filter(pk=scenario_id).first()
    if scenario is None:
        raise Http404
    return scenario


@page_rule("procurement.carbon")
def carbon_scenarios(request: HttpRequest, body_code: str) -> HttpResponse:
    user = signed_in_user(request)
    body = _workspace_body(request, body_code)
    may_change = selectors.may_change_carbon(user, body)
    if request.method == "POST" and may_change and request.POST.get("action") == "delete":
        return _scenario_delete(request, body)
    form = None
    if may_change:
        years = _financial_years(user, [body])
        overview = selectors.carbon_overview(
            user, [body], carbon.CarbonFilter(spend=SpendFilter(bodies=(body.code,)))
        )
        categories = [r.label for r in overview.by_category] if overview else []
        suppliers = [r.label for r in overview.by_supplier] if overview else []
        form = ScenarioForm(
            request.POST or None, years=years, categories=categories, suppliers=suppliers
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.carbon_scenario_save(
                    actor=user,
                    body=body,
                    name=form.cleaned_data["name"],
                    base_year=int(form.cleaned_data["base_year"]),
                    levers=form.levers(),
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The scenario was saved."))
                return redirect("procurement:carbon-scenarios", body_code=body.code)
    elif request.method == "POST":
        raise Http404
    scenarios = []
    for scenario in selectors.carbon_scenarios(body):
        path = selectors.carbon_scenario_path(user, scenario) or []
        scenarios.append({"scenario": scenario, "path": path, "last": path[-1] if path else None})
    return render(
        request,
        "procurement/carbon_scenarios.html",
        {"body": body, "scenarios": scenarios, "form": form, "may_change": may_change},
    )


@page_rule("procurement.carbon")
def carbon_scenario_chart(request: HttpRequest, body_code: str, scenario_id: int) -> HttpResponse:
    from infuse.web.charts import line_chart

    user = signed_in_user(request)
    body = _workspace_body(request, body_code)
    scenario = _scenario_or_404(request, body, scenario_id)
    path = selectors.carbon_scenario_path(user, scenario) or []
    baseline, with_changes = _("Baseline"), scenario.name
    rows = [{"year": p["year"], "tco2e": p["baseline"], "line": baseline} for p in path] + [
        {"year": p["year"], "tco2e": p["scenario"], "line": with_changes} for p in path
    ]
    spec = line_chart(
        rows,
        x="year",
        y="tco2e",
        title=_("Supply-chain emissions to 2030"),
        x_title=_("Financial year"),
        y_title=_("tCO2e"),
        series="line",
        share_axis=False,
    )
    response = HttpResponse(render_svg(spec), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=300"
    return response


def _scenario_delete(request: HttpRequest, body: Body) -> HttpResponse:
    scenario_id = request.POST.get("scenario", "")
    if not scenario_id.isdigit():
        raise Http404
    scenario = _scenario_or_404(request, body, int(scenario_id))
    services.carbon_scenario_delete(actor=signed_in_user(request), scenario=scenario)
    messages.success(request, _("The scenario was deleted."))
    return redirect("procurement:carbon-scenarios", body_code=body.code)
