"""Reads for the Challenge Fund's pages, API and command line, narrowed by the policy."""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Role, User
from infuse.accounts.policy import bid_filter, can_open_bid, visible_filter
from infuse.lab_outputs import KINDS

from . import framing, panel
from .models import (
    PHASES,
    Bid,
    BidLink,
    Call,
    Challenge,
    ChallengeGoal,
    ChallengeTheme,
)


def challenges_visible_to(user: Any) -> QuerySet[Challenge]:
    return Challenge.objects.filter(visible_filter(user)).select_related("owner_body")


def challenge_for(user: Any, challenge_id: int) -> Challenge | None:
    return (
        Challenge.objects.filter(visible_filter(user), pk=challenge_id)
        .select_related("owner_body")
        .prefetch_related("theme_links__theme", "goal_links__goal", "way_links__way")
        .first()
    )


def calls_for(user: Any) -> QuerySet[Call]:
    """Published calls for everyone; drafts too for those who write calls."""
    from infuse.accounts.policy import programme_overseer

    calls = Call.objects.prefetch_related("criteria")
    if programme_overseer(user):
        return calls
    return calls.filter(published_at__isnull=False)


def open_calls() -> QuerySet[Call]:
    return Call.objects.filter(
        published_at__isnull=False, deadline__gt=timezone.now()
    ).prefetch_related("criteria", "scale_levels")


def call_for(user: Any, call_id: int) -> Call | None:
    return calls_for(user).prefetch_related("scale_levels").filter(pk=call_id).first()


def bids_visible_to(user: Any) -> QuerySet[Bid]:
    return (
        Bid.objects.filter(bid_filter(user))
        .distinct()
        .select_related("owner_body", "call", "challenge")
    )


def bid_for(user: Any, bid_id: int) -> Bid | None:
    bid = (
        Bid.objects.filter(pk=bid_id)
        .select_related("owner_body", "call", "challenge", "challenge__owner_body")
        .prefetch_related("partners", "team", "answers")
        .first()
    )
    if bid is None or not can_open_bid(user, bid):
        return None
    return bid


def funded_projects() -> QuerySet[Bid]:
    """Funded bids, for the public page: title, summary, bodies and amount only."""
    return (
        Bid.objects.filter(status=Bid.Status.FUNDED)
        .select_related("owner_body", "call")
        .prefetch_related("partners")
        .order_by("-call__deadline", "title")
    )


def officers_for_team(bodies: list[Any]) -> QuerySet[User]:
    """Officers who may be named on a bid team: members of the lead and partner bodies who
    are not assessors."""
    return (
        User.objects.filter(body__in=bodies, is_active=True)
        .exclude(role=Role.ASSESSOR)
        .select_related("body")
        .order_by("body__name_en", "last_name", "first_name")
    )


@dataclass(frozen=True)
class LinkView:
    link: BidLink
    kind_label: str
    title: str | None  # None when the viewer may not see the record
    url: str | None


def links_of(user: Any, bid: Bid) -> list[LinkView]:
    """A bid's links to lab outputs as the viewer may see them: a record the viewer cannot
    open is shown only by its kind, never by its title."""
    views = []
    for link in bid.links.all():
        kind = KINDS.get(link.kind)
        record = kind.find(user, link.record_id) if kind is not None else None
        title = kind.describe(record) if kind is not None and record is not None else None
        url = kind.url(record) if kind is not None and record is not None else None
        views.append(LinkView(link, str(kind.label) if kind else link.kind, title, url))
    return views


def linkable_outputs(user: Any, bid: Bid) -> list[tuple[str, str]]:
    """Lab outputs the user may link: (``kind:id``, label) for the lead and partner bodies'
    outputs the user can see, of every kind in the register of lab outputs."""
    bodies = [bid.owner_body_id, *(p.pk for p in bid.partners.all())]
    linked = {(link.kind, link.record_id) for link in bid.links.all()}
    choices: list[tuple[str, str]] = []
    for kind in KINDS.values():
        for record in kind.of_bodies(user, bodies):
            if (kind.key, record.pk) not in linked:
                choices.append(
                    (f"{kind.key}:{record.pk}", f"{kind.label}: {kind.describe(record)}")
                )
    return choices


@dataclass(frozen=True)
class BidsSummary:
    """Bids made and funded, by theme and by well-being goal (slugs and goal numbers)."""

    made_by_theme: dict[str, int]
    funded_by_theme: dict[str, int]
    made_by_goal: dict[int, int]
    funded_by_goal: dict[int, int]
    made: int
    funded: int


def bids_summary() -> BidsSummary:
    """Counts of bids made (submitted or decided; drafts are not counted) and funded, by the
    themes and well-being goals of the challenge each bid answers — for the programme
    dashboard. A bid whose challenge serves two themes counts once under each."""
    made_ids = set(Bid.objects.exclude(status=Bid.Status.DRAFT).values_list("pk", flat=True))
    funded_ids = set(Bid.objects.filter(status=Bid.Status.FUNDED).values_list("pk", flat=True))
    challenge_of = dict(Bid.objects.filter(pk__in=made_ids).values_list("pk", "challenge_id"))
    themes: dict[int, list[str]] = {}
    for challenge_id, slug in ChallengeTheme.objects.values_list("challenge_id", "theme__slug"):
        themes.setdefault(challenge_id, []).append(slug)
    goals: dict[int, list[int]] = {}
    for challenge_id, number in ChallengeGoal.objects.values_list("challenge_id", "goal__number"):
        goals.setdefault(challenge_id, []).append(number)
    made_theme: Counter[str] = Counter()
    funded_theme: Counter[str] = Counter()
    made_goal: Counter[int] = Counter()
    funded_goal: Counter[int] = Counter()
    for bid_id, challenge_id in challenge_of.items():
        for slug in themes.get(challenge_id, []):
            made_theme[slug] += 1
            if bid_id in funded_ids:
                funded_theme[slug] += 1
        for number in goals.get(challenge_id, []):
            made_goal[number] += 1
            if bid_id in funded_ids:
                funded_goal[number] += 1
    return BidsSummary(
        made_by_theme=dict(made_theme),
        funded_by_theme=dict(funded_theme),
        made_by_goal=dict(made_goal),
        funded_by_goal=dict(funded_goal),
        made=len(made_ids),
        funded=len(funded_ids),
    )


def challenge_advice(how_might_we: str) -> list[str]:
    """Gentle advice on a "How might we…?" statement (shown, never refused)."""
    advice = []
    if not framing.opens_how_might_we(how_might_we):
        advice.append(
            _(
                "Challenge statements usually start “How might we…”: it keeps the question "
                "open to more than one answer."
            )
        )
    if framing.names_a_solution(how_might_we):
        advice.append(
            _(
                "The statement seems to name a solution (“by buying…”, “by building…”). "
                "Describe the problem and leave the answer to the bidders."
            )
        )
    return advice


def deadline_problem(call: Call, now: datetime.datetime | None = None) -> str | None:
    """Why a bid to ``call`` cannot be written now, or None when it can."""
    now = now or timezone.now()
    if not call.published:
        return _("This call is not open for bids.")
    if now >= call.deadline:
        when = formats.date_format(timezone.localtime(call.deadline), "j F Y, H:i")
        return _(
            "The deadline for this call passed at %(when)s: bids can no longer be changed."
        ) % {"when": when}
    return None


# --- The panel -----------------------------------------------------------------------------------


@dataclass
class ScoreView:
    assessor: Any
    score: int
    comment: str
    outlier: bool


@dataclass
class CriterionRow:
    criterion: Any
    scores: list[ScoreView]
    stats: panel.CriterionStats
    moderations: list[Any]  # every moderation, oldest first
    final: float | None  # the latest moderation, else the assessors' mean

    @property
    def moderated(self) -> Any:
        return self.moderations[-1] if self.moderations else None


@dataclass
class BidPanel:
    bid: Bid
    assessments: list[Any]
    rows: list[CriterionRow]
    weighted: float | None  # per cent of the highest possible; None before any sheet
    submitted: int

    @property
    def has_outliers(self) -> bool:
        return any(row.stats.outliers for row in self.rows)


@dataclass
class Board:
    call: Call
    bids: dict[int, BidPanel]

    def ranking_of(self, phase: str) -> list[panel.Ranked]:
        scores = {
            pk: view.weighted
            for pk, view in self.bids.items()
            if view.bid.phase == phase and view.weighted is not None
        }
        return panel.rank(scores, self.call.quality_threshold)

    def phases(self) -> list[str]:
        return [p for p in PHASES if any(v.bid.phase == p for v in self.bids.values())]


def panel_of(call: Call) -> Board:
    """The panel's view of a call's submitted and decided bids: each criterion's scores from
    submitted sheets only, with mean, spread and outliers (``panel.criterion_stats``), the
    moderated score where there is one, and the weighted score (``panel.weighted_score``)."""
    from .models import Assessment, Moderation

    criteria = list(call.criteria.all())
    weights = {c.pk: c.weight for c in criteria}
    bids = list(
        Bid.objects.filter(call=call)
        .exclude(status=Bid.Status.DRAFT)
        .select_related("owner_body")
        .prefetch_related("partners")
        .order_by("pk")
    )
    assessments: dict[int, list[Assessment]] = {}
    for assessment in (
        Assessment.objects.filter(bid__in=bids)
        .select_related("assessor")
        .prefetch_related("scores")
        .order_by("assessor__last_name", "pk")
    ):
        assessments.setdefault(assessment.bid_id, []).append(assessment)
    moderations: dict[tuple[int, int], list[Moderation]] = {}
    for moderation in Moderation.objects.filter(bid__in=bids).select_related("moderated_by"):
        moderations.setdefault((moderation.bid_id, moderation.criterion_id), []).append(moderation)
    board: dict[int, BidPanel] = {}
    for bid in bids:
        sheets = [a for a in assessments.get(bid.pk, []) if a.submitted_at is not None]
        rows = []
        finals: dict[int, float] = {}
        for criterion in criteria:
            given = {
                sheet.assessor_id: (sheet, score)
                for sheet in sheets
                for score in sheet.scores.all()
                if score.criterion_id == criterion.pk
            }
            stats = panel.criterion_stats(
                {key: score.score for key, (_s, score) in given.items()}, call.scale_max
            )
            history = moderations.get((bid.pk, criterion.pk), [])
            final = float(history[-1].score) if history else stats.mean
            if final is not None:
                finals[criterion.pk] = final
            rows.append(
                CriterionRow(
                    criterion=criterion,
                    scores=[
                        ScoreView(sheet.assessor, score.score, score.comment, key in stats.outliers)
                        for key, (sheet, score) in given.items()
                    ],
                    stats=stats,
                    moderations=history,
                    final=final,
                )
            )
        weighted = panel.weighted_score(finals, weights, call.scale_max) if sheets else None
        board[bid.pk] = BidPanel(bid, assessments.get(bid.pk, []), rows, weighted, len(sheets))
    return Board(call, board)


def assessments_for(user: Any) -> QuerySet[Any]:
    """An assessor's allocations, newest call first."""
    from .models import Assessment

    return (
        Assessment.objects.filter(assessor_id=getattr(user, "pk", None))
        .select_related("bid", "bid__call", "bid__owner_body")
        .prefetch_related("bid__partners")
        .order_by("-bid__call__deadline", "bid__title")
    )


def others_scores(assessment: Any) -> list[Any]:
    """The other assessors' submitted sheets on the same bid, for an assessor who has
    submitted their own (and only then: scoring is independent)."""
    from .models import Assessment

    if assessment.submitted_at is None:
        return []
    return list(
        Assessment.objects.filter(bid_id=assessment.bid_id, submitted_at__isnull=False)
        .exclude(pk=assessment.pk)
        .select_related("assessor")
        .prefetch_related("scores__criterion")
    )
