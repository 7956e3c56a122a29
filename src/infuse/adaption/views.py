"""Adaption Lab pages: the innovation library, adopt/adapt, experiment design, power,
pre-registration and randomisation."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infuse.accounts.policy import (
    Action,
    can,
    may_author_for_own_body,
    page_rule,
    signed_in_user,
)
from infuse.errors import UserFacingError
from infuse.web.charts import interval_chart, line_chart, render_svg

from . import selectors, services
from .forms import (
    AmendmentForm,
    AssessmentForm,
    DecisionForm,
    ExperimentDesignForm,
    ExperimentStartForm,
    InnovationFilterForm,
    InnovationForm,
    ObservationalOutcomesForm,
    OutcomesUploadForm,
    UnitsUploadForm,
    power_form_class,
)
from .models import FIT_DIMENSIONS, AdaptionAssessment, Experiment, Innovation, OutcomeAnalysis
from .power_requests import DESIGNS, PowerAnswer, PowerRequestError, power_answer
from .selectors import PLAN_FIELDS


def _experiment_or_404(
    request: HttpRequest, experiment_id: int, action: Action = Action.VIEW
) -> Experiment:
    experiment = selectors.experiment_for(request.user, experiment_id)
    if experiment is None or not can(request.user, action, experiment):
        raise Http404
    return experiment


@page_rule("adaption.lab")
def lab_home(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "adaption/home.html",
        {
            "experiments": selectors.experiments_visible_to(user)[:20],
            "assessments": selectors.assessments_visible_to(user)[:10],
            "innovation_count": selectors.innovations_visible_to(user).count(),
            "may_write": may_author_for_own_body(request.user),
        },
    )


# --- Innovation library and adopt/adapt -------------------------------------------------------


@page_rule("adaption.lab")
def innovation_list(request: HttpRequest) -> HttpResponse:
    form = InnovationFilterForm(request.GET or None)
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "theme": form.cleaned_data["theme"] or "",
            "evidence_level": form.cleaned_data["level"],
            "text": form.cleaned_data["q"] or "",
        }
    innovations = selectors.innovations_visible_to(request.user, **filters)
    return render(
        request,
        "adaption/innovation_list.html",
        {
            "form": form,
            "innovations": innovations,
            "may_write": may_author_for_own_body(request.user),
        },
    )


@page_rule("adaption.lab")
def innovation_detail(request: HttpRequest, innovation_id: int) -> HttpResponse:
    innovation = selectors.innovation_for(request.user, innovation_id)
    if innovation is None:
        raise Http404
    assessments = selectors.assessments_visible_to(request.user).filter(innovation=innovation)
    return render(
        request,
        "adaption/innovation_detail.html",
        {
            "innovation": innovation,
            "assessments": assessments,
            "may_write": may_author_for_own_body(request.user),
            "may_change": can(request.user, Action.CHANGE, innovation),
        },
    )


@page_rule("adaption.lab")
def innovation_edit(request: HttpRequest, innovation_id: int | None = None) -> HttpResponse:
    innovation = None
    if innovation_id is not None:
        innovation = selectors.innovation_for(request.user, innovation_id)
        if innovation is None or not can(request.user, Action.CHANGE, innovation):
            raise Http404
    elif not may_author_for_own_body(request.user):
        raise Http404
    form = InnovationForm(request.POST or None, instance=innovation)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            saved = services.innovation_save(
                actor=user,
                body=innovation.owner_body if innovation else user.body,
                values=form.values(),
                themes=list(form.cleaned_data["themes"]),
                goals=list(form.cleaned_data["goals"]),
                innovation=Innovation.objects.get(pk=innovation.pk) if innovation else None,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Innovation saved to the library."))
            return redirect("adaption:innovation", innovation_id=saved.pk)
    return render(
        request, "adaption/innovation_form.html", {"form": form, "innovation": innovation}
    )


def _assessment_page(
    request: HttpRequest,
    innovation: Innovation,
    assessment: AdaptionAssessment | None,
) -> HttpResponse:
    user = signed_in_user(request)
    initial = AssessmentForm.initial_from(assessment) if assessment else None
    form = AssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.assessment_save(
                actor=user,
                body=assessment.owner_body if assessment else user.body,
                innovation=innovation,
                fit=form.fit(),
                adaptations=form.cleaned_data["adaptations"],
                risks=form.cleaned_data["risks"],
                decision=form.cleaned_data["decision"],
                decision_reason=form.cleaned_data["decision_reason"],
                assessment=assessment,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            if saved.decision == AdaptionAssessment.Decision.TEST_FIRST:
                messages.success(request, _("Assessment saved. An experiment has been started."))
                return redirect("adaption:experiment", experiment_id=saved.experiment.pk)
            messages.success(request, _("Assessment saved."))
            return redirect("adaption:assessment", assessment_id=saved.pk)
    return render(
        request,
        "adaption/assessment_form.html",
        {"form": form, "innovation": innovation, "assessment": assessment},
    )


@page_rule("adaption.lab")
def assessment_new(request: HttpRequest, innovation_id: int) -> HttpResponse:
    innovation = selectors.innovation_for(request.user, innovation_id)
    if innovation is None or not may_author_for_own_body(request.user):
        raise Http404
    return _assessment_page(request, innovation, None)


@page_rule("adaption.lab")
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = selectors.assessment_for(request.user, assessment_id)
    if assessment is None:
        raise Http404
    if request.GET.get("edit") or request.method == "POST":
        if not can(request.user, Action.CHANGE, assessment):
            raise Http404
        return _assessment_page(request, assessment.innovation, assessment)
    fit = [
        (label, question, assessment.fit.get(key, {})) for key, label, question in FIT_DIMENSIONS
    ]
    return render(
        request,
        "adaption/assessment_detail.html",
        {
            "assessment": assessment,
            "fit": fit,
            "may_change": can(request.user, Action.CHANGE, assessment),
            "experiment": getattr(assessment, "experiment", None),
        },
    )


# --- Experiments ------------------------------------------------------------------------------


@page_rule("adaption.lab")
def experiment_new(request: HttpRequest) -> HttpResponse:
    if not may_author_for_own_body(request.user):
        raise Http404
    form = ExperimentStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            experiment = services.experiment_create(
                actor=user, body=user.body, title=form.cleaned_data["title"]
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("adaption:experiment-design", experiment_id=experiment.pk)
    return render(request, "adaption/experiment_new.html", {"form": form})


def _plan_rows(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """The locked plan as (label, text) rows for the report, every field shown."""
    labels = {
        name: getattr(Experiment._meta.get_field(name), "verbose_name", name)
        for name in PLAN_FIELDS
    }
    labels["power_design"] = _("Power calculation")
    labels["power_inputs"] = _("Power calculation inputs")
    rows = []
    for name in PLAN_FIELDS:
        value = plan.get(name)
        if isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        elif isinstance(value, dict):
            text = "; ".join(f"{key} = {item}" for key, item in value.items() if item is not None)
        else:
            text = "" if value is None else str(value)
        rows.append((str(labels[name]), text or "—"))
    return rows


def _schedule_by_period(schedule: list[dict[str, Any]] | None) -> list[tuple[int, list[str]]]:
    """A stepped-wedge schedule as (period, clusters treated in it), period by period."""
    by_period: dict[int, list[str]] = {}
    for cell in schedule or []:
        cluster = next(str(v) for k, v in cell.items() if k not in {"period", "treated"})
        treated = by_period.setdefault(int(cell["period"]), [])
        if cell["treated"]:
            treated.append(cluster)
    return sorted(by_period.items())


@page_rule("adaption.plan")
def experiment_detail(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id)
    may_change = can(request.user, Action.CHANGE, experiment)
    randomisation = getattr(experiment, "randomisation", None)
    unit_list = getattr(experiment, "units", None)
    analysis = experiment.analyses.first()
    return render(
        request,
        "adaption/experiment_detail.html",
        {
            "experiment": experiment,
            "may_change": may_change,
            "may_share": can(request.user, Action.SHARE, experiment),
            "lock_problems": selectors.lock_problems(experiment)
            if not experiment.is_locked
            else [],
            "amendments": experiment.amendments.select_related("created_by"),
            "randomisation": randomisation,
            "unit_list": unit_list,
            # Allocation stays concealed until the plan is locked (and so it is only ever made
            # after locking); a public reader sees counts, not who is in which arm.
            "show_allocation": randomisation is not None and may_change,
            "schedule": _schedule_by_period(randomisation.schedule) if randomisation else [],
            "analysis": analysis,
            "quasi_chart": _analysis_chart(
                analysis,
                "quasi",
                lambda: _quasi_chart(analysis.results["quasi"], analysis.outcome_column),
            )
            if analysis is not None and "quasi" in analysis.results
            else "",
            "results_chart": _analysis_chart(analysis, "results", lambda: _results_chart(analysis))
            if analysis is not None
            else "",
        },
    )


def _design_page(request: HttpRequest, experiment: Experiment, *, amend: bool) -> HttpResponse:
    form_class = AmendmentForm if amend else ExperimentDesignForm
    form = form_class(request.POST or None, instance=experiment)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        # ModelForm validation wrote the values on the instance: read afresh before saving.
        fresh = Experiment.objects.get(pk=experiment.pk)
        try:
            if amend:
                services.plan_amend(
                    actor=user,
                    experiment=fresh,
                    reason=form.cleaned_data["reason"],
                    values=form.plan_values(),
                )
                messages.success(request, _("Amendment recorded."))
            else:
                services.experiment_update(actor=user, experiment=fresh, values=form.plan_values())
                messages.success(request, _("Plan saved."))
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request,
        "adaption/experiment_design.html",
        {"form": form, "experiment": experiment, "amend": amend},
    )


@page_rule("adaption.lab")
def experiment_design(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    if experiment.is_locked:
        return redirect("adaption:experiment-amend", experiment_id=experiment.pk)
    return _design_page(request, experiment, amend=False)


@page_rule("adaption.lab")
def experiment_amend(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    if not experiment.is_locked:
        return redirect("adaption:experiment-design", experiment_id=experiment.pk)
    return _design_page(request, experiment, amend=True)


@page_rule("adaption.lab")
def experiment_lock(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    error = ""
    if request.method == "POST":
        try:
            services.experiment_lock(actor=signed_in_user(request), experiment=experiment)
        except UserFacingError as problem:
            error = str(problem)
        else:
            messages.success(request, _("The plan is locked."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request,
        "adaption/experiment_lock.html",
        {
            "experiment": experiment,
            "problems": selectors.lock_problems(experiment) if not experiment.is_locked else [],
            "error": error,
        },
    )


@require_POST
@page_rule("adaption.lab")
def experiment_publish(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.SHARE)
    try:
        services.experiment_publish(actor=signed_in_user(request), experiment=experiment)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The locked plan is published: anyone with the link can read it.")
        )
    return redirect("adaption:experiment", experiment_id=experiment.pk)


@page_rule("adaption.lab")
def experiment_units(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    form = UnitsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["units_file"]
        try:
            services.units_upload(
                actor=signed_in_user(request),
                experiment=experiment,
                file_name=upload.name,
                content=upload.read(),
                id_column=form.cleaned_data["id_column"],
            )
        except UserFacingError as error:
            form.add_error("units_file", str(error))
        else:
            messages.success(request, _("List of units saved."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request,
        "adaption/experiment_units.html",
        {"experiment": experiment, "form": form, "unit_list": getattr(experiment, "units", None)},
    )


@page_rule("adaption.lab")
def experiment_outcomes(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    if not experiment.is_locked:
        raise Http404
    method = services.QUASI_METHOD.get(experiment.design)  # type: ignore[call-overload]
    if method is not None:
        return _observational_outcomes(request, experiment, method)
    stepped_wedge = experiment.design == Experiment.Design.STEPPED_WEDGE
    form = OutcomesUploadForm(
        request.POST or None,
        request.FILES or None,
        initial={
            "outcome_column": experiment.analyses.values_list("outcome_column", flat=True).first()
            or "outcome",
            "period_column": "period",
        },
        stepped_wedge=stepped_wedge,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["outcomes_file"]
        try:
            services.outcomes_upload(
                actor=signed_in_user(request),
                experiment=experiment,
                file_name=upload.name,
                content=upload.read(),
                outcome_column=form.cleaned_data["outcome_column"],
                period_column=form.cleaned_data.get("period_column") or "period",
            )
        except UserFacingError as error:
            form.add_error("outcomes_file", str(error))
        else:
            messages.success(request, _("Outcome data checked and analysed."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request, "adaption/experiment_outcomes.html", {"experiment": experiment, "form": form}
    )


@require_POST
@page_rule("adaption.lab")
def experiment_randomise(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    try:
        services.experiment_randomise(actor=signed_in_user(request), experiment=experiment)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Units allocated."))
    return redirect("adaption:experiment", experiment_id=experiment.pk)


@page_rule("adaption.lab")
def experiment_allocation(request: HttpRequest, experiment_id: int) -> HttpResponse | FileResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    randomisation = getattr(experiment, "randomisation", None)
    if randomisation is None:
        raise Http404
    if request.GET.get("check"):
        if selectors.randomisation_reproduces(randomisation):
            messages.success(request, _("Checked: running it again gives the same allocation."))
        else:
            messages.error(request, _("Running it again gives a different allocation."))
        return redirect("adaption:experiment", experiment_id=experiment.pk)
    return FileResponse(
        randomisation.allocation.open("rb"),
        as_attachment=True,
        filename=f"allocation-{experiment.pk}.csv",
        content_type="text/csv; charset=utf-8",
    )


def _observational_outcomes(
    request: HttpRequest, experiment: Experiment, method: str
) -> HttpResponse:
    form = ObservationalOutcomesForm(request.POST or None, request.FILES or None, method=method)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["outcomes_file"]
        try:
            services.observational_outcomes_upload(
                actor=signed_in_user(request),
                experiment=experiment,
                file_name=upload.name,
                content=upload.read(),
                options=form.options(),
            )
        except UserFacingError as error:
            form.add_error("outcomes_file", str(error))
        else:
            messages.success(request, _("Outcome data checked and analysed."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request, "adaption/experiment_outcomes.html", {"experiment": experiment, "form": form}
    )


def _analysis_chart(analysis: OutcomeAnalysis, kind: str, render: Callable[[], str]) -> str:
    """A kept analysis never changes (a new upload is a new record), so its chart is drawn once
    per language and reused: rendering SVG costs more than the rest of the page."""
    key = f"adaption-chart:{kind}:{analysis.pk}:{get_language() or 'en'}"
    return str(cache.get_or_set(key, render, CHART_CACHE_SECONDS))


#: How long a drawn results chart is kept.
CHART_CACHE_SECONDS = 24 * 60 * 60


def _results_chart(analysis: OutcomeAnalysis) -> str:
    """A trial's picture: each arm's effect with its interval, or a stepped wedge's outcomes
    over time in clusters not yet started and started."""
    results = analysis.results
    if "stepped_wedge" in results:
        rows = []
        started, waiting = _("Clusters started"), _("Clusters not yet started")
        for row in results["stepped_wedge"]["means_by_period"]:
            for name, key in ((waiting, "control"), (started, "intervention")):
                if row.get(key) is not None:
                    rows.append({"period": row["period"], "value": row[key], "line": name})
        spec = line_chart(
            rows,
            x="period",
            y="value",
            series="line",
            share_axis=False,
            title=_("Average outcome by period and condition"),
            x_title=_("Period"),
            y_title=analysis.outcome_column,
        )
    elif "comparisons" in results:
        rows = [
            {
                "arm": _("%(arm)s against %(control)s")
                % {"arm": comparison["arm"], "control": comparison["control"]},
                "estimate": comparison["primary"]["estimate"],
                "low": comparison["primary"]["ci_low"],
                "high": comparison["primary"]["ci_high"],
            }
            for comparison in results["comparisons"]
        ]
        spec = interval_chart(
            rows,
            label="arm",
            title=_("Each difference with its interval"),
            x_title=_("Difference in %(outcome)s") % {"outcome": analysis.outcome_column},
        )
    else:
        return ""
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(spec).encode()).decode()


def _quasi_chart(answer: dict[str, Any], outcome: str) -> str:
    """The picture of a non-randomised analysis: actual against synthetic, observed against
    the series without the change, the event study, or the four means of a 2 x 2."""
    result, method = answer["result"], answer["method"]
    rows: list[dict[str, Any]] = []
    x_rule = y_rule = None
    if method == "synth":
        actual, synthetic = _("Actual"), _("Synthetic control")
        for period, value, blend in zip(
            result["periods"], result["treated"], result["synthetic"], strict=True
        ):
            rows += [
                {"period": period, "value": value, "line": actual},
                {"period": period, "value": blend, "line": synthetic},
            ]
        x_rule, title, x_title = result["start"], _("Actual and synthetic control"), _("Period")
    elif method == "its":
        names = (_("Observed"), _("Fitted"), _("Without the change"))
        for index, period in enumerate(result["time"]):
            for name, key in zip(names, ("observed", "fitted", "counterfactual"), strict=True):
                rows.append({"period": period, "value": result[key][index], "line": name})
        x_rule = result["time"][result["periods_before"]]
        title, x_title = _("The series, and the series without the change"), _("Period")
    elif method == "staggered":
        effect, low, high = _("Effect"), _("Lower band"), _("Upper band")
        for row in result["event_study"]:
            rows += [
                {"period": row["event_time"], "value": row["estimate"], "line": effect},
                {"period": row["event_time"], "value": row["band_low"], "line": low},
                {"period": row["event_time"], "value": row["band_high"], "line": high},
            ]
        x_rule, y_rule = -0.5, 0.0
        title, x_title = (
            _("Effect by periods since the start (event study)"),
            _("Periods since the start"),
        )
    else:
        means = result["means"]
        treated, comparison = _("Treated group"), _("Comparison group")
        rows = [
            {"period": 0, "value": means["treated_before"], "line": treated},
            {"period": 1, "value": means["treated_after"], "line": treated},
            {"period": 0, "value": means["comparison_before"], "line": comparison},
            {"period": 1, "value": means["comparison_after"], "line": comparison},
        ]
        title, x_title = _("Before (0) and after (1), by group"), _("Period")
    spec = line_chart(
        rows,
        x="period",
        y="value",
        series="line",
        share_axis=False,
        title=title,
        x_title=x_title,
        y_title=outcome or _("Outcome"),
        x_rule=x_rule,
        y_rule=y_rule,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(spec).encode()).decode()


@page_rule("adaption.lab")
def experiment_decision(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    summary = selectors.result_summary(experiment)
    if summary is None:
        raise Http404
    form = DecisionForm(
        request.POST or None,
        initial={"decision": experiment.decision, "reason": experiment.decision_reason},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.experiment_decide(
                actor=signed_in_user(request),
                experiment=experiment,
                decision=form.cleaned_data["decision"],
                reason=form.cleaned_data["reason"],
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    return render(
        request,
        "adaption/experiment_decision.html",
        {"experiment": experiment, "form": form, "summary": summary},
    )


def _summary_context(experiment: Experiment) -> dict[str, Any]:
    summary = selectors.result_summary(experiment)
    if summary is None:
        raise Http404
    return {
        "experiment": experiment,
        "summary": summary,
        "evidence": getattr(experiment, "evidence_added", None),
    }


@page_rule("adaption.plan")
def experiment_summary(request: HttpRequest, experiment_id: int) -> HttpResponse:
    """The one-page summary of what happened, for anyone the experiment is shared with (the
    public once the plan is published), whatever the result."""
    experiment = _experiment_or_404(request, experiment_id)
    return render(request, "adaption/results_summary.html", _summary_context(experiment))


@page_rule("adaption.plan")
def experiment_results_pdf(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id)
    from weasyprint import HTML

    html = render_to_string(
        "adaption/results_report.html", _summary_context(experiment), request=request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="results-{experiment.pk}.pdf"'
    return response


@page_rule("adaption.plan")
def experiment_plan_pdf(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id)
    if not experiment.is_locked:
        raise Http404
    from weasyprint import HTML

    html = render_to_string(
        "adaption/plan_report.html",
        {
            "experiment": experiment,
            "plan_rows": _plan_rows(experiment.locked_plan or {}),
            "amendments": experiment.amendments.select_related("created_by"),
            "randomisation": getattr(experiment, "randomisation", None),
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="plan-{experiment.pk}.pdf"'
    return response


# --- Power ------------------------------------------------------------------------------------


def _curve_chart(answer: PowerAnswer) -> str:
    spec = line_chart(
        [{"size": point.size, "power": point.power} for point in answer.curve],
        x="size",
        y="power",
        title=_("Power as the size changes"),
        x_title=_(answer.size_label),
        y_title=_("Power"),
        y_rule=0.8,
    )
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(spec).encode()).decode()


def _power_context(design_name: str, data: Any) -> dict[str, Any]:
    """The calculator for ``design_name`` filled from ``data`` (a query string or a post)."""
    design = DESIGNS.get(design_name)
    if design is None:
        raise Http404
    submitted = {key: value for key, value in data.items() if key in {"calculate", "save"}}
    form = power_form_class(design)(data if submitted else None)
    answer = None
    chart = ""
    if submitted and form.is_valid():
        raw = {name: value for name, value in form.cleaned_data.items() if name != "solve"}
        if design.solve_among:
            raw[form.cleaned_data["solve"]] = None
        try:
            answer = power_answer(design.name, raw)
        except PowerRequestError as error:
            form.add_error(None, error.message.text(_))
        else:
            chart = _curve_chart(answer) if answer.curve else ""
    return {
        "designs": DESIGNS.values(),
        "design": design,
        "form": form,
        "answer": answer,
        "headline": answer.headline.text(_) if answer else "",
        "chart": chart,
    }


@page_rule("adaption.lab")
def power_calculator(request: HttpRequest, design: str = "two-means") -> HttpResponse:
    return render(request, "adaption/power.html", _power_context(design, request.GET))


@page_rule("adaption.lab")
def experiment_power(request: HttpRequest, experiment_id: int) -> HttpResponse:
    experiment = _experiment_or_404(request, experiment_id, Action.CHANGE)
    data = request.POST if request.method == "POST" else request.GET
    design_name = data.get("design") or experiment.power_design or "two-means"
    context = _power_context(design_name, data)
    if request.method == "POST" and "save" in data and context["answer"] is not None:
        answer: PowerAnswer = context["answer"]
        values = {
            "power_design": answer.design,
            "power_inputs": {
                **{name: value for name, value in answer.inputs.items()},
                "solved_for": answer.solved_for,
            },
            "power_summary": context["headline"],
        }
        try:
            if experiment.is_locked:
                services.plan_amend(
                    actor=signed_in_user(request),
                    experiment=experiment,
                    reason=request.POST.get("reason", ""),
                    values=values,
                )
            else:
                services.experiment_update(
                    actor=signed_in_user(request), experiment=experiment, values=values
                )
        except UserFacingError as error:
            context["form"].add_error(None, str(error))
        else:
            messages.success(request, _("Power calculation saved to the plan."))
            return redirect("adaption:experiment", experiment_id=experiment.pk)
    context["experiment"] = experiment
    return render(request, "adaption/power.html", context)
