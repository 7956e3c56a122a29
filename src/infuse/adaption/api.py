"""The Adaption Lab through the API: power, randomisation, the library and experiments.

Power and randomisation are the same engines as the pages and ``infuse power`` /
``infuse randomise``; experiments follow the same permission policy as the pages.
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import ConfigDict

from infuse.accounts.policy import signed_in_user
from infuse.api_schemas import AUTH_ERRORS, NOT_FOUND, POST_ERRORS, ErrorOut

from . import allocating, selectors
from .analysis_requests import quasi_analysis
from .messages import AdaptionInputError
from .power_requests import power_answer

router = Router(tags=["adaption"])

AllocationDesign = Literal["simple", "blocked", "stratified", "cluster", "stepped-wedge"]
PowerDesign = Literal[
    "two-means", "two-proportions", "cluster", "stepped-wedge", "multi-arm", "simulation"
]

BAD_INPUT: dict[int, type[Schema]] = {400: ErrorOut, **POST_ERRORS}


class PowerIn(Schema):
    """Options of a power calculation; leave out (or null) the one to solve for."""

    model_config = ConfigDict(extra="forbid")

    n: float | None = None
    delta: float | None = None
    sd: float | None = None
    power: float | None = None
    alpha: float | None = None
    alternative: str | None = None
    ratio: float | None = None
    p1: float | None = None
    p2: float | None = None
    clusters: float | None = None
    cluster_size: float | None = None
    icc: float | None = None
    cv: float | None = None
    periods: float | None = None
    arms: float | None = None
    adjustment: str | None = None
    model: str | None = None
    simulations: float | None = None
    seed: float | None = None


class CurvePointOut(Schema):
    size: float
    power: float


class CurveOut(Schema):
    size: str
    points: list[CurvePointOut]


class PowerOut(Schema):
    design: str
    solved_for: str | None
    inputs: dict[str, Any]
    result: dict[str, Any]
    headline: str
    curve: CurveOut
    few_clusters: dict[str, Any] | None = None


def _refuse(error: AdaptionInputError) -> HttpError:
    return HttpError(400, error.message.text(_))


@router.post(
    "/power/{design}",
    response={200: PowerOut, **AUTH_ERRORS, **BAD_INPUT},
    summary="Power, sample size or minimum detectable effect",
)
def power(request: HttpRequest, design: PowerDesign, options: PowerIn) -> dict[str, Any]:
    """Give every option but the one to solve for (``n``, ``delta`` or ``power``; ``p2`` for
    proportions; ``clusters`` for cluster designs). ``simulation`` estimates power by
    simulating trials (``model``: individual, cluster or stepped-wedge)."""
    try:
        answer = power_answer(design, options.model_dump(exclude_none=True))
    except AdaptionInputError as error:
        raise _refuse(error) from error
    return answer.as_dict(_)


class AllocationOut(Schema):
    record: dict[str, Any]
    arm_counts: dict[str, int]
    balance: list[dict[str, Any]]
    schedule: list[dict[str, Any]] | None = None
    allocation: list[dict[str, Any]]


@router.post(
    "/randomise",
    response={200: AllocationOut, **AUTH_ERRORS, **BAD_INPUT},
    summary="Allocate a list of units to arms, reproducibly",
)
def randomise(
    request: HttpRequest,
    units: File[UploadedFile],
    design: Form[AllocationDesign],
    seed: Form[int],
    id_column: Form[str] = "",
    arms: Form[str] = "control,intervention",
    ratio: Form[str] = "",
    strata: Form[str] = "",
    cluster: Form[str] = "",
    block_sizes: Form[str] = "",
    periods: Form[int] = 0,
) -> dict[str, Any]:
    """The same seed and list always give the same allocation; the record holds the seed, the
    algorithm's version and SHA-256 digests of the input and of the allocation."""

    def listed(text: str) -> tuple[str, ...]:
        return tuple(part.strip() for part in text.split(",") if part.strip())

    try:
        ratio_parts = tuple(int(part) for part in ratio.split(":")) if ratio.strip() else ()
        sizes = tuple(int(part) for part in listed(block_sizes))
    except ValueError as error:
        raise HttpError(400, _("Write the ratio like 1:1 and block sizes like 4,6.")) from error
    plan = allocating.AllocationPlan(
        design=design,
        arms=listed(arms),
        ratio=ratio_parts,
        strata_columns=listed(strata),
        cluster_column=cluster.strip() or None,
        block_sizes=sizes,
        periods=periods or None,  # 0: not a stepped-wedge design
    )
    content = units.read(allocating.MAX_FILE_BYTES + 1)
    try:
        table = allocating.read_units(content, id_column=id_column.strip() or None)
        outcome = allocating.allocate(table, plan, seed=seed)
    except AdaptionInputError as error:
        raise _refuse(error) from error
    schedule = outcome.allocation.schedule
    return {
        "record": outcome.allocation.record.as_dict(),
        "arm_counts": outcome.allocation.arm_counts(),
        "balance": outcome.balance.to_dicts(),
        "schedule": schedule.to_dicts() if schedule is not None else None,
        "allocation": outcome.allocation.table.to_dicts(),
    }


QuasiMethod = Literal["rct", "stepped-wedge", "did", "staggered", "synth", "its"]


class QuasiAnalysisOut(Schema):
    method: str
    headline: str
    result: dict[str, Any]


@router.post(
    "/analyse/{method}",
    response={200: QuasiAnalysisOut, **AUTH_ERRORS, **BAD_INPUT},
    summary="Analyse a stepped-wedge trial or a change that could not be randomised",
)
def analyse(
    request: HttpRequest,
    method: QuasiMethod,
    data: File[UploadedFile],
    outcome: Form[str],
    arm: Form[str] = "arm",
    control: Form[str] = "",
    outcome_type: Form[Literal["continuous", "binary", "count"]] = "continuous",
    covariates: Form[str] = "",
    correction: Form[Literal["none", "holm", "bonferroni", "benjamini_hochberg"]] = "none",
    pre_period: Form[str] = "",
    cluster: Form[str] = "",
    unit: Form[str] = "",
    time: Form[str] = "",
    treated: Form[str] = "",
    after: Form[str] = "",
    first_treated: Form[str] = "",
    control_group: Form[str] = "never",
    treated_unit: Form[str] = "",
    start: Form[str] = "",
    predictors: Form[str] = "",
    training_predictors: Form[str] = "",
    validation: Form[str] = "",
    donors: Form[str] = "",
    fit_from: Form[str] = "",
    placebos: Form[bool] = True,
    model: Form[str] = "poisson",
    offset: Form[str] = "",
    season: Form[str] = "",
    harmonics: Form[int] = 0,
    slope_change: Form[bool] = False,
    seed: Form[int] = 0,
) -> dict[str, Any]:
    """``rct``: each arm against the control by intention to treat (outcome, arm, control,
    outcome_type, covariates for Lin's adjustment, cluster, correction, pre_period for CUPED).
    ``stepped-wedge``: the effect with period and cluster fixed effects, CR2 and the wild
    cluster bootstrap, and effects by exposure time (cluster, time, first_treated).
    ``did``: 2 x 2 difference-in-differences (outcome, treated, after, unit).
    ``staggered``: Callaway & Sant'Anna group-time effects and an event study (unit, time,
    first_treated, control_group).
    ``synth``: synthetic control with placebos (unit, time, treated_unit, start, predictors
    as ``column:1960-1969`` separated by ``;``, donors separated by ``;``, fit_from; or
    cross-validation with training_predictors and validation as ``1981-1990``).
    ``its``: interrupted time series (time, after or start, model, offset, season,
    harmonics, slope_change).
    The headline is in the language of the request."""
    content = data.read(allocating.MAX_FILE_BYTES + 1)
    options = {
        "outcome": outcome, "arm": arm, "control": control, "outcome_type": outcome_type,
        "covariates": covariates, "correction": correction, "pre_period": pre_period,
        "permutations": 2_000, "cluster": cluster, "unit": unit, "time": time, "treated": treated,
        "after": after,
        "first_treated": first_treated, "control_group": control_group,
        "treated_unit": treated_unit, "start": start, "predictors": predictors,
        "training_predictors": training_predictors, "validation": validation,
        "donors": donors, "fit_from": fit_from, "no_placebos": not placebos, "model": model,
        "offset": offset, "season": season, "harmonics": harmonics,
        "slope_change": slope_change, "seed": seed,
    }  # fmt: skip
    try:
        frame, _notes = allocating.read_table(content)
        return quasi_analysis(method, frame, options, translate=_)
    except AdaptionInputError as error:
        raise _refuse(error) from error


class InnovationOut(Schema):
    id: int
    title: str
    problem: str
    where: str
    evidence_level: int
    core_elements: list[str]
    adaptable_elements: list[str]
    themes: list[str]


@router.get(
    "/innovations",
    response={200: list[InnovationOut], **AUTH_ERRORS},
    summary="The innovation library",
)
def innovations(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": item.pk,
            "title": str(item.title),
            "problem": str(item.problem),
            "where": str(item.where),
            "evidence_level": item.evidence_level,
            "core_elements": item.core_list(),
            "adaptable_elements": item.adaptable_list(),
            "themes": [theme.slug for theme in item.themes.all()],
        }
        for item in selectors.innovations_visible_to(request.user)
    ]


class AmendmentOut(Schema):
    number: int
    reason: str
    changes: dict[str, Any]
    plan_sha256: str
    created_at: datetime.datetime


class ExperimentOut(Schema):
    id: int
    title: str
    body: str
    status: str
    design: str
    plan: dict[str, Any]
    locked_at: datetime.datetime | None
    locked_sha256: str
    amendments: list[AmendmentOut]
    arm_counts: dict[str, int] | None


def _experiment_out(experiment: Any) -> dict[str, Any]:
    randomisation = getattr(experiment, "randomisation", None)
    return {
        "id": experiment.pk,
        "title": experiment.title,
        "body": experiment.owner_body.code,
        "status": experiment.status,
        "design": experiment.design,
        # A draft's seed stays hidden: with it and the units list, anyone could work out the
        # allocation before the plan is locked.
        "plan": experiment.locked_plan
        or {k: v for k, v in selectors.plan_of(experiment).items() if k != "seed"},
        "locked_at": experiment.locked_at,
        "locked_sha256": experiment.locked_sha256,
        "amendments": list(experiment.amendments.all()),
        "arm_counts": randomisation.arm_counts if randomisation else None,
    }


@router.get(
    "/experiments",
    response={200: list[ExperimentOut], **AUTH_ERRORS},
    summary="Experiments you may see",
)
def experiments(request: HttpRequest) -> list[dict[str, Any]]:
    user = signed_in_user(request)
    return [_experiment_out(item) for item in selectors.experiments_visible_to(user)[:500]]


@router.get(
    "/experiments/{experiment_id}",
    response={200: ExperimentOut, **AUTH_ERRORS, **NOT_FOUND},
    summary="One experiment: its plan (as locked), fingerprint and amendments",
)
def experiment(request: HttpRequest, experiment_id: int) -> dict[str, Any]:
    found = selectors.experiment_for(signed_in_user(request), experiment_id)
    if found is None:
        raise HttpError(404, _("No experiment you may see has that id."))
    return _experiment_out(found)
