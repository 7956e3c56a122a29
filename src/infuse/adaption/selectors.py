"""Reads for the Adaption Lab's pages and API, narrowed by the permission policy."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from infuse.accounts.policy import visible_filter

from . import allocating
from .models import AdaptionAssessment, Experiment, Innovation, Randomisation


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
