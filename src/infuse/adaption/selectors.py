"""Reads for the Adaption Lab's pages and API, narrowed by the permission policy."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from infuse.accounts.policy import visible_filter

from . import allocating
from .models import AdaptionAssessment, Experiment, Innovation, Randomisation

#: The fields that make up the analysis plan, in the order reports show them.
PLAN_FIELDS = (
    "title",
    "hypothesis",
    "primary_outcome",
    "outcome_type",
    "outcome_measure",
    "outcome_timing",
    "secondary_outcomes",
    "unit",
    "eligibility",
    "design",
    "arms",
    "ratio",
    "strata_columns",
    "cluster_column",
    "periods",
    "non_randomised_plan",
    "power_design",
    "power_inputs",
    "power_summary",
    "estimator",
    "covariates",
    "alpha",
    "correction",
    "stopping_rule",
    "seed",
)


def innovations_visible_to(
    user: Any, *, theme: str = "", evidence_level: int | None = None, text: str = ""
) -> QuerySet[Innovation]:
    """The library as ``user`` may see it, optionally narrowed by theme slug, level and words."""
    innovations = Innovation.objects.filter(visible_filter(user)).prefetch_related("themes")
    if theme:
        innovations = innovations.filter(themes__slug=theme)
    if evidence_level:
        innovations = innovations.filter(evidence_level__gte=evidence_level)
    for word in text.split()[:6]:
        innovations = innovations.filter(
            Q(title_en__icontains=word)
            | Q(title_cy__icontains=word)
            | Q(problem_en__icontains=word)
            | Q(problem_cy__icontains=word)
            | Q(where_en__icontains=word)
        )
    return innovations.distinct().order_by("-evidence_level", "title_en")


def innovation_for(user: Any, innovation_id: int) -> Innovation | None:
    return (
        Innovation.objects.filter(visible_filter(user), pk=innovation_id)
        .prefetch_related("themes", "goals")
        .select_related("owner_body")
        .first()
    )


def assessments_visible_to(user: Any) -> QuerySet[AdaptionAssessment]:
    return AdaptionAssessment.objects.filter(visible_filter(user)).select_related(
        "innovation", "owner_body"
    )


def assessment_for(user: Any, assessment_id: int) -> AdaptionAssessment | None:
    return assessments_visible_to(user).filter(pk=assessment_id).first()


def experiments_visible_to(user: Any) -> QuerySet[Experiment]:
    return Experiment.objects.filter(visible_filter(user)).select_related("owner_body")


def experiment_for(user: Any, experiment_id: int) -> Experiment | None:
    return (
        experiments_visible_to(user)
        .select_related("innovation", "assessment", "locked_by")
        .filter(pk=experiment_id)
        .first()
    )


def randomisation_reproduces(randomisation: Randomisation) -> bool:
    """Whether running the stored units, design and seed again gives the stored allocation."""
    experiment = randomisation.experiment
    unit_list = experiment.units
    with unit_list.upload.open("rb") as stored:
        units = allocating.read_units(stored.read(), id_column=unit_list.id_column)
    plan = allocation_plan_of(experiment)
    again = allocating.allocate(units, plan, seed=int(randomisation.record["seed"]))
    return bool(
        again.allocation.record.allocation_sha256 == randomisation.record["allocation_sha256"]
    )


def plan_of(experiment: Experiment) -> dict[str, Any]:
    """The experiment's analysis plan as JSON values (decimals as their text)."""
    plan: dict[str, Any] = {}
    for name in PLAN_FIELDS:
        value = getattr(experiment, name)
        # The level as the user wrote it (0.05, not 0.050), so an unchanged form changes nothing.
        plan[name] = str(Decimal(value).normalize()) if name == "alpha" else value
    return plan


def design_problem(values: Mapping[str, Any]) -> str | None:
    """What is wrong with a plan's design fields, in words, or None when they hold together."""
    arms = values.get("arms") or []
    ratio = values.get("ratio") or []
    design = values.get("design")
    randomised = design not in {"did", "synthetic_control", "its"}
    if randomised and design != Experiment.Design.STEPPED_WEDGE:
        if len(arms) < 2 or len(set(arms)) != len(arms):
            return str(_("Give at least two arms, each with its own name."))
        if len(ratio) != len(arms) or any(int(part) < 1 for part in ratio):
            return str(_("Give one whole-number ratio of 1 or more for each arm."))
    if design == Experiment.Design.STRATIFIED and not values.get("strata_columns"):
        return str(_("A stratified design needs at least one column to stratify by."))
    if design in {Experiment.Design.CLUSTER} and not values.get("cluster_column"):
        return str(_("A cluster design needs the column that names each unit's cluster."))
    if design == Experiment.Design.STEPPED_WEDGE and int(values.get("periods") or 0) < 2:
        return str(_("A stepped-wedge design needs at least 2 periods."))
    if not randomised and not str(values.get("non_randomised_plan") or "").strip():
        return str(
            _("Without randomisation, describe the comparison: which groups, periods and data.")
        )
    return None


def lock_problems(experiment: Experiment) -> list[str]:
    """What must be filled in before the plan can be locked (empty when ready)."""
    problems = []
    if not experiment.hypothesis.strip():
        problems.append(_("Write the hypothesis."))
    if not experiment.primary_outcome.strip():
        problems.append(_("Name the primary outcome."))
    if not experiment.outcome_measure.strip():
        problems.append(_("Say how the primary outcome is measured."))
    if not experiment.outcome_timing.strip():
        problems.append(_("Say when the primary outcome is measured."))
    if not experiment.eligibility.strip():
        problems.append(_("Say who or what is eligible."))
    if not experiment.power_summary.strip():
        problems.append(_("Work out the sample size or power and save it to the plan."))
    problem = design_problem(plan_of(experiment))
    if problem:
        problems.append(problem)
    return problems


def allocation_plan_of(experiment: Experiment) -> allocating.AllocationPlan:
    """The randomisation the plan describes (block sizes of two and three ratio totals)."""
    design = {
        Experiment.Design.INDIVIDUAL: "simple",
        Experiment.Design.AB: "simple",
        Experiment.Design.STRATIFIED: "stratified" if experiment.strata_columns else "blocked",
        Experiment.Design.CLUSTER: "cluster",
        Experiment.Design.STEPPED_WEDGE: "stepped-wedge",
    }[Experiment.Design(experiment.design)]
    total = sum(int(part) for part in experiment.ratio) if experiment.ratio else 2
    return allocating.AllocationPlan(
        design=design,
        arms=tuple(experiment.arms),
        ratio=tuple(int(part) for part in experiment.ratio),
        strata_columns=tuple(experiment.strata_columns),
        cluster_column=experiment.cluster_column or None,
        block_sizes=(2 * total, 3 * total) if design in {"blocked", "stratified"} else (),
        periods=experiment.periods,
    )


def result_summary(experiment: Experiment) -> dict[str, Any] | None:
    """The newest analysis in the shape the results pages and report show: the primary effect
    with its interval, whether the interval excludes no effect, and the flow of units (a
    CONSORT-style count from allocation to analysis). None before any outcome data."""
    analysis = experiment.analyses.first()
    if analysis is None:
        return None
    results, checks = analysis.results, analysis.checks
    if "quasi" in results:
        answer = results["quasi"]
        result = answer["result"]
        method = answer["method"]
        if method == "its":
            level = result["level_change"]
            effect = {"estimate": level["estimate"], "ci_low": level["ci_low"],
                      "ci_high": level["ci_high"], "scale": level["scale"]}  # fmt: skip
        elif method == "staggered":
            effect = dict(result["overall"])
        elif method == "synth":
            effect = {"estimate": result["average_effect"], "ci_low": None, "ci_high": None}
        else:
            effect = {key: result[key] for key in ("estimate", "ci_low", "ci_high")}
        flow = [{"label": _("Rows analysed"), "count": checks["rows"]}]
        comparisons = [
            {
                "arm": _("After the change"),
                "control": _("without it"),
                "headline": answer["headline"],
                **effect,
            }
        ]
    elif "stepped_wedge" in results:
        effect = results["stepped_wedge"]["effect"]
        flow = [
            {
                "label": _("Clusters randomised to a crossing-over time"),
                "count": checks["clusters_allocated"],
            },
            {"label": _("Clusters with outcome data"), "count": checks["clusters_with_outcomes"]},
            {
                "label": _("Cluster-periods with no outcome"),
                "count": len(checks["missing_cluster_periods"]),
            },
            {"label": _("Rows analysed"), "count": checks["rows_analysed"]},
        ]
        comparisons = [
            {"arm": _("Intervention periods"), "control": _("control periods"), **effect}
        ]
    else:
        flow = [
            {
                "label": _("Randomised"),
                "count": sum(checks["allocated_by_arm"].values()),
            },
            *(
                {
                    "label": _("Allocated to %(arm)s") % {"arm": arm},
                    "count": count,
                    "missing": checks["missing_by_arm"].get(arm, 0),
                    "analysed": checks["analysed_by_arm"].get(arm, 0),
                }
                for arm, count in checks["allocated_by_arm"].items()
            ),
        ]
        comparisons = [
            {"arm": comparison["arm"], "control": comparison["control"], **comparison["primary"]}
            for comparison in results["comparisons"]
        ]
    for comparison in comparisons:
        low, high = comparison.get("ci_low"), comparison.get("ci_high")
        no_effect = 1.0 if comparison.get("scale") == "ratio" else 0.0
        comparison["clear"] = (
            low is not None and high is not None and (low > no_effect or high < no_effect)
        )
    return {
        "analysis": analysis,
        "comparisons": comparisons,
        "flow": flow,
        "stepped_wedge": "stepped_wedge" in results,
    }
