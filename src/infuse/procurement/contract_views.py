"""Contract pages: contracts across the region with their end dates, one contract, importing
an OCDS file, and the red flags raised on a body's contracts (thin views over
:mod:`contract_selectors` and :mod:`contract_services`)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infuse.accounts.policy import may_open, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.reference.models import Body
from infuse.web.charts import bar_chart, render_svg

from . import contract_selectors as selectors
from .contract_services import contract_import_start
from .forms import ContractFilterForm, ContractUploadForm
from .redflag_settings import INDICATOR_TITLES

PAGE_SIZE = 50


def _upload_form(request: HttpRequest, user: Any) -> ContractUploadForm | None:
    if not may_open(user, "procurement.contracts_import"):
        return None
    return ContractUploadForm(
        request.POST or None if request.method == "POST" else None,
        request.FILES or None if request.method == "POST" else None,
        user=user,
    )


@page_rule("procurement.contracts")
def contracts(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    upload = _upload_form(request, user)
    if request.method == "POST":
        if upload is None:
            raise Http404
        if upload.is_valid():
            body = upload.chosen_body()
            chosen = upload.cleaned_data["contract_file"]
            try:
                contract_import_start(
                    actor=user,
                    body=body,
                    file_name=chosen.name,
                    content=chosen.read(),
                    visibility=upload.cleaned_data["visibility"],
                )
            except UserFacingError as error:
                upload.add_error("contract_file", str(error))
            else:
                messages.success(
                    request,
                    _("%(file)s is loading. Its progress is shown under “Files you are loading”.")
                    % {"file": chosen.name},
                )
                return redirect(f"{request.path}?body={body.code}")
    with_contracts = selectors.contract_bodies(user)
    bodies = [(b.code, str(b.name)) for b in with_contracts]
    filters = ContractFilterForm(request.GET or None, bodies=bodies)
    body_code, ending, text = "", None, ""
    if filters.is_valid():
        body_code = filters.cleaned_data["body"]
        ending = int(filters.cleaned_data["ending"]) if filters.cleaned_data["ending"] else None
        text = filters.cleaned_data["q"].strip()
    records = selectors.contracts_filtered(
        user, body_code=body_code, ending_months=ending, text=text
    )
    page = Paginator(records, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    evidence = selectors.collaboration_evidence(user, shown)
    rows = [(record, evidence.get(record.pk, [])) for record in shown]
    return render(
        request,
        "procurement/contracts.html",
        {
            "upload": upload,
            "filters": filters,
            "page": page,
            "rows": rows,
            "red_flag_bodies": selectors.red_flag_bodies(user),
            **(_imports(user) if upload else {}),
            "spend_bodies": selectors.contract_spend_bodies(user, with_contracts),
        },
    )


@page_rule("procurement.contracts_import")
def contract_imports(request: HttpRequest) -> HttpResponse:
    """The files the user is loading, with their progress (the contracts page polls this)."""
    return render(request, "procurement/_contract_imports.html", _imports(signed_in_user(request)))


def _imports(user: Any) -> dict[str, Any]:
    imports = selectors.contract_imports_recent(user)
    return {"imports": imports, "loading": any(not job.finished for job in imports)}


@page_rule("procurement.contracts")
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    user = signed_in_user(request)
    record = selectors.contracts_visible(user).filter(pk=contract_id).first()
    if record is None:
        raise Http404
    flags: list[dict[str, Any]] = []
    if record.owner_body in selectors.red_flag_bodies(user):
        flags = [
            _titled(flag)
            for flag in selectors.contract_red_flags(record.owner_body)
            if flag["group"] == "OCID" and flag["id"] == record.ocid
        ]
    problems = selectors.file_problems(record.source_file) if record.source_file else []
    spend = selectors.contract_spend_of_body(user, record.owner_body)
    return render(
        request,
        "procurement/contract_detail.html",
        {
            "record": record,
            "flags": flags,
            "problems": problems,
            "spend": spend,
            "contract_spend": spend.spend.per_contract.get(record.pk) if spend else None,
            "supplier_matches": spend.matches.get(record.pk, []) if spend else [],
        },
    )


@page_rule("procurement.contracts")
def contract_spend(request: HttpRequest, body_code: str) -> HttpResponse:
    """A body's spend on and off its contracts: the four parts with a chart (``?format=svg``)
    and a table, each contract's spend in its period, and a CSV of both (``?format=csv``)."""
    user = signed_in_user(request)
    body = Body.objects.filter(code=body_code).first()
    if body is None:
        raise Http404
    spend = selectors.contract_spend_of_body(user, body)
    if spend is None:  # none of the body's spend is visible to the user
        raise Http404
    export = request.GET.get("format", "")
    if export == "svg":
        spec = bar_chart(
            [
                {"part": str(part["label"]), "amount": float(part["amount"])}
                for part in spend.parts()
            ],
            category="part",
            value="amount",
            title=_("Spend on and off contract"),
            category_title=_("Part of the ledger"),
            value_title=_("£"),
        )
        response = HttpResponse(render_svg(spec), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=300"
        return response
    if export == "csv":
        return _contract_spend_csv(body, spend)
    return render(request, "procurement/contract_spend.html", {"body": body, "spend": spend})


def _contract_spend_csv(body: Any, spend: Any) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Part of the ledger"), _("Amount (£)"), _("Payments")])
    for part in spend.parts():
        writer.writerow([str(part["label"]), part["amount"], part["lines"]])
    writer.writerow([_("Total"), spend.spend.total.amount, spend.spend.total.lines])
    writer.writerow([])
    writer.writerow(
        [
            _("OCID"),
            _("Contract"),
            _("Suppliers"),
            _("Contract starts"),
            _("Contract ends"),
            _("Value (£)"),
            _("Spend in its period (£)"),
            _("Payments"),
        ]
    )
    for row in spend.contract_rows():
        record, paid = row["record"], row["spend"]
        writer.writerow(
            [
                record.ocid,
                record.title,
                "; ".join(record.suppliers),
                record.contract_start or "",
                record.contract_end or "",
                record.value if record.value is not None else "",
                paid.amount if paid else "",
                paid.lines if paid else "",
            ]
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="contract-spend-{body.code}.csv"'
    return response


def _titled(flag: dict[str, Any]) -> dict[str, Any]:
    evidence = {
        key: value
        for key, value in flag.items()
        if key not in ("group", "id", "indicator", "value")
    }
    return {
        **flag,
        "title": INDICATOR_TITLES.get(flag["indicator"], flag["indicator"]),
        "evidence": evidence,
    }
