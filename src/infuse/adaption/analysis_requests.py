"""Requests for the analyses of panel designs, shared by the command line and the API: the
stepped-wedge trial (randomised over time) and the designs for changes that could not be
randomised.

Each request names a method and options given as text (from command-line flags or form
fields); :func:`quasi_analysis` checks them, runs the engine and returns a JSON-ready result
with a plain-language headline (a :class:`Message`, so each caller can translate it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from polars.exceptions import PolarsError

from . import analysis, stepped_wedge
from . import difference_in_differences as did
from . import interrupted_time_series as its
from . import synthetic_control as synth
from .messages import AdaptionInputError, Message, as_plain, gettext_noop

#: The designs analysed here: a randomised comparison of arms, a stepped-wedge trial, and four
#: for when randomisation was not possible.
METHODS = ("rct", "stepped-wedge", "did", "staggered", "synth", "its")


def _error(template: str, **params: str) -> AdaptionInputError:
    return AdaptionInputError(Message(template, params))


class _Options:
    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = {key: value for key, value in values.items() if value not in (None, "")}

    def text(self, name: str, default: str | None = None) -> str:
        value = self.values.get(name, default)
        if value is None:
            raise _error(gettext_noop("This analysis needs the option %(option)s."), option=name)
        return str(value).strip()

    def optional(self, name: str) -> str | None:
        value = self.values.get(name)
        return str(value).strip() if value is not None else None

    def number(self, name: str, default: float | None = None) -> float:
        value = self.values.get(name, default)
        if value is None:
            raise _error(gettext_noop("This analysis needs the option %(option)s."), option=name)
        try:
            return float(value)
        except (TypeError, ValueError):
            raise _error(
                gettext_noop("The option %(option)s must be a number."), option=name
            ) from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name, False)
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "yes", "on"}
        return bool(value)

    def listed(self, name: str) -> list[str]:
        value = self.values.get(name)
        if value is None:
            return []
        if isinstance(value, str):
            return [part.strip() for part in value.split(";") if part.strip()]
        return [str(part).strip() for part in value if str(part).strip()]


def _figure(value: float) -> str:
    return f"{value:,.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def _did(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    outcome = options.text("outcome")
    result = did.did_two_by_two(
        frame,
        outcome=outcome,
        treated=options.text("treated"),
        after=options.text("after"),
        unit=options.optional("unit"),
        confidence=options.number("confidence", 0.95),
        seed=int(options.number("seed", 0)),
    )
    headline = Message(
        gettext_noop(
            "%(outcome)s changed by %(estimate)s more in the treated group than in the "
            "comparison group (interval %(low)s to %(high)s)."
        ),
        {
            "outcome": outcome,
            "estimate": _figure(result.estimate),
            "low": _figure(result.ci_low),
            "high": _figure(result.ci_high),
        },
    )
    return {"headline": headline, "result": result}


def _staggered(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    outcome = options.text("outcome")
    result = did.did_staggered(
        frame,
        unit=options.text("unit"),
        time=options.text("time"),
        outcome=outcome,
        first_treated=options.text("first_treated"),
        control_group=options.text("control_group", "never"),
        confidence=options.number("confidence", 0.95),
        draws=int(options.number("draws", 999)),
        seed=int(options.number("seed", 0)),
    )
    overall = result.overall
    headline = Message(
        gettext_noop(
            "Averaged over the treated units and the periods after each started, %(outcome)s "
            "changed by %(estimate)s (interval %(low)s to %(high)s)."
        ),
        {
            "outcome": outcome,
            "estimate": _figure(overall["estimate"]),
            "low": _figure(overall["ci_low"]),
            "high": _figure(overall["ci_high"]),
        },
    )
    return {"headline": headline, "result": result}


def _synth(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    outcome = options.text("outcome")
    treated_unit = options.text("treated_unit")
    donors = options.listed("donors")
    fit_from = options.optional("fit_from")
    validation = None
    if options.optional("validation"):
        first, _dash, last = options.text("validation").partition("-")
        try:
            validation = (float(first), float(last))
        except ValueError:
            raise _error(
                gettext_noop("Write the validation period as first-last, for example 1981-1990.")
            ) from None
    result = synth.synthetic_control(
        frame,
        unit=options.text("unit"),
        time=options.text("time"),
        outcome=outcome,
        treated_unit=treated_unit,
        start=options.number("start"),
        donors=donors or None,
        predictors=[synth.parse_predictor(text) for text in options.listed("predictors")],
        fit_from=float(fit_from) if fit_from else None,
        training_predictors=[
            synth.parse_predictor(text) for text in options.listed("training_predictors")
        ],
        validation=validation,
        placebos=not options.flag("no_placebos"),
    )
    headline = Message(
        gettext_noop(
            "After the start, %(unit)s's %(outcome)s was on average %(estimate)s away from its "
            "synthetic control."
        ),
        {"unit": treated_unit, "outcome": outcome, "estimate": _figure(result.average_effect)},
    )
    return {"headline": headline, "result": result}


def _its(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    outcome = options.text("outcome")
    start = options.optional("start")
    result = its.interrupted_time_series(
        frame,
        time=options.text("time"),
        outcome=outcome,
        after=options.optional("after"),
        start=float(start) if start else None,
        model=options.text("model", "poisson"),
        offset=options.optional("offset"),
        season=options.optional("season"),
        season_period=options.number("season_period", 12),
        harmonics=int(options.number("harmonics", 0)),
        slope_change=options.flag("slope_change"),
        confidence=options.number("confidence", 0.95),
    )
    level = result.level_change
    if level.scale == "ratio":
        headline = Message(
            gettext_noop(
                "When it started, %(outcome)s changed by a factor of %(estimate)s (interval "
                "%(low)s to %(high)s), allowing for the trend before."
            ),
            {
                "outcome": outcome,
                "estimate": f"{level.estimate:.3f}",
                "low": f"{level.ci_low:.3f}",
                "high": f"{level.ci_high:.3f}",
            },
        )
    else:
        headline = Message(
            gettext_noop(
                "When it started, %(outcome)s changed by %(estimate)s (interval %(low)s to "
                "%(high)s), allowing for the trend before."
            ),
            {
                "outcome": outcome,
                "estimate": _figure(level.estimate),
                "low": _figure(level.ci_low),
                "high": _figure(level.ci_high),
            },
        )
    return {"headline": headline, "result": result}


def rct_comparisons(frame: pl.DataFrame, values: Mapping[str, Any]) -> list[analysis.Comparison]:
    """Each arm against the control (the ``control`` option, else the first arm in order),
    by intention to treat, from a table of units with an arm and an outcome column."""
    options = _Options(values)
    outcome, arm = options.text("outcome"), options.text("arm", "arm")
    cluster = options.optional("cluster")
    for name in (outcome, arm, *([cluster] if cluster else [])):
        if name not in frame.columns:
            raise _error(gettext_noop("There is no column called %(column)s."), column=name)
    frame = frame.with_columns(
        pl.col(outcome).cast(pl.String).str.replace_all(",", "").cast(pl.Float64, strict=False),
        pl.col(arm).cast(pl.String),
    )
    arms = sorted(frame.get_column(arm).drop_nulls().unique().to_list())
    control = options.optional("control")
    if control:
        if control not in arms:
            raise _error(gettext_noop("There is no arm called %(arm)s."), arm=control)
        arms = [control, *[name for name in arms if name != control]]
    prior_sd = options.optional("prior_sd")
    return analysis.itt_analysis(
        frame.filter(pl.col(outcome).is_not_null()),
        arms=arms,
        arm_column=arm,
        outcome_column=outcome,
        outcome_type=options.text("outcome_type", "continuous"),
        covariates=[c.strip() for c in options.text("covariates", "").split(",") if c.strip()],
        cluster_column=cluster,
        correction=options.text("correction", "none"),
        permutations=min(int(options.number("permutations", 10_000)), 100_000),
        seed=int(options.number("seed", 0)),
        pre_period_column=options.optional("pre_period"),
        prior_sd=float(prior_sd) if prior_sd else None,
        threshold=options.number("threshold", 0.0),
    )


def _rct(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    comparisons = rct_comparisons(frame, options.values)
    first = comparisons[0].primary if comparisons else None
    if first is None:
        raise _error(gettext_noop("There are no two arms to compare."))
    headline = Message(
        gettext_noop(
            "%(arm)s compared with %(control)s: a difference of %(estimate)s (interval "
            "%(low)s to %(high)s)."
        ),
        {
            "arm": comparisons[0].arm,
            "control": comparisons[0].control,
            "estimate": _figure(first["estimate"]),
            "low": _figure(first["ci_low"]),
            "high": _figure(first["ci_high"]),
        },
    )
    return {"headline": headline, "result": RctResult(comparisons)}


@dataclass(frozen=True)
class RctResult:
    """The comparisons of a randomised trial as one result, shaped like every other method's."""

    comparisons: list[analysis.Comparison]
    notes: list[Message] = field(default_factory=list)


def _stepped_wedge(frame: pl.DataFrame, options: _Options) -> dict[str, Any]:
    outcome = options.text("outcome")
    result = stepped_wedge.stepped_wedge_effect(
        frame,
        cluster=options.text("cluster"),
        period=options.text("time"),
        outcome=outcome,
        first_treated=options.text("first_treated"),
        confidence=options.number("confidence", 0.95),
        seed=int(options.number("seed", 0)),
    )
    effect = result.effect
    headline = Message(
        gettext_noop(
            "Allowing for change over time, the intervention changed %(outcome)s by "
            "%(estimate)s (interval %(low)s to %(high)s), across %(clusters)s clusters."
        ),
        {
            "outcome": outcome,
            "estimate": _figure(effect["estimate"]),
            "low": _figure(effect["ci_low"]),
            "high": _figure(effect["ci_high"]),
            "clusters": result.clusters,
        },
    )
    return {"headline": headline, "result": result}


_RUNNERS: dict[str, Callable[[pl.DataFrame, _Options], dict[str, Any]]] = {
    "rct": _rct,
    "stepped-wedge": _stepped_wedge,
    "did": _did,
    "staggered": _staggered,
    "synth": _synth,
    "its": _its,
}


def quasi_analysis(
    method: str,
    frame: pl.DataFrame,
    options: Mapping[str, Any],
    *,
    translate: Callable[[str], str] = lambda template: template,
) -> dict[str, Any]:
    """Run one non-randomised analysis; the headline and notes in ``translate``'s language."""
    if method not in _RUNNERS:
        raise _error(
            gettext_noop("The analysis must be one of: %(methods)s."), methods=", ".join(METHODS)
        )
    try:
        answer = _RUNNERS[method](frame, _Options(options))
    except (np.linalg.LinAlgError, PolarsError) as error:
        # Data that pass every check can still defeat the arithmetic (columns that are exact
        # copies of each other, values of a type no column can hold): say so, not crash.
        raise _error(
            gettext_noop("These data cannot be analysed this way: %(reason)s"),
            reason=str(error).splitlines()[0][:200],
        ) from error
    result = answer["result"]
    notes: Sequence[Message] = getattr(result, "notes", [])
    plain = as_plain(result)
    plain["notes"] = [note.text(translate) for note in notes]
    return {
        "method": method,
        "headline": answer["headline"].text(translate),
        "result": plain,
    }
