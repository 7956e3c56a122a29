"""Every write of the Challenge Fund: one audited function per use case.

Each takes the acting user (``None`` is Infuse itself: the demo or an operator's command),
checks the permission policy, writes in one transaction and records an audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.interests import interests_record
from infuse.accounts.models import Role, User
from infuse.accounts.policy import (
    Action,
    BodyWorkspace,
    can,
    can_edit_bid,
    programme_overseer,
    recorded_user,
    require_unless_system,
)
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError
from infuse.lab_outputs import KINDS

from . import framing, panel
from .models import (
    Assessment,
    Bid,
    BidAnswer,
    BidLink,
    Call,
    Challenge,
    ChallengeGoal,
    ChallengeTheme,
    ChallengeWay,
    Criterion,
    CriterionScore,
    FundingDecision,
    Moderation,
    Phase,
    PhaseReview,
    ScaleLevel,
)
from .selectors import deadline_problem

CHALLENGE_FIELDS = (
    "title",
    "how_might_we",
    "problem",
    "evidence",
    "affected",
    "tried",
    "transfer",
    "owner_name",
    "sponsor_name",
    "budget_feasibility",
    "budget_prototype",
    "budget_adoption",
    "purchase_commitment",
    "constraints_data",
    "constraints_legal",
    "constraints_welsh",
    "constraints_accessibility",
    "visibility",
)
CHALLENGE_REQUIRED = (
    "title",
    "how_might_we",
    "problem",
    "evidence",
    "affected",
    "tried",
    "transfer",
    "owner_name",
    "sponsor_name",
    "purchase_commitment",
)
BUDGET_FIELDS = ("budget_feasibility", "budget_prototype", "budget_adoption")
CALL_FIELDS = (
    "title_en",
    "title_cy",
    "summary_en",
    "summary_cy",
    "deadline",
    *BUDGET_FIELDS,
    "scale_max",
    "quality_threshold",
)
BID_FIELDS = ("title", "summary", "phase", "budget")


class ChallengeFundError(UserFacingError):
    """A refused Challenge Fund request, with the reason in the user's language."""


def _label(model: Any, name: str) -> str:
    return str(getattr(model._meta.get_field(name), "verbose_name", name))


def _amount(value: Any, label: str) -> int:
    try:
        amount = int(str(value).replace(",", "").replace("£", "").strip() or 0)
    except ValueError:
        raise ChallengeFundError(
            _("Enter %(field)s as a whole number of pounds.") % {"field": label}
        ) from None
    if amount < 0:
        raise ChallengeFundError(_("%(field)s cannot be negative.") % {"field": label})
    return amount


# --- Challenges ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contributions:
    """What a challenge serves, each with a sentence on how: keyed by the reference record."""

    themes: Mapping[Any, str]
    goals: Mapping[Any, str]
    ways: Mapping[Any, str]


@audited
@transaction.atomic
def challenge_save(
    *,
    actor: Any,
    body: Any,
    values: Mapping[str, Any],
    contributions: Contributions,
    challenge: Challenge | None = None,
) -> Challenge:
    """Write a challenge statement for ``body`` (``challenge`` None) or change one.

    The statement must be a question (end with “?”); at least one theme and one well-being goal
    are needed, each with a sentence on how the challenge contributes to it.
    """
    if challenge is None:
        require_unless_system(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))
        challenge = Challenge(owner_body=body, created_by=recorded_user(actor))
        before = None
    else:
        require_unless_system(actor, Action.CHANGE, challenge)
        before = snapshot(challenge, CHALLENGE_FIELDS)
    for name in CHALLENGE_FIELDS:
        if name not in values:
            continue
        if name in BUDGET_FIELDS:
            setattr(challenge, name, _amount(values[name], _label(Challenge, name)))
        else:
            setattr(challenge, name, str(values[name] or "").strip())
    for name in CHALLENGE_REQUIRED:
        if not getattr(challenge, name):
            raise ChallengeFundError(_("Enter %(field)s.") % {"field": _label(Challenge, name)})
    if not framing.is_question(challenge.how_might_we):
        raise ChallengeFundError(
            _(
                "Write the challenge as a question ending with a question mark, for example "
                "“How might we help older people stay warm at home?”"
            )
        )
    themes = {key: text.strip() for key, text in contributions.themes.items() if text.strip()}
    goals = {key: text.strip() for key, text in contributions.goals.items() if text.strip()}
    ways = {key: text.strip() for key, text in contributions.ways.items() if text.strip()}
    if not themes:
        raise ChallengeFundError(
            _("Say how the challenge contributes to at least one of the themes.")
        )
    if not goals:
        raise ChallengeFundError(
            _("Say how the challenge contributes to at least one well-being goal.")
        )
    challenge.full_clean(exclude=["owner_body", "created_by"])
    challenge.save()
    challenge.theme_links.all().delete()
    challenge.goal_links.all().delete()
    challenge.way_links.all().delete()
    ChallengeTheme.objects.bulk_create(
        ChallengeTheme(challenge=challenge, theme=theme, contribution=text)
        for theme, text in themes.items()
    )
    ChallengeGoal.objects.bulk_create(
        ChallengeGoal(challenge=challenge, goal=goal, contribution=text)
        for goal, text in goals.items()
    )
    ChallengeWay.objects.bulk_create(
        ChallengeWay(challenge=challenge, way=way, contribution=text) for way, text in ways.items()
    )
    after = snapshot(challenge, CHALLENGE_FIELDS) or {}
    after["themes"] = {str(theme.pk): text for theme, text in themes.items()}
    after["goals"] = {str(goal.pk): text for goal, text in goals.items()}
    after["ways"] = {str(way.pk): text for way, text in ways.items()}
    audit_record(
        actor=actor,
        action="challenges.challenge_saved",
        target=challenge,
        body=challenge.owner_body,
        before=before,
        after=after,
    )
    return challenge


# --- Calls -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionValues:
    name_en: str
    name_cy: str
    weight: int
    guidance_en: str = ""
    guidance_cy: str = ""


def _require_manager(actor: Any) -> None:
    if actor is not None and not programme_overseer(actor):
        raise ChallengeFundError(_("Only the programme's managers write Challenge Fund calls."))


@audited
@transaction.atomic
def call_save(
    *,
    actor: Any,
    values: Mapping[str, Any],
    criteria: Sequence[CriterionValues],
    scale: Sequence[tuple[str, str]],
    call: Call | None = None,
) -> Call:
    """Write a call (``call`` None) or change one that is not yet published.

    ``criteria`` replace the call's criteria; their weights must add to 100. ``scale`` gives
    the English and Welsh descriptor of each score from 0 up, so its length is the highest
    score plus one.
    """
    _require_manager(actor)
    if call is not None and call.published:
        raise ChallengeFundError(
            _("This call is published: its criteria and deadline can no longer change.")
        )
    before = snapshot(call, CALL_FIELDS) if call is not None else None
    if call is None:
        call = Call(created_by=recorded_user(actor))
    for name in CALL_FIELDS:
        if name not in values:
            continue
        value = values[name]
        if name in BUDGET_FIELDS:
            value = _amount(value, _label(Call, name))
        elif isinstance(value, str):
            value = value.strip()
        setattr(call, name, value)
    for name in ("title_en", "title_cy", "summary_en", "summary_cy"):
        if not getattr(call, name):
            raise ChallengeFundError(_("Enter %(field)s.") % {"field": _label(Call, name)})
    if not isinstance(call.deadline, datetime.datetime):
        raise ChallengeFundError(_("Enter the deadline."))
    criteria = [c for c in criteria if c.name_en.strip() or c.name_cy.strip()]
    if not criteria:
        raise ChallengeFundError(_("Add at least one criterion."))
    for criterion in criteria:
        if not criterion.name_en.strip() or not criterion.name_cy.strip():
            raise ChallengeFundError(_("Give every criterion a name in English and in Welsh."))
        if criterion.weight <= 0:
            raise ChallengeFundError(_("Give every criterion a weight above zero."))
    total = panel.weights_total([c.weight for c in criteria])
    if total != panel.WEIGHTS_TOTAL:
        raise ChallengeFundError(
            _("The weights add up to %(total)s per cent; they must add up to 100.")
            % {"total": total}
        )
    if len(scale) < 2:
        raise ChallengeFundError(_("Describe at least two points on the scoring scale."))
    for english, welsh in scale:
        if not english.strip() or not welsh.strip():
            raise ChallengeFundError(
                _("Describe every point on the scoring scale in English and in Welsh.")
            )
    call.scale_max = len(scale) - 1
    if not 0 <= call.quality_threshold <= 100:
        raise ChallengeFundError(_("The quality threshold is a percentage from 0 to 100."))
    call.full_clean(exclude=["created_by"])
    call.save()
    call.criteria.all().delete()
    call.scale_levels.all().delete()
    Criterion.objects.bulk_create(
        Criterion(
            call=call,
            order=index,
            name_en=c.name_en.strip(),
            name_cy=c.name_cy.strip(),
            guidance_en=c.guidance_en.strip(),
            guidance_cy=c.guidance_cy.strip(),
            weight=c.weight,
        )
        for index, c in enumerate(criteria)
    )
    ScaleLevel.objects.bulk_create(
        ScaleLevel(call=call, score=score, descriptor_en=en.strip(), descriptor_cy=cy.strip())
        for score, (en, cy) in enumerate(scale)
    )
    after = snapshot(call, CALL_FIELDS) or {}
    after["criteria"] = [[c.name_en, c.weight] for c in criteria]
    audit_record(
        actor=actor, action="challenges.call_saved", target=call, before=before, after=after
    )
    return call


@audited
@transaction.atomic
def call_publish(*, actor: Any, call: Call) -> Call:
    """Publish a call: it becomes public and open for bids until its deadline."""
    _require_manager(actor)
    if call.published:
        raise ChallengeFundError(_("This call is already published."))
    if call.deadline <= timezone.now():
        raise ChallengeFundError(_("The deadline has passed: set a later one before publishing."))
    call.published_at = timezone.now()
    call.save(update_fields=["published_at"])
    audit_record(
        actor=actor,
        action="challenges.call_published",
        target=call,
        after={"published_at": call.published_at},
    )
    return call


@audited
@transaction.atomic
def call_close(*, actor: Any, call: Call, reason: str) -> Call:
    """Close a published call now, before its deadline (for example when the programme board
    brings the deadline forward); ``reason`` is kept in the audit trail."""
    _require_manager(actor)
    if not call.is_open:
        raise ChallengeFundError(_("This call is not open."))
    if not reason.strip():
        raise ChallengeFundError(_("Give the reason for closing the call early."))
    before = {"deadline": call.deadline}
    call.deadline = timezone.now()
    call.save(update_fields=["deadline"])
    audit_record(
        actor=actor,
        action="challenges.call_closed",
        target=call,
        before=before,
        after={"deadline": call.deadline, "reason": reason.strip()},
    )
    return call


# --- Bids ------------------------------------------------------------------------------------


def _require_open(call: Call) -> None:
    problem = deadline_problem(call)
    if problem:
        raise ChallengeFundError(problem)


def _require_team(actor: Any, bid: Bid) -> None:
    if actor is not None and not can_edit_bid(actor, bid):
        raise ChallengeFundError(_("Only the bid team can change this bid."))


def _check_team(bid: Bid, team: Sequence[User]) -> None:
    bodies = {bid.owner_body_id, *(body.pk for body in bid.partners.all())}
    for officer in team:
        if officer.body_id not in bodies:
            raise ChallengeFundError(
                _("%(name)s does not work for the lead body or a partner body.")
                % {"name": officer.display_name}
            )
        if officer.role == Role.ASSESSOR:
            raise ChallengeFundError(
                _("%(name)s is a Challenge Fund assessor and cannot be on a bid team.")
                % {"name": officer.display_name}
            )


@audited
@transaction.atomic
def bid_save(
    *,
    actor: Any,
    call: Call,
    values: Mapping[str, Any],
    challenge: Challenge,
    partners: Sequence[Any],
    team: Sequence[User],
    answers: Mapping[int, str],
    body: Any = None,
    bid: Bid | None = None,
) -> Bid:
    """Start a bid to ``call`` led by ``body`` (the actor's own body) or change one.

    The actor joins the team of a new bid. Every named officer must work for the lead or a
    partner body; the challenge must be one the actor may see. Nothing changes after the
    call's deadline.
    """
    _require_open(call)
    if bid is None:
        if body is None:
            body = getattr(actor, "body", None)
        if body is None:
            raise ChallengeFundError(_("A bid is led by a public body: yours is not set."))
        require_unless_system(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))
        bid = Bid(call=call, owner_body=body, created_by=recorded_user(actor))
        before = None
    else:
        if bid.call_id != call.pk:
            raise ChallengeFundError(_("This bid answers another call."))
        _require_team(actor, bid)
        before = snapshot(bid, (*BID_FIELDS, "challenge"))
    if actor is not None and not can(actor, Action.VIEW, challenge):
        raise ChallengeFundError(_("Choose a challenge you can see."))
    bid.challenge = challenge
    for name in BID_FIELDS:
        if name in values:
            value = values[name]
            if name == "budget":
                value = _amount(value, _label(Bid, "budget"))
            setattr(bid, name, value if name == "budget" else str(value).strip())
    for name in ("title", "summary"):
        if not getattr(bid, name):
            raise ChallengeFundError(_("Enter %(field)s.") % {"field": _label(Bid, name)})
    if bid.phase not in Phase.values:
        raise ChallengeFundError(_("Choose the phase the bid applies for."))
    if bid.budget <= 0:
        raise ChallengeFundError(_("Enter the budget the bid asks for."))
    if bid.budget > call.budget_of(bid.phase):
        raise ChallengeFundError(
            _("The budget asked for is more than the call's budget for this phase (£%(limit)s).")
            % {"limit": f"{call.budget_of(bid.phase):,}"}
        )
    bid.full_clean(exclude=["owner_body", "created_by", "challenge", "call"])
    bid.save()
    bid.partners.set([p for p in partners if p.pk != bid.owner_body_id])
    members = list(team)
    if isinstance(actor, User) and actor not in members and before is None:
        members.append(actor)
    if not members:
        raise ChallengeFundError(_("Name at least one officer on the bid team."))
    _check_team(bid, members)
    bid.team.set(members)
    criteria = {c.pk for c in call.criteria.all()}
    for criterion_id, text in answers.items():
        if criterion_id not in criteria:
            continue
        BidAnswer.objects.update_or_create(
            bid=bid, criterion_id=criterion_id, defaults={"text": str(text).strip()}
        )
    after = snapshot(bid, (*BID_FIELDS, "challenge")) or {}
    after["partners"] = sorted(p.pk for p in bid.partners.all())
    after["team"] = sorted(m.pk for m in members)
    after["answers"] = {str(k): str(v).strip() for k, v in answers.items() if k in criteria}
    audit_record(
        actor=actor,
        action="challenges.bid_saved",
        target=bid,
        body=bid.owner_body,
        before=before,
        after=after,
    )
    return bid


@audited
@transaction.atomic
def bid_submit(*, actor: Any, bid: Bid) -> Bid:
    """Submit a draft bid; every criterion must have an answer. It can still be changed until
    the deadline."""
    _require_open(bid.call)
    _require_team(actor, bid)
    if bid.status != Bid.Status.DRAFT:
        raise ChallengeFundError(_("This bid is already submitted."))
    answered = {a.criterion_id for a in bid.answers.all() if a.text.strip()}
    missing = [c.name for c in bid.call.criteria.all() if c.pk not in answered]
    if missing:
        raise ChallengeFundError(
            _("Answer every criterion before submitting. Still to answer: %(names)s.")
            % {"names": "; ".join(str(name) for name in missing)}
        )
    bid.status = Bid.Status.SUBMITTED
    bid.submitted_at = timezone.now()
    bid.save(update_fields=["status", "submitted_at", "updated_at"])
    audit_record(
        actor=actor,
        action="challenges.bid_submitted",
        target=bid,
        body=bid.owner_body,
        after={"status": bid.status, "submitted_at": bid.submitted_at},
    )
    return bid


@audited
@transaction.atomic
def bid_link_add(*, actor: Any, bid: Bid, kind: str, record_id: int) -> BidLink:
    """Link one of the team's lab outputs to ``bid``; the actor must be able to see it."""
    _require_open(bid.call)
    _require_team(actor, bid)
    output = KINDS.get(kind)
    if output is None or output.find(actor, record_id) is None:
        raise ChallengeFundError(_("Choose a lab record you can see."))
    if BidLink.objects.filter(bid=bid, kind=kind, record_id=record_id).exists():
        raise ChallengeFundError(_("That record is already linked to this bid."))
    link = BidLink.objects.create(
        bid=bid, kind=kind, record_id=record_id, added_by=recorded_user(actor)
    )
    audit_record(
        actor=actor,
        action="challenges.bid_link_added",
        target=bid,
        body=bid.owner_body,
        after={"kind": kind, "record_id": record_id},
    )
    return link


@audited
@transaction.atomic
def bid_link_remove(*, actor: Any, link: BidLink) -> None:
    """Remove a link from a bid (the lab record itself is untouched)."""
    bid = link.bid
    _require_open(bid.call)
    _require_team(actor, bid)
    before = {"kind": link.kind, "record_id": link.record_id}
    link.delete()
    audit_record(
        actor=actor,
        action="challenges.bid_link_removed",
        target=bid,
        body=bid.owner_body,
        before=before,
    )


# --- Assessment ----------------------------------------------------------------------------------


def _require_closed(call: Call) -> None:
    if not call.published or timezone.now() < call.deadline:
        raise ChallengeFundError(_("Assessment starts when the call has closed."))


@audited
@transaction.atomic
def assessors_allocate(*, actor: Any, call: Call, per_bid: int = 3) -> dict[int, list[int]]:
    """Allocate assessors to the call's submitted bids, ``per_bid`` each, avoiding conflicts.

    A conflict is an interest an assessor declared on the bid, or an assessor who works for
    the lead or a partner body. Earlier allocations are kept. Returns bid id → assessor ids
    added; bids that could not be fully staffed are named in the audit entry.
    """
    _require_manager(actor)
    _require_closed(call)
    bids = list(
        Bid.objects.filter(call=call, status=Bid.Status.SUBMITTED).prefetch_related(
            "partners", "assessments"
        )
    )
    assessors = list(
        User.objects.filter(role=Role.ASSESSOR, is_active=True).order_by("last_name", "pk")
    )
    conflicts = set()
    already: dict[int, list[int]] = {}
    for bid in bids:
        bodies = {bid.owner_body_id, *(p.pk for p in bid.partners.all())}
        for assessor in assessors:
            if assessor.body_id is not None and assessor.body_id in bodies:
                conflicts.add((bid.pk, assessor.pk))
        for assessment in bid.assessments.all():
            if assessment.has_conflict:
                conflicts.add((bid.pk, assessment.assessor_id))
            else:
                already.setdefault(bid.pk, []).append(assessment.assessor_id)
            conflicts.add((bid.pk, assessment.assessor_id))  # never allocated twice
    result = panel.allocate(
        [b.pk for b in bids], [a.pk for a in assessors], conflicts, per_bid, already
    )
    added: dict[int, list[int]] = {}
    for bid_id, people in result.assigned.items():
        new = [p for p in people if p not in already.get(bid_id, [])]
        Assessment.objects.bulk_create(
            Assessment(bid_id=bid_id, assessor_id=person) for person in new
        )
        if new:
            added[bid_id] = new
    audit_record(
        actor=actor,
        action="challenges.assessors_allocated",
        target=call,
        after={"added": {str(k): v for k, v in added.items()}, "short": result.short},
    )
    return added


def _assessment_of(actor: Any, bid: Bid) -> Assessment:
    assessment = Assessment.objects.filter(bid=bid, assessor=actor).first()
    if assessment is None:
        raise ChallengeFundError(_("This bid is not allocated to you."))
    return assessment


@audited
@transaction.atomic
def interests_declare(*, actor: User, bid: Bid, has_conflict: bool, declaration: str) -> Assessment:
    """The allocated assessor declares their interests in ``bid`` before it is shown to them.

    A declared conflict takes them off the bid: they never see it, and the programme manager
    allocates someone else.
    """
    assessment = _assessment_of(actor, bid)
    declaration = interests_record(
        assessment,
        has_conflict=has_conflict,
        declaration=declaration,
        already_declared=_("You have already declared your interests in this bid."),
        error=ChallengeFundError,
    )
    audit_record(
        actor=actor,
        action="challenges.interests_declared",
        target=bid,
        body=bid.owner_body,
        after={"has_conflict": has_conflict, "declaration": declaration},
    )
    return assessment


@audited
@transaction.atomic
def scores_save(
    *,
    actor: User,
    bid: Bid,
    scores: Mapping[int, tuple[int | None, str]],
    submit: bool = False,
) -> Assessment:
    """Save an assessor's scores (criterion id → score and comment); ``submit`` locks them.

    Scores run from 0 to the call's highest score. Submitting needs a score for every
    criterion. Only after submitting does the assessor see the other assessors' scores.
    """
    assessment = _assessment_of(actor, bid)
    if not assessment.cleared:
        raise ChallengeFundError(_("Declare your interests before you see or score this bid."))
    if assessment.submitted_at is not None:
        raise ChallengeFundError(_("You have submitted your scores; they can no longer change."))
    if bid.status != Bid.Status.SUBMITTED:
        raise ChallengeFundError(_("The funding decision has been made: scoring has closed."))
    call = bid.call
    criteria = {c.pk: c for c in call.criteria.all()}
    existing = {s.criterion_id: s for s in assessment.scores.all()}
    for criterion_id, (score, comment) in scores.items():
        if criterion_id not in criteria:
            continue
        if score is None:
            continue
        if not 0 <= score <= call.scale_max:
            raise ChallengeFundError(_("Scores run from 0 to %(top)s.") % {"top": call.scale_max})
        entry = existing.get(criterion_id)
        if entry is None:
            existing[criterion_id] = CriterionScore.objects.create(
                assessment=assessment,
                criterion_id=criterion_id,
                score=score,
                comment=comment.strip(),
            )
        else:
            entry.score, entry.comment = score, comment.strip()
            entry.save(update_fields=["score", "comment"])
    if submit:
        missing = [str(c.name) for pk, c in criteria.items() if pk not in existing]
        if missing:
            raise ChallengeFundError(
                _("Score every criterion before submitting. Still to score: %(names)s.")
                % {"names": "; ".join(missing)}
            )
        assessment.submitted_at = timezone.now()
        assessment.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action="challenges.scores_submitted" if submit else "challenges.scores_saved",
        target=bid,
        body=bid.owner_body,
        after={
            "scores": {str(k): [v.score, v.comment] for k, v in existing.items()},
            "submitted": submit,
        },
    )
    return assessment


@audited
@transaction.atomic
def score_moderate(
    *, actor: Any, bid: Bid, criterion: Criterion, score: Any, reason: str
) -> Moderation:
    """Record the panel's moderated score for one criterion of ``bid``, with the reason.

    Every moderation is kept; the latest for a criterion is the one that counts.
    """
    _require_manager(actor)
    _require_closed(bid.call)
    if criterion.call_id != bid.call_id:
        raise ChallengeFundError(_("That criterion belongs to another call."))
    if bid.status != Bid.Status.SUBMITTED:
        raise ChallengeFundError(_("Only bids still being assessed can be moderated."))
    reason = reason.strip()
    if not reason:
        raise ChallengeFundError(_("Give the reason for the moderated score."))
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ChallengeFundError(_("Enter the moderated score as a number.")) from None
    if not 0 <= value <= bid.call.scale_max:
        raise ChallengeFundError(_("Scores run from 0 to %(top)s.") % {"top": bid.call.scale_max})
    moderation = Moderation.objects.create(
        bid=bid,
        criterion=criterion,
        score=value,
        reason=reason,
        moderated_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="challenges.score_moderated",
        target=bid,
        body=bid.owner_body,
        after={"criterion": criterion.pk, "score": value, "reason": reason},
    )
    return moderation


@audited
@transaction.atomic
def funding_decide(
    *,
    actor: Any,
    call: Call,
    phase: str,
    method: str,
    chosen: Sequence[int] = (),
    reason: str = "",
) -> FundingDecision:
    """Decide which of the call's bids for ``phase`` are funded.

    ``rank_order`` funds down the ranking within the phase's budget (``panel.fund_in_rank_order``);
    ``portfolio`` funds the ``chosen`` bids, which must be within the budget and above the
    quality threshold, and needs a reason. Every ranked bid of the phase is then funded or not
    funded; the ranking at the time is kept with the decision.
    """
    from .selectors import panel_of

    _require_manager(actor)
    _require_closed(call)
    if phase not in Phase.values:
        raise ChallengeFundError(_("Choose the phase the bid applies for."))
    if FundingDecision.objects.filter(call=call, phase=phase).exists():
        raise ChallengeFundError(_("The funding decision for this phase has been made."))
    board = panel_of(call)
    ranking = board.ranking_of(phase)
    if not ranking:
        raise ChallengeFundError(_("No bids for this phase have been scored yet."))
    costs = {entry.key: board.bids[entry.key].bid.budget for entry in ranking}
    budget = call.budget_of(phase)
    reason = reason.strip()
    if method == FundingDecision.Method.RANK_ORDER:
        funded = list(panel.fund_in_rank_order(ranking, costs, budget).funded)
    elif method == FundingDecision.Method.PORTFOLIO:
        funded = [int(key) for key in chosen]
        problems = panel.portfolio_problems(funded, ranking, costs, budget)
        if "unknown" in problems:
            raise ChallengeFundError(_("Choose bids from this phase's ranking."))
        if "over_budget" in problems:
            raise ChallengeFundError(
                _("The chosen bids cost more than the phase's budget of £%(budget)s.")
                % {"budget": f"{budget:,}"}
            )
        if "below_threshold" in problems:
            raise ChallengeFundError(_("A bid below the quality threshold cannot be funded."))
        if not reason:
            raise ChallengeFundError(
                _("Give the reason for a portfolio choice that departs from the rank order.")
            )
    else:
        raise ChallengeFundError(_("Choose how the bids are to be funded."))
    decision = FundingDecision.objects.create(
        call=call,
        phase=phase,
        method=method,
        reason=reason,
        funded=funded,
        ranking=[[entry.key, entry.score, entry.rank] for entry in ranking],
        decided_by=recorded_user(actor),
    )
    for entry in ranking:
        status = Bid.Status.FUNDED if entry.key in funded else Bid.Status.NOT_FUNDED
        Bid.objects.filter(pk=entry.key).update(status=status, updated_at=timezone.now())
    audit_record(
        actor=actor,
        action="challenges.funding_decided",
        target=call,
        after={
            "phase": phase,
            "method": method,
            "funded": funded,
            "reason": reason,
            "departs_from_rank_order": panel.departs_from_rank_order(
                funded, ranking, costs, budget
            ),
        },
    )
    return decision


@audited
@transaction.atomic
def feedback_release(*, actor: Any, bid: Bid, text: str) -> Bid:
    """Write feedback for a decided bid and release it: the bid team sees it from now on."""
    _require_manager(actor)
    if bid.status not in (Bid.Status.FUNDED, Bid.Status.NOT_FUNDED):
        raise ChallengeFundError(_("Feedback is released once the funding decision is made."))
    text = text.strip()
    if not text:
        raise ChallengeFundError(_("Write the feedback before releasing it."))
    before = {"feedback": bid.feedback, "released": bid.feedback_released_at}
    bid.feedback = text
    bid.feedback_released_at = timezone.now()
    bid.save(update_fields=["feedback", "feedback_released_at", "updated_at"])
    audit_record(
        actor=actor,
        action="challenges.feedback_released",
        target=bid,
        body=bid.owner_body,
        before=before,
        after={"feedback": text, "released": bid.feedback_released_at},
    )
    return bid


# --- Phases of a funded project ------------------------------------------------------------------


@audited
@transaction.atomic
def phase_review_record(
    *, actor: Any, bid: Bid, review: str, decision: str, reason: str
) -> PhaseReview:
    """Record the review that ends the current phase of a funded project: what it found, and
    the decision to continue to the next phase or stop, with the reason."""
    _require_manager(actor)
    state = bid.project_state()
    if state is None:
        raise ChallengeFundError(_("Only funded projects have phases to review."))
    if state.phase is None:
        raise ChallengeFundError(_("This project has ended: there is no phase left to review."))
    if decision not in PhaseReview.Decision.values:
        raise ChallengeFundError(_("Choose whether the project continues or stops."))
    review, reason = review.strip(), reason.strip()
    if not review or not reason:
        raise ChallengeFundError(_("Say what the phase found and the reason for the decision."))
    entry = PhaseReview.objects.create(
        bid=bid,
        phase=state.phase,
        review=review,
        decision=decision,
        reason=reason,
        decided_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="challenges.phase_reviewed",
        target=bid,
        body=bid.owner_body,
        after={"phase": state.phase, "decision": decision, "review": review, "reason": reason},
    )
    return entry


@audited
@transaction.atomic
def outcomes_record(*, actor: Any, bid: Bid, text: str) -> Bid:
    """Record the outcomes of a funded project once it has ended (stopped or completed)."""
    _require_manager(actor)
    state = bid.project_state()
    if state is None or state.phase is not None:
        raise ChallengeFundError(_("Outcomes are recorded when the project has ended."))
    text = text.strip()
    if not text:
        raise ChallengeFundError(_("Describe the outcomes."))
    before = {"outcomes": bid.outcomes}
    bid.outcomes = text
    bid.outcomes_recorded_at = timezone.now()
    bid.save(update_fields=["outcomes", "outcomes_recorded_at", "updated_at"])
    audit_record(
        actor=actor,
        action="challenges.outcomes_recorded",
        target=bid,
        body=bid.owner_body,
        before=before,
        after={"outcomes": text},
    )
    return bid
