"""The permission policy: the one place that decides who may read and write what.

Two kinds of question are answered here:

* **Pages and endpoints** carry a named rule (``@page_rule("audit.browse")``); ``PAGE_RULES``
  says which users each rule admits. A view without a rule is a bug, and the test that walks
  every URL fails on it.
* **Records** that belong to a body (``OwnedRecord``) are private to that body, shared with its
  region, or public. ``can`` decides one action on one record; ``visible_filter`` turns the same
  rules into a query filter for selectors, so lists never show what a detail page would refuse.

Rules, in words:

* Public records can be read by anyone, signed in or not.
* Regional records can be read by any signed-in member of a body in the same region, and by the
  delivery team.
* Private records can be read by members of the owning body, and by the delivery team's
  programme managers and administrators (who oversee the whole programme).
* Members of the owning body change its records, except assessors, who only score. Deleting and
  changing visibility is for the record's creator and the body's administrators. Delivery-team
  administrators may do all of these.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from .models import Role, User, Visibility


class Action(enum.StrEnum):
    VIEW = "view"
    CHANGE = "change"
    DELETE = "delete"
    SHARE = "share"


class Actor(Protocol):
    """What the policy needs to know about a user (a ``User`` or ``AnonymousUser``)."""

    is_authenticated: bool
    is_active: bool


class Owned(Protocol):
    @property
    def owner_body_id(self) -> int: ...

    @property
    def visibility(self) -> str: ...

    @property
    def created_by_id(self) -> int | None: ...


@dataclass(frozen=True)
class Facts:
    """The facts about an actor that every rule uses, read once."""

    signed_in: bool
    user_id: int | None
    role: str | None
    body_id: int | None
    region_id: int | None

    @property
    def delivery_team(self) -> bool:
        return self.signed_in and self.body_id is None


def facts_of(user: Any) -> Facts:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return Facts(False, None, None, None, None)
    body = getattr(user, "body", None)
    return Facts(
        signed_in=True,
        user_id=user.pk,
        role=user.role,
        body_id=user.body_id,
        region_id=body.region_id if body is not None else None,
    )


OVERSEERS = frozenset({Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR})
NON_AUTHORS = frozenset({Role.ASSESSOR})


def can(user: Any, action: Action, record: Owned, *, owner_region_id: int | None = None) -> bool:
    """Whether ``user`` may take ``action`` on ``record``.

    ``owner_region_id`` is the region of the record's owning body; it is looked up when not
    given (selectors that already joined it pass it to save a query).
    """
    who = facts_of(user)
    if action is Action.VIEW:
        if record.visibility == Visibility.PUBLIC:
            return True
        if not who.signed_in:
            return False
        if who.body_id == record.owner_body_id:
            return True
        if who.delivery_team and who.role in OVERSEERS:
            return True
        if record.visibility == Visibility.REGIONAL:
            if who.delivery_team:
                return True
            region = owner_region_id
            if region is None:
                region = _region_of_body(record.owner_body_id)
            return region is not None and region == who.region_id
        return False

    if not who.signed_in:
        return False
    if who.delivery_team and who.role == Role.ADMINISTRATOR:
        return True
    if who.body_id != record.owner_body_id or who.role in NON_AUTHORS:
        return False
    if action is Action.CHANGE:
        return True
    # DELETE and SHARE: the creator, or the body's own administrator.
    return who.user_id == record.created_by_id or who.role == Role.ADMINISTRATOR


def require(user: Any, action: Action, record: Owned) -> None:
    """Raise ``PermissionDenied`` unless ``can`` allows it."""
    if not can(user, action, record):
        raise PermissionDenied


def can_review(user: Any, record: Owned) -> bool:
    """Whether ``user`` may comment on ``record`` and mark it ready, as a lab facilitator.

    Reviewing is the delivery team's facilitators' job; they review what they can see (work
    shared with the region or published), so a body keeps private work to itself.
    """
    who = facts_of(user)
    return who.delivery_team and who.role == Role.FACILITATOR and can(user, Action.VIEW, record)


def require_unless_system(actor: Any, action: Action, record: Owned) -> None:
    """``require`` for services: ``actor=None`` is Infuse itself (the demo, an operator's
    command, an import replayed by the reliability harness); people always arrive as a user."""
    if actor is not None:
        require(actor, action, record)


def may_author_for_own_body(user: Any) -> bool:
    """Whether ``user`` may create records for their own body (members, not assessors)."""
    body_id = getattr(user, "body_id", None)
    return body_id is not None and can(user, Action.CHANGE, BodyWorkspace(owner_body_id=body_id))


def recorded_user(actor: Any) -> Any:
    """The user to store as a record's creator: ``None`` for Infuse itself."""
    return actor if getattr(actor, "is_authenticated", False) else None


def visible_filter(user: Any, owner_field: str = "owner_body") -> Q:
    """A filter selecting the records ``user`` may view, matching ``can(…, VIEW, …)``."""
    who = facts_of(user)
    public = Q(visibility=Visibility.PUBLIC)
    if not who.signed_in:
        return public
    if who.delivery_team and who.role in OVERSEERS:
        return Q()
    own = Q(**{f"{owner_field}_id": who.body_id}) if who.body_id else Q(pk__in=[])
    if who.delivery_team:
        regional = Q(visibility=Visibility.REGIONAL)
    elif who.region_id is not None:
        regional = Q(visibility=Visibility.REGIONAL) & Q(
            **{f"{owner_field}__region_id": who.region_id}
        )
    else:
        regional = Q(pk__in=[])
    return public | own | regional


def _region_of_body(body_id: int) -> int | None:
    from infuse.reference.models import Body

    return Body.objects.filter(pk=body_id).values_list("region_id", flat=True).first()


@dataclass(frozen=True)
class BodyWorkspace:
    """A body's own workspace page, treated as a private record of that body."""

    owner_body_id: int
    visibility: str = Visibility.PRIVATE
    created_by_id: int | None = None


def may_see_withheld_payees(user: Any, owner_body_id: int) -> bool:
    """Whether ``user`` may see, by name, the payees a body's ledgers flag as individuals or
    redacted: only members of that body, who published them. Everyone else (other bodies,
    the delivery team, the API of another body) sees them only as one withheld total, so no
    person's name reaches a list shared beyond the body (UK GDPR data minimisation)."""
    who = facts_of(user)
    return who.signed_in and who.body_id == owner_body_id


class BidLike(Owned, Protocol):
    @property
    def status(self) -> str: ...

    def team_member_ids(self) -> set[int]: ...

    def cleared_assessor_ids(self) -> set[int]: ...


def on_bid_team(user: Any, bid: BidLike) -> bool:
    """Whether ``user`` is one of a Challenge Fund bid's named officers."""
    who = facts_of(user)
    return who.signed_in and who.user_id in bid.team_member_ids()


def can_open_bid(user: Any, bid: BidLike) -> bool:
    """Who may read a Challenge Fund bid.

    A draft is the bid team's alone: not the rest of the lead body, not the programme. Once
    submitted, the programme's managers and administrators see it too, and so does each
    assessor allocated to it once they have declared that they have no conflict of interest
    (the declaration comes first, without seeing the bid). Other bodies never do: a funded
    project is published through its own public summary, not the bid.
    """
    if on_bid_team(user, bid):
        return True
    if bid.status == "draft":
        return False
    who = facts_of(user)
    if who.delivery_team and who.role in OVERSEERS:
        return True
    return who.role == Role.ASSESSOR and who.user_id in bid.cleared_assessor_ids()


def can_edit_bid(user: Any, bid: BidLike) -> bool:
    """Only the bid team writes a bid, and never an assessor (the deadline is the service's
    check, because it needs the clock)."""
    who = facts_of(user)
    return on_bid_team(user, bid) and who.role not in NON_AUTHORS


def bid_filter(user: Any) -> Q:
    """A filter on bids matching ``can_open_bid`` for lists."""
    who = facts_of(user)
    if not who.signed_in:
        return Q(pk__in=[])
    mine = Q(team__id=who.user_id)
    if who.delivery_team and who.role in OVERSEERS:
        return mine | ~Q(status="draft")
    if who.role == Role.ASSESSOR:
        cleared = Q(
            assessments__assessor_id=who.user_id,
            assessments__declared_at__isnull=False,
            assessments__has_conflict=False,
        )
        return mine | (cleared & ~Q(status="draft"))
    return mine


def may_assess(user: Any) -> bool:
    """Challenge Fund assessors declare interests and score the bids allocated to them."""
    who = facts_of(user)
    return who.signed_in and who.role == Role.ASSESSOR


# --- The programme: cohorts belong to the delivery team, not to one body ---------------------


def programme_overseer(user: Any) -> bool:
    """Programme managers and administrators of the delivery team oversee the programme:
    every cohort, and the Challenge Fund's calls, panels and decisions."""
    who = facts_of(user)
    return who.delivery_team and who.role in OVERSEERS


def cohort_visible_filter(user: Any) -> Q:
    """Cohorts ``user`` may see: all for overseers; a delivery-team facilitator's own cohorts
    (as lead or as a session's facilitator); a participant's cohorts they are enrolled on.
    Join on sessions and enrolments, so use it with ``.distinct()``."""
    who = facts_of(user)
    if not who.signed_in:
        return Q(pk__in=[])
    if who.delivery_team and who.role in OVERSEERS:
        return Q()
    mine = Q(enrolments__participant_id=who.user_id)
    if who.delivery_team and who.role == Role.FACILITATOR:
        mine |= Q(facilitator_id=who.user_id) | Q(sessions__facilitator_id=who.user_id)
    return mine


def can_run_cohort(user: Any, cohort: Any) -> bool:
    """Whether ``user`` may run ``cohort``: change its sessions and materials, enrol people and
    record attendance. Overseers, and delivery-team facilitators who lead it or one of its
    sessions."""
    who = facts_of(user)
    if who.delivery_team and who.role in OVERSEERS:
        return True
    if not (who.delivery_team and who.role == Role.FACILITATOR):
        return False
    return bool(
        cohort.facilitator_id == who.user_id
        or cohort.sessions.filter(facilitator_id=who.user_id).exists()
    )


def may_see_special_category(user: Any) -> bool:
    """Special-category participant data (disability, ethnicity): only the delivery team's
    programme managers, who report to the funder (UK GDPR Article 9; data minimisation)."""
    who = facts_of(user)
    return who.delivery_team and who.role == Role.PROGRAMME_MANAGER


def can_read_red_flags(user: Any, body_id: int) -> bool:
    """Red flags are worked out over all of a body's contracts (private ones too), so they, the
    body's settings and its reviews are for its own members and the programme's overseers."""
    who = facts_of(user)
    return who.signed_in and (who.body_id == body_id or programme_overseer(user))


def can_work_red_flags(user: Any, body_id: int) -> bool:
    """Changing a body's red-flag settings and reviewing its flags is for its own members who
    author (not assessors); overseers read but do not review another body's procurement."""
    who = facts_of(user)
    return who.signed_in and who.body_id == body_id and who.role not in NON_AUTHORS


# --- Page and endpoint rules -----------------------------------------------------------------


def _anyone(who: Facts) -> bool:
    return True


def _signed_in(who: Facts) -> bool:
    return who.signed_in


def _roles(*roles: Role) -> Callable[[Facts], bool]:
    allowed = frozenset(roles)

    def rule(who: Facts) -> bool:
        return who.signed_in and who.role in allowed

    return rule


def _delivery_team_roles(*roles: Role) -> Callable[[Facts], bool]:
    allowed = frozenset(roles)

    def rule(who: Facts) -> bool:
        return who.delivery_team and who.role in allowed

    return rule


PAGE_RULES: dict[str, Callable[[Facts], bool]] = {
    # Open to everyone, signed in or not.
    "public": _anyone,
    # Any signed-in user; what each sees inside is narrowed by the record rules above.
    "signed_in": _signed_in,
    # A body's workspace: signed in, then ``can(VIEW, BodyWorkspace)`` decides per body.
    "body.workspace": _signed_in,
    # The audit trail is for administrators; body administrators see their body's part.
    "audit.browse": _roles(Role.ADMINISTRATOR),
    # Reloading reference data changes what every body sees: delivery-team administrators.
    "reference.manage": _delivery_team_roles(Role.ADMINISTRATOR),
    # Spend analysis: any signed-in user; which files they see is decided per record.
    "procurement.spend": _signed_in,
    # Supplier clusters: any signed-in user; which bodies' suppliers they see follows the
    # spend files they may see, and only a body's members see its withheld payees by name.
    "procurement.suppliers": _signed_in,
    # Merging, splitting and confirming suppliers and uploading supplier lists: those who work
    # with data; ``can(CHANGE, BodyWorkspace)`` then limits it to the body's own members.
    "procurement.suppliers_change": _roles(
        Role.PARTICIPANT, Role.ANALYST, Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
    # Loading spend files: everyone who works with data, not assessors (who only score bids).
    "procurement.spend_upload": _roles(
        Role.PARTICIPANT, Role.ANALYST, Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
    # Contracts: any signed-in user sees the contracts they may see record by record; loading
    # contract notices is for everyone who works with data, not assessors.
    "procurement.contracts": _signed_in,
    "procurement.contracts_import": _roles(
        Role.PARTICIPANT, Role.ANALYST, Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
    # Red flags on a body's contracts: reading is signed in, then ``can_read_red_flags``; saving
    # settings and reviews is for those who work with data, then ``can_work_red_flags``.
    "procurement.red_flags_work": _roles(
        Role.PARTICIPANT, Role.ANALYST, Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
    # Supply-chain carbon: any signed-in user sees the bodies whose spend they see; uploading
    # a factor set (reference data for every body) is for analysts and the delivery team.
    "procurement.carbon": _signed_in,
    "procurement.carbon_factors": _roles(Role.ANALYST, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR),
    # The Adaption Lab: any signed-in user; records are narrowed by the record rules, and
    # writes are checked again by each service.
    "adaption.lab": _signed_in,
    # An experiment's plan page and PDF: anyone, because a published (public) plan must be
    # readable without an account; the record rule still hides private and regional plans.
    "adaption.plan": _anyone,
    # The Data Lab: any signed-in user; data questions are narrowed by the record rules, and
    # writes (including a facilitator's review) are checked again by each service.
    "datalab.lab": _signed_in,
    # The Challenge Fund's public pages (open calls, funded projects): anyone, in both
    # languages, without signing in.
    "challenges.public": _anyone,
    # Challenges and bids: any signed-in user; challenges follow the record rules and bids
    # ``can_open_bid`` (drafts for the bid team only).
    "challenges.work": _signed_in,
    # Writing calls, running the panel and deciding: the delivery team's programme managers
    # and administrators.
    "challenges.manage": _delivery_team_roles(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR),
    # Declaring interests and scoring: assessors; which bids each sees is decided per bid
    # (allocated to them, and declared free of conflict before the bid is shown).
    "challenges.assess": _roles(Role.ASSESSOR),
    # The programme's cohorts, sessions and attendance: signed in; ``cohort_visible_filter``
    # and ``can_run_cohort`` then decide which cohorts each person sees and runs.
    "programme.cohorts": _signed_in,
    # Setting up intakes and cohorts: the delivery team's programme managers and administrators.
    "programme.manage": _delivery_team_roles(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR),
    # Funder (ESF-style) participant records and their export: the delivery team's programme
    # managers and administrators; special-category fields only via may_see_special_category.
    "programme.funder": _delivery_team_roles(Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR),
    # Checking a programme certificate's code: anyone, without signing in (employers,
    # funders); the page shows only the name, lab, cohort, date and whether it is valid.
    "programme.certificate_check": _anyone,
    # Reports across participants (capability uplift, progress, the dashboard): the delivery
    # team's facilitators (their own cohorts), programme managers and administrators.
    # Tender evaluation: signed in; ``can_manage_tender`` / ``is_tender_evaluator`` then decide
    # per procurement (officers of the owning body manage, named evaluators score, others
    # see nothing of a live evaluation).
    "tenders.work": _signed_in,
    # Setting up a tender (procurement, lots, criteria, bidders, evaluators, social-value
    # measures): those who may author for a body, not assessors; ``can_manage_tender`` then
    # limits it to the owning body's officers.
    "tenders.manage": _roles(
        Role.PARTICIPANT, Role.ANALYST, Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
    "programme.reports": _delivery_team_roles(
        Role.FACILITATOR, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR
    ),
}


def may_open(user: Any, rule: str) -> bool:
    """Whether ``user`` passes the page rule named ``rule``. Unknown names are refused."""
    check = PAGE_RULES.get(rule)
    if check is None:
        return False
    return check(facts_of(user))


ViewFunc = TypeVar("ViewFunc", bound=Callable[..., Any])


def page_rule(rule: str) -> Callable[[ViewFunc], ViewFunc]:
    """Attach and enforce a page rule on a view.

    Signed-out visitors who fail a rule are sent to sign in; signed-in users get 403.
    """
    if rule not in PAGE_RULES:
        raise ValueError(f"No rule named {rule!r} in the permission policy")

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def guarded(request: Any, *args: Any, **kwargs: Any) -> Any:
            if not may_open(request.user, rule):
                if not request.user.is_authenticated:
                    from django.contrib.auth.views import redirect_to_login

                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded.policy_rule = rule  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def signed_in_user(request: Any) -> User:
    """The request's user, for views whose page rule already requires signing in."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        raise PermissionDenied
    return user


def rule_of(view: Any) -> str | None:
    """The page rule attached to a view, if any (used by the URL-walking test).

    Function views carry it themselves; class-based views carry it on ``dispatch``.
    """
    rule = getattr(view, "policy_rule", None)
    view_class = getattr(view, "view_class", None)
    if rule is None and view_class is not None:
        rule = getattr(view_class.dispatch, "policy_rule", None)
    return rule


def can_follow_job(user: Any, job: Any) -> bool:
    """A background job's progress is for whoever started it and delivery-team administrators."""
    who = facts_of(user)
    if not who.signed_in:
        return False
    if job.created_by_id == who.user_id:
        return True
    return who.delivery_team and who.role == Role.ADMINISTRATOR


# --- Tender evaluation ---------------------------------------------------------------------------


def can_manage_tender(user: Any, procurement: Owned) -> bool:
    """Procurement officers of the owning body (members who may change its records) manage a
    tender evaluation: criteria, bidders, evaluators, moderation and award. A named evaluator
    does not also manage it (separation of duties): managing shows every evaluator's scores,
    which an evaluator must not see before submitting their own."""
    if not can(user, Action.CHANGE, procurement):
        return False
    pk = getattr(procurement, "pk", None)
    return pk is None or not is_tender_evaluator(user, procurement)


def is_tender_evaluator(user: Any, procurement: Any) -> bool:
    """Whether ``user`` is one of the procurement's named evaluators."""
    who = facts_of(user)
    return who.signed_in and procurement.evaluators.filter(user_id=who.user_id).exists()


def can_open_tender(user: Any, procurement: Any) -> bool:
    """Who sees a procurement's evaluation at all: its managers and its named evaluators; nobody
    else sees anything of a live evaluation."""
    return can_manage_tender(user, procurement) or is_tender_evaluator(user, procurement)


def tender_filter(user: Any) -> Q:
    """The procurements ``user`` may open, matching ``can_open_tender``."""
    who = facts_of(user)
    if not who.signed_in:
        return Q(pk__in=[])
    named = Q(evaluators__user_id=who.user_id)
    if who.delivery_team and who.role == Role.ADMINISTRATOR:
        return Q()
    if who.body_id is None or who.role in NON_AUTHORS:
        return named
    return named | Q(owner_body_id=who.body_id)
