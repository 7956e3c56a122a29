"""Every write of the Adaption Lab: one audited function per use case.

Each takes the acting user, checks the permission policy, writes in one transaction and records
an audit entry. The plan rules live here: a draft experiment is edited freely; locking stores
the plan's canonical content and SHA-256 with a timestamp; after that a change is an amendment
with a reason, and randomisation happens only on a locked plan, so the allocation stays
concealed until the plan cannot quietly change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Visibility
from infuse.accounts.policy import (
    Action,
    BodyWorkspace,
    recorded_user,
    require_unless_system,
)
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError

from . import allocating
from .messages import AdaptionInputError
from .models import (
    FIT_DIMENSIONS,
    AdaptionAssessment,
    EvidenceLevel,
    Experiment,
    FitRating,
    Innovation,
    InnovationEvidence,
    OutcomeAnalysis,
    PlanAmendment,
    Randomisation,
    UnitList,
)
from .plans import plan_changes, plan_sha256
from .selectors import PLAN_FIELDS, allocation_plan_of, design_problem, lock_problems, plan_of

INNOVATION_FIELDS = (
    "title_en",
    "title_cy",
    "problem_en",
    "problem_cy",
    "summary_en",
    "summary_cy",
    "where_en",
    "where_cy",
    "evidence_level",
    "evidence_en",
    "evidence_cy",
    "core_elements_en",
    "core_elements_cy",
    "adaptable_elements_en",
    "adaptable_elements_cy",
    "cost_en",
    "cost_cy",
    "links",
    "visibility",
)
ASSESSMENT_FIELDS = ("fit", "adaptations", "risks", "decision", "decision_reason")

EDITABLE_PLAN_FIELDS = tuple(name for name in PLAN_FIELDS if name != "seed")


class AdaptionError(UserFacingError):
    """A refused Adaption Lab request, with the reason in the user's language."""


def _translated(error: AdaptionInputError) -> AdaptionError:
    return AdaptionError(error.message.text(_))


def _may_write_for(actor: Any, body: Any) -> None:
    require_unless_system(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))


# --- Innovation library -----------------------------------------------------------------------


@audited
@transaction.atomic
def innovation_save(
    *,
    actor: Any,
    body: Any,
    values: Mapping[str, Any],
    themes: list[Any] | None = None,
    goals: list[Any] | None = None,
    innovation: Innovation | None = None,
) -> Innovation:
    """Add an innovation to the library (``innovation`` None) or change one."""
    if innovation is None:
        _may_write_for(actor, body)
        innovation = Innovation(owner_body=body, created_by=recorded_user(actor))
        before = None
    else:
        require_unless_system(actor, Action.CHANGE, innovation)
        before = snapshot(innovation, INNOVATION_FIELDS)
    for name in INNOVATION_FIELDS:
        if name in values:
            setattr(innovation, name, values[name])
    for link in innovation.links or []:
        # Links are shown as anchors: only web addresses, never javascript: or data: URLs.
        if not str(link.get("url", "")).startswith(("https://", "http://")):
            raise AdaptionError(_("Links must be web addresses starting with https://."))
    if int(innovation.evidence_level or 0) not in range(1, 6):
        raise AdaptionError(_("Choose an evidence level from 1 to 5."))
    innovation.full_clean(exclude=["owner_body", "created_by"])
    innovation.save()
    if themes is not None:
        innovation.themes.set(themes)
    if goals is not None:
        innovation.goals.set(goals)
    audit_record(
        actor=actor,
        action="adaption.innovation_saved",
        target=innovation,
        body=innovation.owner_body,
        before=before,
        after=snapshot(innovation, INNOVATION_FIELDS),
    )
    return innovation


# --- Adopt/adapt assessment -------------------------------------------------------------------


def _clean_fit(fit: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    cleaned: dict[str, dict[str, str]] = {}
    ratings = set(FitRating.values)
    for key, _label, _question in FIT_DIMENSIONS:
        entry = fit.get(key) or {}
        rating = str(entry.get("rating") or FitRating.UNKNOWN)
        if rating not in ratings:
            raise AdaptionError(_("Choose how well it fits for each question."))
        cleaned[key] = {"rating": rating, "note": str(entry.get("note") or "")[:2000]}
    return cleaned


@audited
@transaction.atomic
def assessment_save(
    *,
    actor: Any,
    body: Any,
    innovation: Innovation,
    fit: Mapping[str, Any],
    adaptations: str = "",
    risks: str = "",
    decision: str = AdaptionAssessment.Decision.UNDECIDED,
    decision_reason: str = "",
    assessment: AdaptionAssessment | None = None,
) -> AdaptionAssessment:
    """Save an adopt/adapt assessment of ``innovation`` for ``body``.

    Deciding "test first" starts a draft experiment linked to the assessment (once), with the
    innovation's problem as a starting hypothesis for the team to sharpen.
    """
    if decision not in AdaptionAssessment.Decision.values:
        raise AdaptionError(_("Choose a decision."))
    if decision != AdaptionAssessment.Decision.UNDECIDED and not decision_reason.strip():
        raise AdaptionError(_("Say why you reached this decision."))
    if assessment is None:
        _may_write_for(actor, body)
        assessment = AdaptionAssessment(
            owner_body=body, created_by=recorded_user(actor), innovation=innovation
        )
        before = None
    else:
        require_unless_system(actor, Action.CHANGE, assessment)
        before = snapshot(assessment, ASSESSMENT_FIELDS)
    decided_now = decision != assessment.decision
    assessment.fit = _clean_fit(fit)
    assessment.adaptations = adaptations
    assessment.risks = risks
    assessment.decision = decision
    assessment.decision_reason = decision_reason
    if decided_now:
        assessment.decided_at = (
            timezone.now() if decision != AdaptionAssessment.Decision.UNDECIDED else None
        )
    assessment.save()
    audit_record(
        actor=actor,
        action="adaption.assessment_saved",
        target=assessment,
        body=assessment.owner_body,
        before=before,
        after=snapshot(assessment, ASSESSMENT_FIELDS),
    )
    if decision == AdaptionAssessment.Decision.TEST_FIRST and not hasattr(assessment, "experiment"):
        experiment_create(
            actor=actor,
            body=assessment.owner_body,
            title=_("Testing %(innovation)s") % {"innovation": innovation.title},
            innovation=innovation,
            assessment=assessment,
        )
    return assessment


# --- Experiments ------------------------------------------------------------------------------


def _new_seed() -> int:
    # A seed drawn once, shown in the plan and locked with it: nobody picks a "good" one.
    return secrets.randbelow(2**31)


@audited
@transaction.atomic
def experiment_create(
    *,
    actor: Any,
    body: Any,
    title: str,
    innovation: Innovation | None = None,
    assessment: AdaptionAssessment | None = None,
) -> Experiment:
    """Start a draft experiment for ``body``."""
    _may_write_for(actor, body)
    title = title.strip()
    if not title:
        raise AdaptionError(_("Give the experiment a title."))
    experiment = Experiment.objects.create(
        owner_body=body,
        created_by=recorded_user(actor),
        title=title[:200],
        innovation=innovation,
        assessment=assessment,
        hypothesis=str(innovation.problem) if innovation is not None else "",
        arms=["control", "intervention"],
        ratio=[1, 1],
        seed=_new_seed(),
    )
    audit_record(
        actor=actor,
        action="adaption.experiment_created",
        target=experiment,
        body=body,
        after=plan_of(experiment),
    )
    return experiment


def _check_design(values: Mapping[str, Any]) -> None:
    problem = design_problem(values)
    if problem:
        raise AdaptionError(problem)


@audited
@transaction.atomic
def experiment_update(
    *, actor: Any, experiment: Experiment, values: Mapping[str, Any]
) -> Experiment:
    """Change a draft experiment's plan. A locked plan changes only by amendment."""
    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.is_locked:
        raise AdaptionError(_("The plan is locked: record the change as an amendment."))
    before = plan_of(experiment)
    merged = {**before, **{k: v for k, v in values.items() if k in EDITABLE_PLAN_FIELDS}}
    _check_design(merged)
    for name in EDITABLE_PLAN_FIELDS:
        if name in values:
            setattr(experiment, name, values[name])
    experiment.save()
    audit_record(
        actor=actor,
        action="adaption.experiment_updated",
        target=experiment,
        body=experiment.owner_body,
        before=before,
        after=plan_of(experiment),
    )
    return experiment


@audited
@transaction.atomic
def experiment_lock(*, actor: Any, experiment: Experiment) -> Experiment:
    """Lock the plan: keep its content and SHA-256 with the time, before any outcome data."""
    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if experiment.is_locked:
        raise AdaptionError(_("The plan is already locked."))
    problems = lock_problems(experiment)
    if problems:
        raise AdaptionError(" ".join(problems))
    plan = plan_of(experiment)
    experiment.status = Experiment.Status.LOCKED
    experiment.locked_at = timezone.now()
    experiment.locked_by = recorded_user(actor)
    experiment.locked_plan = plan
    experiment.locked_sha256 = plan_sha256(plan)
    experiment.save()
    audit_record(
        actor=actor,
        action="adaption.plan_locked",
        target=experiment,
        body=experiment.owner_body,
        after={"plan_sha256": experiment.locked_sha256, "locked_at": experiment.locked_at},
    )
    return experiment


@audited
@transaction.atomic
def plan_amend(
    *, actor: Any, experiment: Experiment, reason: str, values: Mapping[str, Any]
) -> PlanAmendment:
    """Change a locked plan: the reason, what changed and the new fingerprint are kept.

    The seed and, once units are allocated, the design cannot change: a new allocation would
    no longer be the one the plan promised.
    """
    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not experiment.is_locked:
        raise AdaptionError(_("The plan is not locked yet: change it directly."))
    if not reason.strip():
        raise AdaptionError(_("Say why the plan is being amended."))
    before = plan_of(experiment)
    changes = {k: v for k, v in values.items() if k in EDITABLE_PLAN_FIELDS}
    allocated = Randomisation.objects.filter(experiment=experiment).exists()
    allocation_fields = {"design", "arms", "ratio", "strata_columns", "cluster_column", "periods"}
    if allocated and any(before.get(k) != v for k, v in changes.items() if k in allocation_fields):
        raise AdaptionError(
            _("Units are already allocated, so the design, arms and strata cannot change.")
        )
    _check_design({**before, **changes})
    for name, value in changes.items():
        setattr(experiment, name, value)
    after = plan_of(experiment)
    difference = plan_changes(before, after)
    if not difference:
        raise AdaptionError(_("Nothing in the plan changed."))
    experiment.save()
    amendment = PlanAmendment.objects.create(
        experiment=experiment,
        number=experiment.amendments.count() + 1,
        reason=reason.strip(),
        changes=difference,
        plan=after,
        plan_sha256=plan_sha256(after),
        created_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="adaption.plan_amended",
        target=experiment,
        body=experiment.owner_body,
        before={name: pair[0] for name, pair in difference.items()},
        after={
            **{name: pair[1] for name, pair in difference.items()},
            "amendment": amendment.number,
            "plan_sha256": amendment.plan_sha256,
        },
    )
    return amendment


@audited
@transaction.atomic
def experiment_publish(*, actor: Any, experiment: Experiment) -> Experiment:
    """Make a locked plan public, so anyone can read it and check its fingerprint."""
    require_unless_system(actor, Action.SHARE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not experiment.is_locked:
        raise AdaptionError(_("Only a locked plan can be published."))
    before = snapshot(experiment, ("visibility",))
    experiment.visibility = Visibility.PUBLIC
    experiment.save(update_fields=["visibility", "updated_at"])
    audit_record(
        actor=actor,
        action="adaption.plan_published",
        target=experiment,
        body=experiment.owner_body,
        before=before,
        after=snapshot(experiment, ("visibility",)),
    )
    return experiment


@audited
@transaction.atomic
def experiment_decide(
    *, actor: Any, experiment: Experiment, decision: str, reason: str
) -> Experiment:
    """Record the decision the analysis led to: scale, adapt or stop, with the reasons.

    The experiment's innovation (if it came from the library) gains a line of regional
    evidence whatever the result, so null results are seen too. Only a decision to scale
    raises the innovation's Nesta level, to 3 for a comparison-group design or 2 for a time
    series without one: a null or harmful result shows no impact to stand on.
    """
    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    analysis = experiment.analyses.first()
    if analysis is None:
        raise AdaptionError(_("Analyse the outcome data before recording a decision."))
    if decision not in Experiment.Decision.values:
        raise AdaptionError(_("Choose scale, adapt or stop."))
    if not reason.strip():
        raise AdaptionError(_("Give the reasons for the decision."))
    fields = ("decision", "decision_reason", "decided_at")
    before = snapshot(experiment, fields)
    experiment.decision = decision
    experiment.decision_reason = reason.strip()
    experiment.decided_at = timezone.now()
    experiment.decided_by = recorded_user(actor)
    experiment.save(update_fields=[*fields, "decided_by", "updated_at"])
    innovation = experiment.innovation or (
        experiment.assessment.innovation if experiment.assessment is not None else None
    )
    if innovation is not None:
        level = (
            EvidenceLevel.CORRELATION
            if experiment.design == Experiment.Design.INTERRUPTED_TIME_SERIES
            else EvidenceLevel.CAUSATION
        )
        InnovationEvidence.objects.update_or_create(
            experiment=experiment,
            defaults={
                "innovation": innovation,
                "level": level,
                "summary": f"{experiment.owner_body}: {experiment.title}. "
                f"{Experiment.Decision(decision).label}. {reason.strip()}"[:2000],
            },
        )
        if decision == Experiment.Decision.SCALE and innovation.evidence_level < level:
            level_before = snapshot(innovation, ("evidence_level",))
            innovation.evidence_level = level
            innovation.save(update_fields=["evidence_level", "updated_at"])
            audit_record(
                actor=actor,
                action="adaption.innovation_evidence_raised",
                target=innovation,
                body=innovation.owner_body,
                before=level_before,
                after=snapshot(innovation, ("evidence_level",)),
            )
    audit_record(
        actor=actor,
        action="adaption.experiment_decided",
        target=experiment,
        body=experiment.owner_body,
        before=before,
        after=snapshot(experiment, fields),
    )
    return experiment


# --- Units and randomisation ------------------------------------------------------------------


@audited
@transaction.atomic
def units_upload(
    *, actor: Any, experiment: Experiment, file_name: str, content: bytes, id_column: str = ""
) -> UnitList:
    """Keep the list of units to randomise (replacing an earlier list until allocation)."""
    require_unless_system(actor, Action.CHANGE, experiment)
    if not experiment.is_randomised_design:
        raise AdaptionError(_("This design is not randomised, so there are no units to allocate."))
    if Randomisation.objects.filter(experiment=experiment).exists():
        raise AdaptionError(_("Units are already allocated; the list cannot change."))
    try:
        units = allocating.read_units(content, id_column=id_column or None)
    except AdaptionInputError as error:
        raise _translated(error) from error
    previous = UnitList.objects.filter(experiment=experiment).first()
    before = snapshot(previous, ("file_name", "file_sha256", "unit_count")) if previous else None
    if previous is not None:
        previous.delete()
    unit_list = UnitList(
        experiment=experiment,
        file_name=Path(file_name).name[:255] or "units.csv",
        file_sha256=units.sha256,
        id_column=units.id_column,
        columns=units.columns,
        unit_count=units.frame.height,
        uploaded_by=recorded_user(actor),
    )
    unit_list.upload.save(unit_list.file_name, ContentFile(content), save=False)
    unit_list.save()
    audit_record(
        actor=actor,
        action="adaption.units_uploaded",
        target=experiment,
        body=experiment.owner_body,
        before=before,
        after=snapshot(unit_list, ("file_name", "file_sha256", "unit_count", "id_column")),
    )
    return unit_list


@audited
@transaction.atomic
def experiment_randomise(*, actor: Any, experiment: Experiment) -> Randomisation:
    """Allocate the uploaded units with the locked plan's design and seed (once)."""
    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not experiment.is_locked:
        raise AdaptionError(
            _("Lock the plan first: the allocation stays hidden until the plan cannot change.")
        )
    if Randomisation.objects.filter(experiment=experiment).exists():
        raise AdaptionError(_("The units are already allocated."))
    unit_list = UnitList.objects.filter(experiment=experiment).first()
    if unit_list is None:
        raise AdaptionError(_("Upload the list of units first."))
    with unit_list.upload.open("rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != unit_list.file_sha256:
        raise AdaptionError(_("The stored list of units has changed since it was uploaded."))
    try:
        units = allocating.read_units(content, id_column=unit_list.id_column)
        outcome = allocating.allocate(units, allocation_plan_of(experiment), seed=experiment.seed)
    except AdaptionInputError as error:
        raise _translated(error) from error
    record = outcome.allocation.record.as_dict()
    randomisation = Randomisation(
        experiment=experiment,
        record=record,
        arm_counts=outcome.allocation.arm_counts(),
        balance=json.loads(outcome.balance.write_json()) if outcome.balance.height else [],
        schedule=(
            outcome.allocation.schedule.to_dicts()
            if outcome.allocation.schedule is not None
            else None
        ),
        created_by=recorded_user(actor),
    )
    randomisation.allocation.save(
        f"allocation-{experiment.pk}.csv",
        ContentFile(allocating.allocation_csv(outcome)),
        save=False,
    )
    randomisation.save()
    audit_record(
        actor=actor,
        action="adaption.units_randomised",
        target=experiment,
        body=experiment.owner_body,
        after={
            "seed": record["seed"],
            "algorithm": record["algorithm"],
            "algorithm_version": record["algorithm_version"],
            "input_sha256": record["input_sha256"],
            "allocation_sha256": record["allocation_sha256"],
            "arm_counts": randomisation.arm_counts,
        },
    )
    return randomisation


# --- Outcome data and analysis ----------------------------------------------------------------


@audited
@transaction.atomic
def outcomes_upload(
    *,
    actor: Any,
    experiment: Experiment,
    file_name: str,
    content: bytes,
    outcome_column: str,
    period_column: str = "period",
) -> OutcomeAnalysis:
    """Check outcome data against the locked plan's allocation and analyse it as planned.

    Only a locked, randomised experiment takes outcome data. Each upload is kept as its own
    record; a refused file leaves everything as it was. A stepped-wedge trial's file has a
    row per cluster and ``period_column`` (or per person in them).
    """
    import polars as pl

    from . import analysis

    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not experiment.accepts_outcome_data:
        raise AdaptionError(_("Lock the plan before uploading outcome data."))
    randomisation = Randomisation.objects.filter(experiment=experiment).first()
    if randomisation is None:
        raise AdaptionError(_("Randomise the units before uploading outcome data."))
    if experiment.design == Experiment.Design.STEPPED_WEDGE:
        return _stepped_wedge_outcomes(
            actor=actor,
            experiment=experiment,
            randomisation=randomisation,
            file_name=file_name,
            content=content,
            outcome_column=outcome_column,
            period_column=period_column,
        )
    unit_list = experiment.units
    try:
        frame, id_column, column = allocating.read_outcomes(
            content, id_column=unit_list.id_column, outcome_column=outcome_column
        )
    except AdaptionInputError as error:
        raise _translated(error) from error
    with unit_list.upload.open("rb") as stored:
        baseline = allocating.read_units(stored.read(), id_column=unit_list.id_column).frame
    # Baseline columns (covariates, clusters) come from the units list unless the outcome file
    # repeats them.
    extra = [name for name in baseline.columns if name not in frame.columns]
    if extra:
        frame = frame.join(baseline.select(id_column, *extra), on=id_column, how="left")
    with randomisation.allocation.open("rb") as stored:
        allocation = pl.read_csv(stored.read(), infer_schema=False)
    plan = allocation_plan_of(experiment)
    arms = list(randomisation.arm_counts)
    ratio = (
        dict(zip(arms, plan.ratio_or_equal(), strict=False))
        if plan.ratio
        else {arm: 1 for arm in arms}
    )
    try:
        checks, analysable = analysis.outcome_checks(
            allocation,
            frame,
            id_column=id_column,
            arm_column="arm",
            outcome_column=column,
            planned_ratio=ratio,
        )
        cluster = (
            plan.cluster_column
            if experiment.design == Experiment.Design.CLUSTER
            and plan.cluster_column
            and plan.cluster_column in analysable.columns
            and plan.cluster_column != id_column
            else None
        )
        comparisons = analysis.itt_analysis(
            analysable,
            arms=arms,
            arm_column="arm",
            outcome_column=column,
            outcome_type=experiment.outcome_type,
            covariates=experiment.covariates,
            cluster_column=cluster,
            correction=experiment.correction,
            confidence=1 - float(experiment.alpha),
            seed=experiment.seed,
        )
    except AdaptionInputError as error:
        raise _translated(error) from error
    return _analysis_keep(
        actor=actor,
        experiment=experiment,
        file_name=file_name,
        content=content,
        outcome_column=column,
        checks=checks.as_dict(),
        results={
            "comparisons": [dataclasses.asdict(comparison) for comparison in comparisons],
            "cluster_level": cluster is not None,
        },
        audit={"analysed_by_arm": checks.analysed_by_arm},
    )


#: The analysis each non-randomised design runs (see :mod:`.analysis_requests`).
QUASI_METHOD = {
    Experiment.Design.DIFFERENCE_IN_DIFFERENCES: "did",
    Experiment.Design.SYNTHETIC_CONTROL: "synth",
    Experiment.Design.INTERRUPTED_TIME_SERIES: "its",
}


@audited
@transaction.atomic
def observational_outcomes_upload(
    *,
    actor: Any,
    experiment: Experiment,
    file_name: str,
    content: bytes,
    options: Mapping[str, Any],
) -> OutcomeAnalysis:
    """Outcome data of a design that could not be randomised (difference-in-differences,
    synthetic control, interrupted time series), analysed as its locked plan says.

    ``options`` name the file's columns and the design's settings; a staggered
    difference-in-differences is chosen when ``first_treated`` is given. A refused file
    changes nothing.
    """
    from .analysis_requests import quasi_analysis

    require_unless_system(actor, Action.CHANGE, experiment)
    experiment = Experiment.objects.select_for_update().get(pk=experiment.pk)
    if not experiment.accepts_outcome_data:
        raise AdaptionError(_("Lock the plan before uploading outcome data."))
    method = QUASI_METHOD.get(experiment.design)  # type: ignore[call-overload]
    if method is None:
        raise AdaptionError(_("This design is randomised: upload outcomes against its allocation."))
    if method == "did" and options.get("first_treated"):
        method = "staggered"
    try:
        frame, _notes = allocating.read_table(content)
        answer = quasi_analysis(
            method,
            frame,
            {**options, "confidence": 1 - float(experiment.alpha)},
            translate=_,
        )
    except AdaptionInputError as error:
        raise _translated(error) from error
    outcome = str(options.get("outcome", ""))
    return _analysis_keep(
        actor=actor,
        experiment=experiment,
        file_name=file_name,
        content=content,
        outcome_column=outcome,
        checks={"rows": frame.height},
        results={
            "quasi": answer,
            "options": {key: value for key, value in options.items() if value not in ("", None)},
        },
        audit={"method": method},
    )


def _stepped_wedge_outcomes(
    *,
    actor: Any,
    experiment: Experiment,
    randomisation: Randomisation,
    file_name: str,
    content: bytes,
    outcome_column: str,
    period_column: str,
) -> OutcomeAnalysis:
    """Outcomes of a stepped-wedge trial, analysed with period and cluster effects."""
    import polars as pl

    from . import stepped_wedge
    from .messages import as_plain

    plan = allocation_plan_of(experiment)
    cluster_key = plan.cluster_column or experiment.units.id_column
    with randomisation.allocation.open("rb") as stored:
        allocation = pl.read_csv(stored.read(), infer_schema=False)
    schedule = allocation.select(
        pl.col(cluster_key).alias("_cluster"), pl.col("first_treated_period").alias("_first")
    ).unique("_cluster")
    try:
        frame, cluster, period, outcome = allocating.read_panel_outcomes(
            content,
            cluster_column=cluster_key,
            period_column=period_column,
            outcome_column=outcome_column,
        )
        joined = frame.with_columns(pl.col(cluster).cast(pl.String).alias("_cluster")).join(
            schedule, on="_cluster", how="left"
        )
        unknown = joined.filter(pl.col("_first").is_null()).get_column("_cluster").unique()
        analysable = joined.filter(pl.col("_first").is_not_null())
        result = stepped_wedge.stepped_wedge_effect(
            analysable,
            cluster="_cluster",
            period=period,
            outcome=outcome,
            first_treated="_first",
            confidence=1 - float(experiment.alpha),
            seed=experiment.seed or 0,
        )
    except AdaptionInputError as error:
        raise _translated(error) from error
    checks = {
        "clusters_allocated": schedule.height,
        "clusters_with_outcomes": result.clusters,
        "unknown_clusters": sorted(unknown.to_list())[:50],
        "missing_cluster_periods": result.missing_cluster_periods[:100],
        "rows_analysed": result.observations,
    }
    return _analysis_keep(
        actor=actor,
        experiment=experiment,
        file_name=file_name,
        content=content,
        outcome_column=outcome,
        checks=checks,
        results={
            "stepped_wedge": as_plain(
                dataclasses.replace(result, cluster_period_means=[], notes=[])
            ),
            "notes": [note.text(_) for note in result.notes],
            "period_column": period,
        },
        audit={"clusters_with_outcomes": result.clusters},
    )


def _analysis_keep(
    *,
    actor: Any,
    experiment: Experiment,
    file_name: str,
    content: bytes,
    outcome_column: str,
    checks: dict[str, Any],
    results: dict[str, Any],
    audit: dict[str, Any],
) -> OutcomeAnalysis:
    """Keep an upload and its analysis (every design's), stamped with the plan it followed,
    and record it in the audit trail."""
    record = OutcomeAnalysis(
        experiment=experiment,
        file_name=Path(file_name).name[:255] or "outcomes.csv",
        file_sha256=hashlib.sha256(content).hexdigest(),
        outcome_column=outcome_column[:100],
        checks=checks,
        results={
            **results,
            "alpha": str(experiment.alpha),
            "plan_sha256": experiment.locked_sha256,
            "amendments": experiment.amendments.count(),
        },
        uploaded_by=recorded_user(actor),
    )
    record.upload.save(record.file_name, ContentFile(content), save=False)
    record.save()
    audit_record(
        actor=actor,
        action="adaption.outcomes_analysed",
        target=experiment,
        body=experiment.owner_body,
        after={"file_sha256": record.file_sha256, "outcome_column": outcome_column, **audit},
    )
    return record
