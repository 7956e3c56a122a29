"""Spend categories pages: a body's categorisation (figures, model, run now), its rules
(add, edit, preview, delete), and corrections of lines (set, undo)."""

from __future__ import annotations

from typing import Any

import polars as pl
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from infuse.accounts.policy import page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.jobs.services import job_start
from infuse.reference.models import Body
from infuse.warehouse.store import default_store

from . import categories, category_services
from . import category_selectors as selectors
from .forms_categories import RULE_FIELD_LABELS, CategoryCorrectionForm, CategoryRuleForm
from .models import CategoryCorrection, CategoryRule, SpendBatch
from .tasks import spend_categorise

NOTES = {
    "model_body": gettext_lazy("The model was trained on this body's own categorised lines."),
    "model_starting": gettext_lazy(
        "This body has too few categorised lines to train its own model, so the starting "
        "model trained on Trafford Council's ProClass-coded ledger was used."
    ),
    "no_model": gettext_lazy(
        "No model was used: this body has too few categorised lines and the starting set "
        "(Trafford Council's ledger in the shared data) is not available here. Lines no "
        "correction, code or rule decides are Unclassified."
    ),
}


def _body(request: HttpRequest, body_code: str) -> Body:
    body = Body.objects.filter(code=body_code).first()
    if body is None or not selectors.may_see_category_workings(request.user, body):
        raise Http404
    return body


def _may_change(request: HttpRequest, body: Body) -> bool:
    return selectors.may_change_categories(request.user, body)


@page_rule("procurement.spend")
def category_overview(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _body(request, body_code)
    may_change = _may_change(request, body)
    if request.method == "POST":
        if not may_change:
            raise Http404
        user = signed_in_user(request)
        job = job_start(
            actor=user,
            kind="procurement.spend_categorise",
            label=_("Categorising the spend of %(body)s") % {"body": body.name},
            task=spend_categorise,
            body=body,
            body_id=body.pk,
        )
        messages.success(request, _("Categorisation has started."))
        return redirect("jobs:detail", job_id=job.pk)
    run = selectors.latest_run(body)
    names = selectors.category_names()
    rules = [
        {"rule": r, "field_label": RULE_FIELD_LABELS.get(r.field, r.field),
         "category": names.get(r.category_code, r.category_code)}
        for r in selectors.body_rules(body)
    ]  # fmt: skip
    corrections = [
        {"correction": c, "category": names.get(c.category_code, c.category_code)}
        for c in selectors.body_corrections(body)[:200]
    ]
    sources = []
    if run is not None:
        labels = {
            categories.SOURCE_CORRECTION: _("Analysts' corrections"),
            categories.SOURCE_CODE: _("Code in the file"),
            categories.SOURCE_RULE: _("Rules"),
            categories.SOURCE_MODEL: _("Text model"),
            categories.SOURCE_UNCLASSIFIED: _("Unclassified"),
        }
        sources = [
            {
                "label": labels[source],
                "lines": run.counts.get(source, 0),
                "amount": run.amounts.get(source, 0.0),
                "share": (run.counts.get(source, 0) / run.lines) if run.lines else 0.0,
            }
            for source in categories.SOURCES
        ]
    return render(
        request,
        "procurement/categories.html",
        {
            "body": body,
            "run": run,
            "sources": sources,
            "notes": [NOTES[n] for n in (run.notes if run else []) if n in NOTES],
            "model": run.model if run else None,
            "rules": rules,
            "corrections": corrections,
            "may_change": may_change,
            "has_spend": bool(selectors.live_batch_paths(body)),
        },
    )


@page_rule("procurement.spend")
def category_rule_edit(
    request: HttpRequest, body_code: str, rule_id: int | None = None
) -> HttpResponse:
    body = _body(request, body_code)
    if not _may_change(request, body):
        raise Http404
    rule = None
    if rule_id is not None:
        rule = CategoryRule.objects.filter(owner_body=body, pk=rule_id).first()
        if rule is None:
            raise Http404
    user = signed_in_user(request)
    action = request.POST.get("action", "save")
    if request.method == "POST" and action == "delete" and rule is not None:
        category_services.category_rule_delete(actor=user, rule=rule)
        messages.success(request, _("The rule was deleted."))
        return redirect("procurement:categories", body_code=body.code)
    choices = categories.category_choices(categories.proclass())
    initial = (
        {
            "name": rule.name,
            "field": rule.field,
            "pattern": rule.pattern,
            "category_code": rule.category_code,
            "position": rule.position,
            "enabled": rule.enabled,
        }
        if rule
        else None
    )
    form = CategoryRuleForm(request.POST or None, initial=initial, choices=choices)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if action == "preview":
                preview = _preview(body, rule, data)
            else:
                category_services.category_rule_save(actor=user, body=body, rule=rule, **data)
                messages.success(
                    request,
                    _("The rule was saved. It applies from the next categorisation."),
                )
                return redirect("procurement:categories", body_code=body.code)
        except UserFacingError as error:
            form.add_error("pattern", str(error))
    return render(
        request,
        "procurement/category_rule.html",
        {"body": body, "rule": rule, "form": form, "preview": preview},
    )


def _preview(body: Body, rule: CategoryRule | None, data: dict[str, Any]) -> dict[str, Any] | None:
    """How many lines and £ the rule would change, against the latest categorisation."""
    checked = category_services.rule_checked(
        field=data["field"], pattern=data["pattern"], category_code=data["category_code"],
        name=data["name"],
    )  # fmt: skip
    run = selectors.latest_run(body)
    files = selectors.live_batch_paths(body)
    if run is None or not files:
        return None
    store = default_store()
    columns = ", ".join(categories.LINE_COLUMNS)
    lines_and_side = store.query(
        f"SELECT {columns}, category_assigned, category_source FROM lines "  # noqa: S608
        "WHERE body_code = ? "
        "ORDER BY batch_id, line_number",
        [*files, run.parquet_path],
        [body.code],
    )
    frame = pl.from_arrow(lines_and_side)
    assert isinstance(frame, pl.DataFrame)
    others = [
        r
        for r in selectors.body_rules(body).filter(enabled=True)
        if rule is None or r.pk != rule.pk
    ]
    earlier = [
        categories.Rule(r.pattern, r.field, r.category_code, r.name)
        for r in others
        if r.position <= data["position"]
    ]
    return categories.rule_effect(
        frame, frame.select("category_assigned", "category_source"), checked, len(earlier),
        earlier,
    )  # fmt: skip


@page_rule("procurement.spend")
def category_correct(request: HttpRequest, body_code: str) -> HttpResponse:
    body = _body(request, body_code)
    if not _may_change(request, body):
        raise Http404
    batch_id, line_number = request.GET.get("batch", ""), request.GET.get("line", "")
    if not (batch_id.isdigit() and line_number.isdigit()):
        raise Http404
    batch = SpendBatch.objects.filter(
        owner_body=body, pk=int(batch_id), status=SpendBatch.Status.LIVE
    ).first()
    line = (
        selectors.line_for(request.user, body, int(batch_id), int(line_number)) if batch else None
    )
    if batch is None or line is None:
        raise Http404
    withheld = bool(line["is_personal"] or line["is_redacted"])
    form = CategoryCorrectionForm(
        request.POST or None, choices=categories.category_choices(categories.proclass())
    )
    if withheld:
        # No person's name is kept in a correction: withheld payees are corrected line by line.
        form.fields["scope"].choices = [  # type: ignore[attr-defined]
            c for c in CategoryCorrection.Scope.choices if c[0] != "supplier"
        ]
    if request.method == "POST" and form.is_valid():
        scope = form.cleaned_data["scope"]
        value = {"supplier": line["supplier_name"], "expense_type": line["expense_type"]}.get(
            scope, ""
        )
        try:
            category_services.category_correct(
                actor=signed_in_user(request),
                body=body,
                scope=scope,
                category_code=form.cleaned_data["category_code"],
                batch=batch,
                line_number=int(line_number),
                value=value or "",
            )
        except UserFacingError as error:
            form.add_error("scope", str(error))
        else:
            messages.success(
                request, _("The correction is kept. It applies from the next categorisation.")
            )
            return redirect("procurement:categories", body_code=body.code)
    return render(
        request,
        "procurement/category_correct.html",
        {"body": body, "line": line, "form": form, "withheld": withheld, "batch": batch},
    )


@require_POST
@page_rule("procurement.spend")
def category_correction_undo(
    request: HttpRequest, body_code: str, correction_id: int
) -> HttpResponse:
    body = _body(request, body_code)
    if not _may_change(request, body):
        raise Http404
    correction = CategoryCorrection.objects.filter(owner_body=body, pk=correction_id).first()
    if correction is None:
        raise Http404
    category_services.category_correction_undo(actor=signed_in_user(request), correction=correction)
    messages.success(
        request, _("The correction was undone. It stops applying from the next categorisation.")
    )
    return redirect("procurement:categories", body_code=body.code)
