"""Procurement Lab pages: spend files (upload, progress, mapping) and spend analysis."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from infuse.accounts.policy import Action, can, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.jobs.services import job_start
from infuse.web.charts import bar_chart, render_svg
from infuse.web.exports import spreadsheet_safe

from . import category_selectors, selectors, services
from .forms import ColumnMappingForm, SpendFilterForm, SpendUploadForm
from .models import SpendBatch
from .spend_queries import SpendFilter
from .tasks import spend_import
from .templatetags.spend import place_label, spend_label

FILTER_FIELDS = ("body", "date_from", "date_to", "department", "category", "supplier", "cluster")


def _batch_or_404(request: HttpRequest, batch_id: int, action: Action = Action.VIEW) -> SpendBatch:
    batch = selectors.spend_batch_for(request.user, batch_id)
    if batch is None or not can(request.user, action, batch):
        raise Http404
    return batch


def _start_import(user: Any, batch: SpendBatch, **options: Any) -> None:
    job = job_start(
        actor=user,
        kind="procurement.spend_import",
        label=batch.file_name,
        task=spend_import,
        body=batch.owner_body,
        batch_id=batch.pk,
        **options,
    )
    SpendBatch.objects.filter(pk=batch.pk).update(job=job)


@page_rule("procurement.spend")
def spend_files(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    may_upload = user.role != "assessor"
    form = (
        SpendUploadForm(request.POST or None, request.FILES or None, user=user)
        if may_upload
        else None
    )
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            body = form.chosen_body()
            started = 0
            for upload in form.cleaned_data["spend_files"]:
                try:
                    batch = services.spend_upload(
                        actor=user,
                        body=body,
                        file_name=upload.name,
                        content=upload.read(),
                        visibility=form.cleaned_data["visibility"],
                    )
                except UserFacingError as error:
                    messages.error(request, f"{upload.name}: {error}")
                    continue
                if (
                    batch.status == SpendBatch.Status.LIVE
                    and batch.job_id is not None
                    and batch.created_at
                ):
                    messages.info(
                        request,
                        _("%(file)s is already imported; nothing changed.") % {"file": upload.name},
                    )
                    continue
                _start_import(user, batch)
                started += 1
            if started:
                messages.success(
                    request,
                    ngettext(
                        "%(count)d file is importing.", "%(count)d files are importing.", started
                    )
                    % {"count": started},
                )
            return redirect("procurement:spend-files")
    batches = Paginator(selectors.spend_batches_visible_to(user), 25).get_page(
        request.GET.get("page")
    )
    waiting = any(b.status == SpendBatch.Status.WAITING for b in batches)
    template = (
        "procurement/_batch_table.html"
        if request.headers.get("HX-Request")
        else "procurement/spend_files.html"
    )
    return render(request, template, {"form": form, "batches": batches, "waiting": waiting})


@page_rule("procurement.spend")
def spend_file_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id)
    rejected = Paginator(batch.rejected or [], 50).get_page(request.GET.get("page"))
    return render(
        request,
        "procurement/spend_file_detail.html",
        {
            "batch": batch,
            "rejected": rejected,
            "may_change": can(request.user, Action.CHANGE, batch),
        },
    )


@require_POST
@page_rule("procurement.spend_upload")
def spend_file_confirm_replace(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id, Action.CHANGE)
    if batch.status != SpendBatch.Status.NEEDS_CONFIRMATION:
        raise Http404
    _start_import(signed_in_user(request), batch, confirm_replace=True)
    return redirect("procurement:spend-file", batch_id=batch.pk)


@page_rule("procurement.spend_upload")
def spend_file_mapping(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = _batch_or_404(request, batch_id, Action.CHANGE)
    if batch.status != SpendBatch.Status.NEEDS_MAPPING or not batch.inspection:
        raise Http404
    inspection = batch.inspection
    form = ColumnMappingForm(
        request.POST or None, columns=inspection["columns"], proposal=inspection["proposal"]
    )
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        services.spend_mapping_confirm(actor=user, batch=batch, mapping=form.mapping())
        _start_import(user, batch, use_saved_mapping=True)
        return redirect("procurement:spend-file", batch_id=batch.pk)
    return render(
        request,
        "procurement/spend_file_mapping.html",
        {"batch": batch, "form": form, "inspection": inspection},
    )


def _filter_from(
    request: HttpRequest,
) -> tuple[SpendFilterForm, SpendFilter, list[tuple[str, str]]]:
    user = signed_in_user(request)
    bodies = [(b.code, str(b.name)) for b in selectors.bodies_with_spend(user)]
    form = SpendFilterForm(request.GET or None, bodies=bodies)
    spend = SpendFilter(bodies=tuple(code for code, _name in bodies))
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        spend = SpendFilter(
            bodies=(data["body"],) if data["body"] else spend.bodies,
            date_from=data["date_from"],
            date_to=data["date_to"],
            department=data["department"].strip(),
            category=data["category"].strip(),
            supplier=data["supplier"].strip(),
        )
    elif user.body is not None and any(code == user.body.code for code, _name in bodies):
        # First visit: the user's own body.
        spend = SpendFilter(bodies=(user.body.code,))
        form = SpendFilterForm({"body": user.body.code}, bodies=bodies)
        form.is_valid()
    return form, spend, bodies


def _query(request: HttpRequest, **changes: str) -> str:
    query = {k: v for k, v in request.GET.items() if k in FILTER_FIELDS and v}
    query.update({k: v for k, v in changes.items() if v})
    return urlencode(query)


@page_rule("procurement.spend")
def spend_overview(request: HttpRequest) -> HttpResponse:
    form, spend, bodies = _filter_from(request)
    user = signed_in_user(request)
    overview = selectors.spend_overview(user, spend) if bodies else None
    query = _query(request, body=spend.bodies[0] if len(spend.bodies) == 1 else "")
    return render(
        request,
        "procurement/spend_overview.html",
        {
            "form": form,
            "overview": overview,
            "query": query,
            "bodies": bodies,
            "spend": spend,
            "suppliers": _suppliers_summary(user, spend),
            "local": selectors.spend_local_share(user, spend) if bodies else None,
        },
    )


def _suppliers_summary(user: Any, spend: SpendFilter) -> Any:
    """One body's supplier overview, for its SME share beside the spend figures; only when
    nothing narrows the spend, since the suppliers cover all of the body's imported spend."""
    narrowed = (spend.date_from, spend.date_to, spend.department, spend.category, spend.supplier)
    if len(spend.bodies) != 1 or any(narrowed):
        return None
    body = selectors.supplier_bodies(user).filter(code=spend.bodies[0]).first()
    return selectors.supplier_overview(user, body) if body is not None else None


@page_rule("procurement.spend")
def spend_chart(request: HttpRequest, kind: str) -> HttpResponse:
    _form, spend, bodies = _filter_from(request)
    if kind == "local" and bodies:
        return _local_chart(request, spend)
    if kind not in {"month", "department", "category", "supplier"} or not bodies:
        raise Http404

    def render(overview: Any) -> str:
        rows_by_kind = {
            "month": (overview.by_month, _("Spend by month"), _("Month"), False),
            "department": (overview.by_department, _("Spend by department"), _("Department"), True),
            "category": (overview.by_category, _("Spend by category"), _("Category"), True),
            "supplier": (overview.top_suppliers, _("Top suppliers"), _("Supplier"), True),
        }
        shares, title, axis, horizontal = rows_by_kind[kind]
        spec = bar_chart(
            [{"label": spend_label(s.label), "amount": float(s.amount)} for s in shares],
            category="label",
            value="amount",
            title=title,
            category_title=axis,
            value_title=_("Spend (£)"),
            horizontal=horizontal,
        )
        return render_svg(spec)

    svg = selectors.spend_chart_svg(signed_in_user(request), spend, kind, render)
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


def _local_chart(request: HttpRequest, spend: SpendFilter) -> HttpResponse:
    local = selectors.spend_local_share(signed_in_user(request), spend)
    if local is None:
        raise Http404
    spec = bar_chart(
        [
            {"label": place_label(part), "amount": float(amount)}
            for part, amount, _share, _suppliers in local.share.parts()
        ],
        category="label",
        value="amount",
        title=_("Where the suppliers are"),
        category_title=_("Where"),
        value_title=_("Spend (£)"),
        horizontal=True,
    )
    svg = selectors.local_chart_svg(local, lambda: render_svg(spec))
    response = HttpResponse(svg, content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@page_rule("procurement.spend")
def spend_local_share_export(request: HttpRequest) -> HttpResponse:
    """The local share as CSV: one row per part, with its spend, share and suppliers."""
    _form, spend, bodies = _filter_from(request)
    local = selectors.spend_local_share(signed_in_user(request), spend) if bodies else None
    if local is None:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["body_code", "place", "label", "spend_gbp", "share", "suppliers"])
    for part, amount, share, suppliers in local.share.parts():
        writer.writerow(
            [
                local.body.code,
                part,
                spreadsheet_safe(place_label(part)),
                f"{amount:.2f}",
                "" if share is None else f"{share:.4f}",
                suppliers,
            ]
        )
    writer.writerow(
        [local.body.code, "total", spreadsheet_safe(_("Total")), f"{local.share.total:.2f}", "", ""]
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="local-share-{local.body.code}.csv"'
    return response


def _with_cluster(
    request: HttpRequest, spend: SpendFilter
) -> tuple[SpendFilter, dict[str, Any] | None]:
    """The filter narrowed to one supplier cluster's spellings (``?body=…&cluster=…``, the
    supplier page's drill-down), and the cluster; unchanged when no cluster is asked for."""
    cluster_id = request.GET.get("cluster", "")
    if not cluster_id:
        return spend, None
    if len(spend.bodies) != 1:
        raise Http404
    body = selectors.supplier_bodies(signed_in_user(request)).filter(code=spend.bodies[0]).first()
    overview = selectors.supplier_overview(signed_in_user(request), body) if body else None
    cluster = overview.cluster(cluster_id) if overview else None
    if cluster is None or cluster["is_excluded"]:
        raise Http404
    return replace(spend, supplier_names=tuple(cluster["spellings"])), cluster


@page_rule("procurement.spend")
def spend_lines(request: HttpRequest) -> HttpResponse:
    form, spend, bodies = _filter_from(request)
    spend, cluster = _with_cluster(request, spend)
    user = signed_in_user(request)
    export = request.GET.get("export", "")
    if export in ("csv", "xlsx"):
        rows = selectors.spend_lines(user, spend, limit=1_000_000) if bodies else []
        return _export(rows, export)
    page = request.GET.get("page", "")
    page_number = max(1, int(page)) if page.isdigit() else 1
    rows = (
        selectors.spend_lines(user, spend, limit=101, offset=(page_number - 1) * 100)
        if bodies
        else []
    )
    return render(
        request,
        "procurement/spend_lines.html",
        {
            "form": form,
            "rows": rows[:100],
            "has_next": len(rows) > 100,
            "page_number": page_number,
            "query": _query(request),
            "cluster": cluster,
            "correctable": category_selectors.bodies_user_may_correct(user, spend.bodies),
        },
    )


@page_rule("procurement.spend")
def spend_region(request: HttpRequest) -> HttpResponse:
    form, spend, bodies = _filter_from(request)
    # The regional view always compares every body the user can see, unless one is chosen.
    if not request.GET.get("body"):
        spend = SpendFilter(
            bodies=tuple(code for code, _name in bodies),
            date_from=spend.date_from,
            date_to=spend.date_to,
            department=spend.department,
            category=spend.category,
            supplier=spend.supplier,
        )
    region = selectors.spend_region(signed_in_user(request), spend) if bodies else None
    return render(
        request,
        "procurement/spend_region.html",
        {"form": form, "region": region, "query": _query(request)},
    )


@page_rule("procurement.spend")
def spend_duplicates(request: HttpRequest) -> HttpResponse:
    form, spend, bodies = _filter_from(request)
    pairs = selectors.spend_duplicates(signed_in_user(request), spend) if bodies else []
    return render(
        request,
        "procurement/spend_duplicates.html",
        {"form": form, "pairs": pairs, "query": _query(request)},
    )


EXPORT_COLUMNS = [
    "body_code",
    "batch_id",
    "line_number",
    "payment_date",
    "supplier",
    "amount_gbp",
    "department",
    "category",
    "transaction_ref",
    "invoice_ref",
    "description",
]


def _export(rows: list[dict[str, Any]], kind: str) -> HttpResponse:
    if kind == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            # Spreadsheet programs run cells that start with = + - @ as formulas: neutralise them.
            writer.writerow({k: spreadsheet_safe(v) for k, v in row.items()})
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="spend-lines.csv"'
        return response
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Spend lines")
    money = workbook.add_format({"num_format": "#,##0.00"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for column, name in enumerate(EXPORT_COLUMNS):
        sheet.write(0, column, name)
    for index, row in enumerate(rows, start=1):
        for column, name in enumerate(EXPORT_COLUMNS):
            value = row.get(name)
            if name == "amount_gbp" and value is not None:
                sheet.write_number(index, column, float(value), money)
            elif name == "payment_date" and value is not None:
                sheet.write_datetime(index, column, value, date_format)
            elif value is not None:
                sheet.write_string(index, column, str(value))
    workbook.close()
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="spend-lines.xlsx"'
    return response
