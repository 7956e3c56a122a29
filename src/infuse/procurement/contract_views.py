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
from django.utils.translation import gettext_lazy

from infuse.accounts.policy import may_open, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.reference.models import Body
from infuse.web.charts import bar_chart, render_svg

from . import contract_selectors as selectors
from .contract_services import contract_file_import
from .forms import ContractFilterForm, ContractUploadForm

PAGE_SIZE = 50

# What each indicator flags, in a sentence (definitions, thresholds and sources:
# docs/procurement/red-flags.md).
INDICATOR_TITLES = {
    "R003": gettext_lazy("Tender period shorter than the threshold"),
    "R018": gettext_lazy("Only one tenderer in a competitive procedure"),
    "R024": gettext_lazy("Winning bid unusually close to the second-lowest bid"),
    "R025": gettext_lazy("Tenderer that bids often but wins unusually rarely"),
    "R028": gettext_lazy("Identical bid prices from different tenderers"),
    "R030": gettext_lazy("Winning bid submitted after the tender period closed"),
    "R035": gettext_lazy("Every bid but the winner's disqualified"),
    "R036": gettext_lazy("Lowest bid disqualified while a valid bid exists"),
    "R038": gettext_lazy("Unusually high share of disqualified bids"),
    "R048": gettext_lazy("Supplier winning across unusually many kinds of work"),
    "R058": gettext_lazy("Winning bid unusually far below the second-lowest bid"),
    "UK001": gettext_lazy("Contract value far above the tender's estimate"),
    "UK002": gettext_lazy("Very short tender period for high-value work"),
    "UK003": gettext_lazy("Repeated direct awards to one supplier"),
    "UK004": gettext_lazy("Value just below a procurement threshold"),
    "UK005": gettext_lazy("Supplier paid far more than the contract value"),
}


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
                imported = contract_file_import(
                    actor=user,
                    body=body,
                    file_name=chosen.name,
                    content=chosen.read(),
                    visibility=upload.cleaned_data["visibility"],
                )
            except UserFacingError as error:
                upload.add_error("contract_file", str(error))
            else:
                done = (
                    _("%(file)s: %(releases)s register lines read, %(contracts)s contracts.")
                    if imported.kind == imported.Kind.REGISTER
                    else _("%(file)s: %(releases)s releases read, %(contracts)s contracts.")
                )
                messages.success(
                    request,
                    done
                    % {
                        "file": imported.file_name,
                        "releases": imported.releases_read,
                        "contracts": imported.contracts_read,
                    },
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
            "spend_bodies": selectors.contract_spend_bodies(user, with_contracts),
        },
    )


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


@page_rule("procurement.contracts")
def contract_red_flags(request: HttpRequest, body_code: str) -> HttpResponse:
    user = signed_in_user(request)
    body = Body.objects.filter(code=body_code).first()
    if body is None or body not in selectors.red_flag_bodies(user):
        raise Http404
    flags = [_titled(flag) for flag in selectors.contract_red_flags(body)]
    contracts_by_ocid = {
        r.ocid: r.pk for r in selectors.contracts_visible(user).filter(owner_body=body)
    }
    for flag in flags:
        flag["contract_id"] = contracts_by_ocid.get(flag["id"]) if flag["group"] == "OCID" else None
    return render(
        request,
        "procurement/contract_red_flags.html",
        {"body": body, "flags": flags, "titles": INDICATOR_TITLES},
    )
