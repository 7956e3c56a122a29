"""The programme dashboard for the region: one selector function per section.

Each section function takes the viewing user and returns a ``Section`` (a titled table, with
an optional bar chart of one of its columns) or ``None`` when it has nothing to show. Which
records a section counts follows the permission policy: cohorts through
``cohort_visible_filter`` (facilitators see their own, programme managers all), lab artefacts
through each app's own visible selectors. ``SECTIONS`` lists them in order; another part of
Infuse adds a section by appending one function (for example "bids made and funded" from the
Challenge Fund, or "carbon analysed" from the Procurement Lab) — nothing else changes.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from infuse.lab_outputs import KINDS

from . import selectors
from .models import Submission


@dataclass
class Section:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    #: Index of the numeric column to draw as bars (one bar per row), or None for no chart.
    chart_column: int | None = None
    chart_rows: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.chart_column is not None and not self.chart_rows:
            self.chart_rows = [
                {"label": str(row[0]), "value": float(row[self.chart_column] or 0)}
                for row in self.rows
            ]


def participation(user: Any) -> Section | None:
    """Participants, completions and attendance by authority, one pair of columns per lab."""
    lines = selectors.progress_report(user).lines
    if not lines:
        return None
    labs = sorted({str(line.enrolment.cohort.lab.name) for line in lines})
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: {lab: [0, 0] for lab in labs})
    for line in lines:
        body = getattr(line.enrolment.participant.body, "name", "")
        cell = table[str(body)][str(line.enrolment.cohort.lab.name)]
        cell[0] += 1
        cell[1] += int(line.complete)
    rows = []
    for body in sorted(table):
        row: list[Any] = [body]
        for lab in labs:
            row.extend(table[body][lab])
        row.append(sum(table[body][lab][0] for lab in labs))
        rows.append(row)
    columns = [_("Public body")]
    for lab in labs:
        columns.extend([f"{lab}: " + _("took part"), f"{lab}: " + _("completed")])
    columns.append(_("Places in all labs"))
    return Section(
        key="participation",
        title=_("Participation and completion by authority and lab"),
        columns=columns,
        rows=rows,
        note=_("A participant completes a lab when every assignment of their cohort is accepted."),
        chart_column=len(columns) - 1,
    )


def capability(user: Any) -> Section | None:
    """Capability uplift from entry to exit, by lab, with 95 per cent intervals."""
    report = selectors.uplift_report(user, "entry-exit")
    if report.overall is None:
        return None
    rows = [
        [
            row.label,
            row.uplift.n,
            round(row.uplift.mean_before, 2),
            round(row.uplift.mean_after, 2),
            round(row.uplift.mean_change, 2),
            _interval(row.uplift.low, row.uplift.high),
        ]
        for row in [*report.by_lab, selectors.UpliftRow(_("All labs"), report.overall)]
    ]
    return Section(
        key="capability",
        title=_("Capability uplift, entry to exit"),
        columns=[
            _("Lab"),
            _("Participants"),
            _("Before"),
            _("After"),
            _("Mean change"),
            _("95 per cent interval"),
        ],
        rows=rows,
        note=_("Self-rated on a 1 to 5 scale; see the capability page for the method."),
    )


def _interval(low: float | None, high: float | None) -> str:
    return "—" if low is None or high is None else f"{low:.2f} to {high:.2f}"


def _handed_in(user: Any) -> list[Submission]:
    cohorts = selectors.cohorts_visible_to(user).values("pk")
    return list(
        Submission.objects.filter(assignment__cohort__in=cohorts).select_related(
            "assignment", "enrolment__participant"
        )
    )


def artefacts(user: Any) -> Section | None:
    """Lab artefacts handed in as assignments, by kind: handed in and accepted."""
    submissions = _handed_in(user)
    if not submissions:
        return None
    handed: Counter[str] = Counter(s.assignment.kind for s in submissions)
    accepted: Counter[str] = Counter(
        s.assignment.kind for s in submissions if s.status == Submission.Status.ACCEPTED
    )
    rows = [
        [str(kind.label), handed[key], accepted[key]] for key, kind in KINDS.items() if handed[key]
    ]
    return Section(
        key="artefacts",
        title=_("Artefacts produced in the labs"),
        columns=[_("Kind of work"), _("Handed in"), _("Accepted")],
        rows=rows,
        chart_column=1,
    )


def artefacts_by_theme_and_goal(user: Any) -> Section | None:
    """Distinct artefacts handed in, counted under each theme and well-being goal they carry."""
    seen: set[tuple[str, int]] = set()
    themes: Counter[str] = Counter()
    goals: Counter[str] = Counter()
    for submission in _handed_in(user):
        kind = KINDS.get(submission.assignment.kind)
        if kind is None or (kind.key, submission.object_id) in seen:
            continue
        seen.add((kind.key, submission.object_id))
        artefact = kind.find(submission.enrolment.participant, submission.object_id)
        if artefact is None:
            continue
        themes.update(str(theme.name) for theme in kind.themes(artefact))
        goals.update(str(goal.name) for goal in kind.goals(artefact))
    if not themes and not goals:
        return None
    rows = [[_("Theme") + ": " + name, n] for name, n in sorted(themes.items())]
    rows += [[_("Well-being goal") + ": " + name, n] for name, n in sorted(goals.items())]
    return Section(
        key="themes",
        title=_("Artefacts by theme and well-being goal"),
        columns=[_("Theme or goal"), _("Artefacts")],
        rows=rows,
        note=_(
            "Only artefacts that carry themes or goals are counted: data questions, and "
            "Adaption Lab work through its innovation. One artefact can count under several."
        ),
    )


def experiments(user: Any) -> Section | None:
    """Experiments designed, with a locked plan, and analysed, by authority."""
    from infuse.adaption.selectors import experiments_visible_to

    rows = [
        [name, designed, locked, analysed]
        for name, designed, locked, analysed in experiments_visible_to(user)
        .values_list("owner_body__name_en")
        .annotate(
            designed=Count("pk", distinct=True),
            locked=Count("pk", filter=Q(locked_at__isnull=False), distinct=True),
            analysed=Count("pk", filter=Q(analyses__isnull=False), distinct=True),
        )
        .order_by("owner_body__name_en")
    ]
    if not rows:
        return None
    return Section(
        key="experiments",
        title=_("Experiments designed and analysed"),
        columns=[_("Public body"), _("Designed"), _("Plan locked"), _("Analysed")],
        rows=rows,
    )


def spend(user: Any) -> Section | None:
    """Spend analysed: live imported spend files and their total, by authority."""
    from infuse.accounts.policy import visible_filter
    from infuse.procurement.models import SpendBatch

    rows = [
        [name, files, lines, total or Decimal(0)]
        for name, files, lines, total in SpendBatch.objects.filter(
            visible_filter(user), status=SpendBatch.Status.LIVE
        )
        .values_list("owner_body__name_en")
        .annotate(files=Count("pk"), lines=Sum("rows_imported"), total=Sum("total_amount"))
        .order_by("owner_body__name_en")
    ]
    if not rows:
        return None
    for row in rows:
        row[3] = f"£{row[3]:,.0f}"
    return Section(
        key="spend",
        title=_("Spend analysed"),
        columns=[_("Public body"), _("Spend files"), _("Payment lines"), _("Total spend")],
        rows=rows,
        chart_column=2,
    )


def carbon_analysed(user: Any) -> Section | None:
    """Supply-chain emissions estimated from the spend the viewer may see, by authority: one
    pass over the live files (the Procurement Lab's own calculation and factor set)."""
    from infuse.accounts.policy import visible_filter
    from infuse.procurement import carbon
    from infuse.procurement.models import SpendBatch
    from infuse.procurement.selectors import carbon_overview
    from infuse.reference.models import Body

    codes = set(
        SpendBatch.objects.filter(visible_filter(user), status=SpendBatch.Status.LIVE)
        .values_list("owner_body__code", flat=True)
        .distinct()
    )
    bodies = list(Body.objects.filter(code__in=codes).order_by("name_en"))
    overview = carbon_overview(user, bodies, carbon.CarbonFilter()) if bodies else None
    if overview is None or not overview.regional:
        return None
    rows = [
        [
            str(entry["body"].name if entry["body"] else entry["code"]),
            round(entry["tco2e"], 1),
            f"{entry['low']:,.0f} – {entry['high']:,.0f}",
            round(entry["kg_per_gbp"], 3),
        ]
        for entry in sorted(overview.regional, key=lambda entry: -entry["tco2e"])
    ]
    return Section(
        key="carbon",
        title=_("Supply-chain carbon analysed"),
        columns=[
            _("Public body"),
            _("Emissions (tCO2e)"),
            _("Range (tCO2e)"),
            _("kgCO2e per £"),
        ],
        rows=rows,
        note=_("Spend-based estimates with the factor set %(name)s; see the Procurement Lab.")
        % {"name": overview.factor_set},
        chart_column=1,
    )


def bids(user: Any) -> Section | None:
    """Challenge Fund bids made (submitted or decided) and funded, by theme and well-being
    goal of the challenge each answers."""
    from infuse.challenges.selectors import bids_summary
    from infuse.reference.models import Theme, WellbeingGoal

    summary = bids_summary()
    if not summary.made:
        return None
    rows: list[list[Any]] = [
        [str(theme.name), summary.made_by_theme.get(theme.slug, 0),
         summary.funded_by_theme.get(theme.slug, 0)]
        for theme in Theme.objects.order_by("pk")
    ]  # fmt: skip
    rows += [
        [str(goal.name), summary.made_by_goal.get(goal.number, 0),
         summary.funded_by_goal.get(goal.number, 0)]
        for goal in WellbeingGoal.objects.order_by("number")
    ]  # fmt: skip
    return Section(
        key="bids",
        title=_("Challenge Fund bids made and funded"),
        columns=[_("Theme or well-being goal"), _("Bids made"), _("Funded")],
        rows=rows,
        note=_(
            "Bids made: %(made)s; funded: %(funded)s. A bid counts under every theme and goal "
            "its challenge serves."
        )
        % {"made": summary.made, "funded": summary.funded},
        chart_column=1,
    )


#: The dashboard's sections in order; append a function to add one.
SECTIONS: list[Callable[[Any], Section | None]] = [
    participation,
    capability,
    artefacts,
    artefacts_by_theme_and_goal,
    experiments,
    spend,
    carbon_analysed,
    bids,
]


def dashboard(user: Any) -> list[Section]:
    """Every section with something to show for ``user``."""
    return [section for make in SECTIONS if (section := make(user)) is not None]
