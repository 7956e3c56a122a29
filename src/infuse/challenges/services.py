"""Every write of the Challenge Fund: one audited function per use case.

Each takes the acting user (``None`` is Infuse itself: the demo or an operator's command),
checks the permission policy, writes in one transaction and records an audit entry.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Role, User
from infuse.accounts.policy import (
    Action,
    BodyWorkspace,
    can,
    can_edit_bid,
    may_manage_calls,
    recorded_user,
    require_unless_system,
)
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError

from . import framing, panel
from .models import (
    Bid,
    BidAnswer,
    BidLink,
    Call,
    Challenge,
    ChallengeGoal,
    ChallengeTheme,
    ChallengeWay,
    Criterion,
    Phase,
    ScaleLevel,
)
from .selectors import deadline_problem, lab_output_of

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
    if actor is not None and not may_manage_calls(actor):
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
    record = lab_output_of(kind, record_id)
    if record is None or (actor is not None and not can(actor, Action.VIEW, record)):
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
