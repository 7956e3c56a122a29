"""One front door to the power engines, shared by the page, the command line and the API.

Pure computation (no Django). A request is a design name and a flat mapping of options with
the same names everywhere (``n``, ``delta``, ``sd``, ``power``, ``alpha``, ``clusters``…): the
command line takes them as ``--n 20``, the API as JSON fields, the page as form fields. This
module checks them, says which quantity is being solved for (the one of ``solve_among`` left
out), calls :mod:`infuse.adaption.power`, and returns a :class:`PowerAnswer` with the engine's
figures, a plain-language headline, a power curve and, for cluster designs, the few-clusters
advice.

Messages reach people in English or Welsh, so errors and headlines are :class:`Message`
values (an English template marked with a local ``gettext_noop`` plus parameters) that the
Django layer translates; :meth:`Message.text` gives the English for the command line's
``--lang en`` and for tests.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from . import power as pw
from .messages import AdaptionInputError, Message, ParamValue, gettext_noop


class PowerRequestError(AdaptionInputError):
    """A power request the engines cannot answer, with a message for the person who asked."""


@dataclass(frozen=True)
class Option:
    """One input of a design. ``kind`` decides the check: count (whole number >= 1),
    positive, number (any finite), probability (strictly between 0 and 1), fraction
    ([0, 1)), choice."""

    name: str
    label: str
    hint: str
    kind: str
    default: ParamValue | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Design:
    name: str
    label: str
    summary: str
    options: tuple[Option, ...]
    solve_among: tuple[str, ...] = ()

    def option(self, name: str) -> Option:
        return next(option for option in self.options if option.name == name)


_ALPHA = Option(
    "alpha",
    gettext_noop("Significance level"),
    gettext_noop("The chance of declaring an effect when there is none; 0.05 is usual."),
    "probability",
    0.05,
)
_ALTERNATIVE = Option(
    "alternative",
    gettext_noop("Test"),
    gettext_noop("Two-sided unless the plan rules out an effect in the other direction."),
    "choice",
    "two-sided",
    ("two-sided", "one-sided"),
)
_POWER = Option(
    "power",
    gettext_noop("Power"),
    gettext_noop("The chance of detecting the effect if it is real; 0.8 or 0.9 is usual."),
    "probability",
)
_DELTA = Option(
    "delta",
    gettext_noop("Difference to detect"),
    gettext_noop("The smallest difference in the outcome worth acting on, in its own units."),
    "positive",
)
_SD = Option(
    "sd",
    gettext_noop("Standard deviation"),
    gettext_noop("How much the outcome varies between people, in the outcome's units."),
    "positive",
    1.0,
)
_ICC = Option(
    "icc",
    gettext_noop("Intracluster correlation (ICC)"),
    gettext_noop(
        "How alike people in the same cluster are, from 0 (no more alike than strangers) "
        "upwards; 0.01 to 0.05 is common for council services."
    ),
    "fraction",
)
_CLUSTERS_PER_ARM = Option(
    "clusters",
    gettext_noop("Clusters in each arm"),
    gettext_noop("Groups randomised together (schools, wards, authorities) in each arm."),
    "count",
)

DESIGNS: dict[str, Design] = {
    design.name: design
    for design in (
        Design(
            "two-means",
            gettext_noop("Two groups, continuous outcome"),
            gettext_noop(
                "People randomised to two groups and a measured outcome (days, pounds, a "
                "score) compared with a t-test."
            ),
            (
                Option(
                    "n",
                    gettext_noop("People in each group"),
                    gettext_noop("People in the first group (with a ratio of 1, in each)."),
                    "count",
                ),
                _DELTA,
                _SD,
                _POWER,
                _ALPHA,
                _ALTERNATIVE,
                Option(
                    "ratio",
                    gettext_noop("Allocation ratio"),
                    gettext_noop("Size of the second group divided by the first; 1 is best."),
                    "positive",
                    1.0,
                ),
            ),
            ("n", "delta", "power"),
        ),
        Design(
            "two-proportions",
            gettext_noop("Two groups, yes/no outcome"),
            gettext_noop(
                "People randomised to two groups and an outcome that happens or not (takes up "
                "a service, returns a form), compared as proportions."
            ),
            (
                Option(
                    "n",
                    gettext_noop("People in each group"),
                    gettext_noop("People in each of the two groups."),
                    "count",
                ),
                Option(
                    "p1",
                    gettext_noop("Proportion without the change"),
                    gettext_noop("For example 0.30 if 3 in 10 do it today."),
                    "probability",
                ),
                Option(
                    "p2",
                    gettext_noop("Proportion with the change"),
                    gettext_noop("The proportion you hope the change reaches."),
                    "probability",
                ),
                _POWER,
                _ALPHA,
                _ALTERNATIVE,
            ),
            ("n", "p2", "power"),
        ),
        Design(
            "cluster",
            gettext_noop("Cluster-randomised"),
            gettext_noop(
                "Whole groups (schools, wards, teams) randomised, people measured; people in a "
                "group are alike, so each counts for less."
            ),
            (
                _CLUSTERS_PER_ARM,
                Option(
                    "cluster_size",
                    gettext_noop("People in each cluster"),
                    gettext_noop("The average number of people measured in a cluster."),
                    "positive",
                ),
                _ICC,
                Option(
                    "cv",
                    gettext_noop("Variation in cluster size"),
                    gettext_noop(
                        "Coefficient of variation of cluster sizes: 0 if all the same, about "
                        "0.7 if they vary a lot."
                    ),
                    "fraction",
                    0.0,
                ),
                _DELTA,
                _SD,
                _POWER,
                _ALPHA,
                _ALTERNATIVE,
            ),
            ("clusters", "delta", "power"),
        ),
        Design(
            "stepped-wedge",
            gettext_noop("Stepped-wedge"),
            gettext_noop(
                "Every cluster starts without the change and adopts it in turn, in a random "
                "order, until all have it (for example authorities adopting one after another)."
            ),
            (
                Option(
                    "clusters",
                    gettext_noop("Clusters"),
                    gettext_noop("Clusters in the whole trial (for example 10 authorities)."),
                    "count",
                ),
                Option(
                    "periods",
                    gettext_noop("Periods"),
                    gettext_noop(
                        "Measurement periods including the first, when no cluster has the "
                        "change; at least 2."
                    ),
                    "count",
                ),
                Option(
                    "n",
                    gettext_noop("People in each cluster per period"),
                    gettext_noop("New people measured in each cluster in each period."),
                    "positive",
                ),
                _ICC,
                _DELTA,
                _SD,
                _POWER,
                _ALPHA,
                _ALTERNATIVE,
            ),
            ("n", "delta", "power"),
        ),
        Design(
            "multi-arm",
            gettext_noop("Several versions against one control"),
            gettext_noop(
                "Two or more versions of a change, each compared with the same control group, "
                "with the chance of a false alarm held across all the comparisons."
            ),
            (
                Option(
                    "arms",
                    gettext_noop("Versions tested"),
                    gettext_noop("Arms with a change, not counting the control."),
                    "count",
                ),
                Option(
                    "n",
                    gettext_noop("People in each version"),
                    gettext_noop("People in each arm with a change."),
                    "count",
                ),
                _DELTA,
                _SD,
                _POWER,
                _ALPHA,
                Option(
                    "adjustment",
                    gettext_noop("Correction for several comparisons"),
                    gettext_noop("Dunnett's is exact for comparisons with one control."),
                    "choice",
                    "dunnett",
                    ("dunnett", "bonferroni"),
                ),
                Option(
                    "ratio",
                    gettext_noop("Control group size ratio"),
                    gettext_noop(
                        "Control group size divided by each version's; the square root of "
                        "the number of versions is the classic optimum."
                    ),
                    "positive",
                    1.0,
                ),
                _ALTERNATIVE,
            ),
            ("n", "delta", "power"),
        ),
        Design(
            "simulation",
            gettext_noop("By simulation"),
            gettext_noop(
                "Power estimated by simulating thousands of trials of the design and "
                "analysing each one as the plan says."
            ),
            (
                Option(
                    "model",
                    gettext_noop("Design to simulate"),
                    gettext_noop("Individually randomised, cluster-randomised or stepped-wedge."),
                    "choice",
                    "individual",
                    ("individual", "cluster", "stepped-wedge"),
                ),
                Option(
                    "n",
                    gettext_noop("People per arm, per cluster, or per cluster and period"),
                    gettext_noop(
                        "Individual: people in each arm. Cluster: people in each cluster. "
                        "Stepped-wedge: people in each cluster per period."
                    ),
                    "count",
                ),
                Option(
                    "clusters",
                    gettext_noop("Clusters"),
                    gettext_noop(
                        "Cluster: clusters in each arm. Stepped-wedge: clusters in all. "
                        "Not used for individual designs."
                    ),
                    "count",
                ),
                Option(
                    "periods",
                    gettext_noop("Periods"),
                    gettext_noop("Stepped-wedge only: periods including the first."),
                    "count",
                ),
                Option(
                    "icc",
                    _ICC.label,
                    gettext_noop("Cluster and stepped-wedge designs only."),
                    "fraction",
                ),
                _DELTA,
                _SD,
                _ALPHA,
                _ALTERNATIVE,
                Option(
                    "simulations",
                    gettext_noop("Simulated trials"),
                    gettext_noop("More trials, a more precise estimate; 2,000 is quick."),
                    "count",
                    2000,
                ),
                Option(
                    "seed",
                    gettext_noop("Random seed"),
                    gettext_noop("The same seed gives the same answer."),
                    "count",
                    2026,
                ),
            ),
        ),
    )
}

#: Most simulated trials one request may ask for (keeps a page request within seconds).
MAX_SIMULATIONS = 20_000
#: Points on a power curve.
CURVE_POINTS = 15


@dataclass(frozen=True)
class CurvePoint:
    size: float
    power: float


@dataclass(frozen=True)
class PowerAnswer:
    """What a power request produced, ready for a page, ``--json`` or the API."""

    design: str
    solved_for: str | None
    inputs: dict[str, ParamValue]
    result: dict[str, Any]
    headline: Message
    size_label: str
    curve: tuple[CurvePoint, ...]
    advice: pw.FewClustersAdvice | None

    def as_dict(
        self, translate: Callable[[str], str] = lambda template: template
    ) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "design": self.design,
            "solved_for": self.solved_for,
            "inputs": self.inputs,
            "result": self.result,
            "headline": self.headline.text(translate),
            "curve": {
                "size": translate(self.size_label),
                "points": [{"size": p.size, "power": p.power} for p in self.curve],
            },
        }
        if self.advice is not None:
            answer["few_clusters"] = self.advice.as_dict()
        return answer


def _error(template: str, **params: ParamValue) -> PowerRequestError:
    return PowerRequestError(Message(template, params))


def _checked(option: Option, raw: Any) -> ParamValue:
    if option.kind == "choice":
        value = str(raw).strip()
        if value not in option.choices:
            raise _error(
                gettext_noop("%(option)s must be one of %(choices)s, not “%(value)s”."),
                option=option.name,
                choices=", ".join(option.choices),
                value=value,
            )
        return value
    try:
        number = float(str(raw).strip().replace(",", ""))
    except ValueError:
        raise _error(
            gettext_noop("%(option)s must be a number, not “%(value)s”."),
            option=option.name,
            value=str(raw)[:40],
        ) from None
    if not math.isfinite(number):
        raise _error(gettext_noop("%(option)s must be a finite number."), option=option.name)
    if option.kind == "count":
        if number < 1 or number != int(number):
            raise _error(
                gettext_noop("%(option)s must be a whole number of 1 or more, not %(value)s."),
                option=option.name,
                value=f"{number:g}",
            )
        return int(number)
    if option.kind == "positive" and number <= 0:
        raise _error(
            gettext_noop("%(option)s must be more than 0, not %(value)s."),
            option=option.name,
            value=f"{number:g}",
        )
    if option.kind == "probability" and not 0 < number < 1:
        raise _error(
            gettext_noop("%(option)s must be between 0 and 1 (for example 0.8), not %(value)s."),
            option=option.name,
            value=f"{number:g}",
        )
    if option.kind == "fraction" and not 0 <= number < 1:
        raise _error(
            gettext_noop("%(option)s must be from 0 up to (not including) 1, not %(value)s."),
            option=option.name,
            value=f"{number:g}",
        )
    return number


def parse_inputs(design: Design, raw: Mapping[str, Any]) -> dict[str, ParamValue]:
    """Checked inputs with defaults filled; blank values count as not given."""
    given = {key: value for key, value in raw.items() if value not in (None, "")}
    unknown = sorted(set(given) - {option.name for option in design.options})
    if unknown:
        raise _error(
            gettext_noop("%(design)s does not take %(options)s."),
            design=design.name,
            options=", ".join(unknown),
        )
    inputs: dict[str, ParamValue] = {}
    for option in design.options:
        if option.name in given:
            inputs[option.name] = _checked(option, given[option.name])
        elif option.default is not None:
            inputs[option.name] = option.default
    return inputs


def _solve_for(design: Design, inputs: Mapping[str, ParamValue]) -> str | None:
    if not design.solve_among:
        return None
    missing = [name for name in design.solve_among if name not in inputs]
    if len(missing) != 1:
        raise _error(
            gettext_noop(
                "Give all but one of %(options)s: the one left out is what Infuse works out."
            ),
            options=", ".join(design.solve_among),
        )
    return missing[0]


def _require(design: Design, inputs: Mapping[str, ParamValue], *names: str) -> None:
    for name in names:
        if name not in inputs:
            raise _error(
                gettext_noop("%(design)s needs %(option)s."), design=design.name, option=name
            )


def _f(inputs: Mapping[str, ParamValue], name: str) -> float | None:
    value = inputs.get(name)
    return None if value is None else float(value)


def _i(inputs: Mapping[str, ParamValue], name: str) -> int:
    return int(inputs[name])


def _pct(probability: float) -> str:
    return f"{100 * probability:.0f}%"


def _curve_sizes(centre: float, minimum: float) -> list[float]:
    """Sizes from a quarter to twice ``centre`` (at least ``minimum``), whole numbers."""
    low = max(minimum, math.floor(centre / 4))
    high = max(low + CURVE_POINTS - 1, math.ceil(2 * centre))
    step = (high - low) / (CURVE_POINTS - 1)
    return sorted({float(round(low + step * index)) for index in range(CURVE_POINTS)})


def _power_curve(
    calculate: Callable[[float], float], centre: float, minimum: float
) -> tuple[CurvePoint, ...]:
    points = []
    for size in _curve_sizes(centre, minimum):
        try:
            points.append(CurvePoint(size, calculate(size)))
        except pw.PowerCalculationError:
            continue
    return tuple(points)


def _two_means(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    common: dict[str, Any] = {
        "sd": _f(inputs, "sd"),
        "sig_level": _f(inputs, "alpha"),
        "alternative": inputs["alternative"],
        "allocation_ratio": _f(inputs, "ratio"),
    }
    result = pw.power_two_means(
        n=_f(inputs, "n"), delta=_f(inputs, "delta"), power=_f(inputs, "power"), **common
    )
    headline = _means_headline(
        solving, result.n_rounded_up, result.total_n_rounded_up, result.delta, result.power
    )

    def at(size: float) -> float:
        return pw.power_two_means(n=size, delta=result.delta, **common).power

    return PowerAnswer(
        "two-means",
        solving,
        inputs,
        result.as_dict(),
        headline,
        gettext_noop("People in each group"),
        _power_curve(at, result.n, 2),
        None,
    )


def _means_headline(
    solving: str | None, per_group: int, total: int, delta: float, power: float
) -> Message:
    if solving == "n":
        return Message(
            gettext_noop(
                "You need %(n)s people in each group (%(total)s in all) to detect a difference of "
                "%(delta)s with %(power)s power."
            ),
            {"n": per_group, "total": total, "power": _pct(power), "delta": f"{delta:.3g}"},
        )
    if solving == "delta":
        return Message(
            gettext_noop(
                "With %(n)s people in each group, the smallest difference you can detect with "
                "%(power)s power is %(delta)s."
            ),
            {"n": per_group, "power": _pct(power), "delta": f"{delta:.3g}"},
        )
    return Message(
        gettext_noop(
            "With %(n)s people in each group, the chance of detecting a difference of "
            "%(delta)s is %(power)s."
        ),
        {"n": per_group, "power": _pct(power), "delta": f"{delta:.3g}"},
    )


def _two_proportions(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    _require(DESIGNS["two-proportions"], inputs, "p1")
    if solving != "p2" and inputs.get("p1") == inputs.get("p2"):
        raise _error(gettext_noop("The two proportions must differ."))
    common: dict[str, Any] = {
        "sig_level": _f(inputs, "alpha"),
        "alternative": inputs["alternative"],
    }
    result = pw.power_two_proportions(
        n=_f(inputs, "n"),
        p1=_f(inputs, "p1"),
        p2=_f(inputs, "p2"),
        power=_f(inputs, "power"),
        **common,
    )
    params: dict[str, ParamValue] = {
        "n": result.n_rounded_up,
        "total": 2 * result.n_rounded_up,
        "power": _pct(result.power),
        "p1": _pct(result.p1),
        "p2": _pct(result.p2),
    }
    if solving == "n":
        template = gettext_noop(
            "You need %(n)s people in each group (%(total)s in all) to detect a change from %(p1)s "
            "to %(p2)s with %(power)s power."
        )
    elif solving == "p2":
        template = gettext_noop(
            "With %(n)s people in each group, starting from %(p1)s, the smallest change you can "
            "detect with %(power)s power is to %(p2)s."
        )
    else:
        template = gettext_noop(
            "With %(n)s people in each group, the chance of detecting a change from %(p1)s to "
            "%(p2)s is %(power)s."
        )

    def at(size: float) -> float:
        return pw.power_two_proportions(n=size, p1=result.p1, p2=result.p2, **common).power

    return PowerAnswer(
        "two-proportions",
        solving,
        inputs,
        result.as_dict(),
        Message(template, params),
        gettext_noop("People in each group"),
        _power_curve(at, result.n, 2),
        None,
    )


def _cluster(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    _require(DESIGNS["cluster"], inputs, "cluster_size", "icc")
    common: dict[str, Any] = {
        "mean_cluster_size": _f(inputs, "cluster_size"),
        "icc": _f(inputs, "icc"),
        "sd": _f(inputs, "sd"),
        "cluster_size_cv": _f(inputs, "cv"),
        "sig_level": _f(inputs, "alpha"),
        "alternative": inputs["alternative"],
    }
    if solving != "clusters" and _i(inputs, "clusters") < 2:
        raise _error(gettext_noop("A cluster trial needs at least 2 clusters in each arm."))
    result = pw.power_cluster_means(
        clusters_per_arm=_f(inputs, "clusters"),
        delta=_f(inputs, "delta"),
        power=_f(inputs, "power"),
        **common,
    )
    params: dict[str, ParamValue] = {
        "clusters": result.clusters_per_arm_rounded_up,
        "people": round(result.clusters_per_arm_rounded_up * result.mean_cluster_size),
        "power": _pct(result.power),
        "delta": f"{result.delta:.3g}",
        "design_effect": f"{result.design_effect:.2f}",
    }
    if solving == "clusters":
        template = gettext_noop(
            "You need %(clusters)s clusters in each arm (about %(people)s people per arm) to "
            "detect a difference of %(delta)s with %(power)s power; clustering multiplies the "
            "people needed by %(design_effect)s."
        )
    elif solving == "delta":
        template = gettext_noop(
            "With %(clusters)s clusters in each arm, the smallest difference you can detect with "
            "%(power)s power is %(delta)s (design effect %(design_effect)s)."
        )
    else:
        template = gettext_noop(
            "With %(clusters)s clusters in each arm, the chance of detecting a difference of "
            "%(delta)s is %(power)s (design effect %(design_effect)s)."
        )

    def at(size: float) -> float:
        return pw.power_cluster_means(clusters_per_arm=size, delta=result.delta, **common).power

    advice = pw.few_clusters_advice(
        number_of_clusters=2 * result.clusters_per_arm_rounded_up,
        icc=result.icc,
        cluster_size=result.mean_cluster_size,
    )
    return PowerAnswer(
        "cluster",
        solving,
        inputs,
        result.as_dict(),
        Message(template, params),
        gettext_noop("Clusters in each arm"),
        _power_curve(at, result.clusters_per_arm, 2),
        advice,
    )


def _stepped_wedge(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    _require(DESIGNS["stepped-wedge"], inputs, "clusters", "periods", "icc")
    if _i(inputs, "periods") < 2 or _i(inputs, "clusters") < 2:
        raise _error(gettext_noop("A stepped-wedge trial needs at least 2 clusters and 2 periods."))
    common: dict[str, Any] = {
        "icc": _f(inputs, "icc"),
        "number_of_clusters": _i(inputs, "clusters"),
        "number_of_periods": _i(inputs, "periods"),
        "sd": _f(inputs, "sd"),
        "sig_level": _f(inputs, "alpha"),
        "alternative": inputs["alternative"],
    }
    result = pw.power_stepped_wedge(
        cluster_period_size=_f(inputs, "n"),
        effect=_f(inputs, "delta"),
        power=_f(inputs, "power"),
        **common,
    )
    params: dict[str, ParamValue] = {
        "n": result.cluster_period_size_rounded_up,
        "clusters": result.number_of_clusters,
        "periods": result.number_of_periods,
        "total": math.ceil(
            result.cluster_period_size_rounded_up
            * result.number_of_clusters
            * result.number_of_periods
        ),
        "power": _pct(result.power),
        "delta": f"{result.effect:.3g}",
    }
    if solving == "n":
        template = gettext_noop(
            "With %(clusters)s clusters over %(periods)s periods you need %(n)s people in each "
            "cluster per period (%(total)s in all) to detect an effect of %(delta)s with "
            "%(power)s power."
        )
    elif solving == "delta":
        template = gettext_noop(
            "With %(clusters)s clusters over %(periods)s periods and %(n)s people in each cluster "
            "per period, the smallest effect you can detect with %(power)s power is %(delta)s."
        )
    else:
        template = gettext_noop(
            "With %(clusters)s clusters over %(periods)s periods and %(n)s people in each cluster "
            "per period, the chance of detecting an effect of %(delta)s is %(power)s."
        )

    def at(size: float) -> float:
        return pw.power_stepped_wedge(
            cluster_period_size=size, effect=result.effect, **common
        ).power

    advice = pw.few_clusters_advice(
        number_of_clusters=result.number_of_clusters,
        icc=result.icc,
        cluster_size=result.cluster_period_size * result.number_of_periods,
    )
    return PowerAnswer(
        "stepped-wedge",
        solving,
        inputs,
        result.as_dict(),
        Message(template, params),
        gettext_noop("People in each cluster per period"),
        _power_curve(at, result.cluster_period_size, 1),
        advice,
    )


def _multi_arm(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    _require(DESIGNS["multi-arm"], inputs, "arms")
    common: dict[str, Any] = {
        "number_of_treatment_arms": _i(inputs, "arms"),
        "sd": _f(inputs, "sd"),
        "sig_level": _f(inputs, "alpha"),
        "adjustment": inputs["adjustment"],
        "control_allocation_ratio": _f(inputs, "ratio"),
        "alternative": inputs["alternative"],
    }
    if solving != "n" and _i(inputs, "n") < 2:
        raise _error(gettext_noop("Each arm needs at least 2 people."))
    result = pw.power_multiple_arms(
        n_per_arm=_f(inputs, "n"), delta=_f(inputs, "delta"), power=_f(inputs, "power"), **common
    )
    params: dict[str, ParamValue] = {
        "n": result.n_per_treatment_arm_rounded_up,
        "arms": result.number_of_treatment_arms,
        "control": math.ceil(round(result.n_control, 6)),
        "total": result.total_n_rounded_up,
        "power": _pct(result.power),
        "delta": f"{result.delta:.3g}",
    }
    if solving == "n":
        template = gettext_noop(
            "You need %(n)s people in each of the %(arms)s versions and %(control)s in the "
            "control group (%(total)s in all) to detect each version's difference of "
            "%(delta)s with %(power)s power."
        )
    elif solving == "delta":
        template = gettext_noop(
            "With %(n)s people in each of the %(arms)s versions, the smallest difference from "
            "control you can detect with %(power)s power is %(delta)s."
        )
    else:
        template = gettext_noop(
            "With %(n)s people in each of the %(arms)s versions, the chance of detecting a "
            "version's difference of %(delta)s from control is %(power)s."
        )

    def at(size: float) -> float:
        return pw.power_multiple_arms(n_per_arm=size, delta=result.delta, **common).power

    return PowerAnswer(
        "multi-arm",
        solving,
        inputs,
        result.as_dict(),
        Message(template, params),
        gettext_noop("People in each version"),
        _power_curve(at, result.n_per_treatment_arm, 2),
        None,
    )


def _simulation(inputs: dict[str, ParamValue], solving: str | None) -> PowerAnswer:
    design_spec = DESIGNS["simulation"]
    _require(design_spec, inputs, "n", "delta")
    model = str(inputs["model"])
    simulations = _i(inputs, "simulations")
    if simulations > MAX_SIMULATIONS:
        raise _error(
            gettext_noop("Ask for at most %(limit)s simulated trials."), limit=MAX_SIMULATIONS
        )
    effect = float(inputs["delta"])
    sd = float(inputs["sd"])
    trial: pw.TrialDesign
    if model == "individual":
        if _i(inputs, "n") < 2:
            raise _error(gettext_noop("Each arm needs at least 2 people."))
        trial = pw.IndividualTrialDesign(n_per_arm=_i(inputs, "n"), effect=effect, sd=sd)
        size_label = gettext_noop("People in each arm")
    elif model == "cluster":
        _require(design_spec, inputs, "clusters", "icc")
        if _i(inputs, "clusters") < 2:
            raise _error(gettext_noop("A cluster trial needs at least 2 clusters in each arm."))
        trial = pw.ClusterTrialDesign(
            clusters_per_arm=_i(inputs, "clusters"),
            cluster_size=_i(inputs, "n"),
            effect=effect,
            icc=float(inputs["icc"]),
            sd=sd,
        )
        size_label = gettext_noop("Clusters in each arm")
    else:
        _require(design_spec, inputs, "clusters", "periods", "icc")
        if _i(inputs, "periods") < 2 or _i(inputs, "clusters") < 2:
            raise _error(
                gettext_noop("A stepped-wedge trial needs at least 2 clusters and 2 periods.")
            )
        trial = pw.SteppedWedgeTrialDesign(
            number_of_clusters=_i(inputs, "clusters"),
            number_of_periods=_i(inputs, "periods"),
            cluster_period_size=_i(inputs, "n"),
            effect=effect,
            icc=float(inputs["icc"]),
            sd=sd,
        )
        size_label = gettext_noop("People in each cluster per period")
    alternative = str(inputs["alternative"])
    sig_level = float(inputs["alpha"])
    seed = _i(inputs, "seed")
    result = pw.simulate_power(
        trial,
        n_simulations=simulations,
        sig_level=sig_level,
        alternative=alternative,  # type: ignore[arg-type]
        seed=seed,
    )
    centre = float(getattr(trial, trial.size_field))
    sizes = _curve_sizes(centre, 2)
    curve = pw.simulated_power_curve(
        trial,
        vary="size",
        values=sizes,
        n_simulations=max(200, min(simulations, 2000)),
        sig_level=sig_level,
        alternative=alternative,  # type: ignore[arg-type]
        seed=seed,
    )
    headline = Message(
        gettext_noop(
            "In %(simulations)s simulated trials of this design with a true effect of "
            "%(delta)s, the analysis found it %(power)s of the time (give or take %(error)s)."
        ),
        {
            "simulations": f"{simulations:,}",
            "delta": f"{effect:.3g}",
            "power": _pct(result.power),
            "error": f"{100 * 1.96 * result.monte_carlo_se:.1f} %",
        },
    )
    return PowerAnswer(
        "simulation",
        solving,
        inputs,
        result.as_dict(),
        headline,
        size_label,
        tuple(
            CurvePoint(size, power) for size, power in zip(curve.values, curve.power, strict=True)
        ),
        None,
    )


_CALCULATORS: dict[str, Callable[[dict[str, ParamValue], str | None], PowerAnswer]] = {
    "two-means": _two_means,
    "two-proportions": _two_proportions,
    "cluster": _cluster,
    "stepped-wedge": _stepped_wedge,
    "multi-arm": _multi_arm,
    "simulation": _simulation,
}


def power_answer(design_name: str, raw: Mapping[str, Any]) -> PowerAnswer:
    """Check ``raw`` options for ``design_name`` and compute; raises :class:`PowerRequestError`."""
    design = DESIGNS.get(design_name)
    if design is None:
        raise _error(
            gettext_noop("There is no design called “%(design)s”. Choose one of %(designs)s."),
            design=str(design_name)[:40],
            designs=", ".join(DESIGNS),
        )
    inputs = parse_inputs(design, raw)
    solving = _solve_for(design, inputs)
    try:
        return _CALCULATORS[design.name](inputs, solving)
    except pw.PowerCalculationError:
        raise _error(
            gettext_noop(
                "There is no answer with these figures (for example, no number of people up to "
                "ten million reaches that power). Check the figures and try again."
            )
        ) from None
