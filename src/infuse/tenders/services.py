"""Every write of tender evaluation: one audited function per use case, keyword-only, acting
user first (``None`` is Infuse itself: the demo), one transaction, one audit entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.policy import can_manage_tender, recorded_user
from infuse.audit.trail import audit_record, audited
from infuse.errors import UserFacingError

from . import scoring, selectors
from .models import (
    Bidder,
    Commitment,
    Criterion,
    Evaluator,
    Lot,
    Moderation,
    Procurement,
    Score,
)


class TenderError(UserFacingError):
    """A refused tender-evaluation request, with the reason in the user's language."""


def _require_manager(actor: Any, procurement: Procurement) -> None:
    if actor is not None and not can_manage_tender(actor, procurement):
        raise PermissionDenied


def _evaluator_of(actor: Any, procurement: Procurement) -> Evaluator:
    evaluator = procurement.evaluators.filter(user=actor).first() if actor is not None else None
    if evaluator is None:
        raise TenderError(_("You are not an evaluator of this procurement."))
    return evaluator


@audited
@transaction.atomic
def criteria_set(
    *, actor: Any, procurement: Procurement, tree: Sequence[Mapping[str, Any]]
) -> list[Criterion]:
    """Replace the criteria tree. ``tree`` is a list of groups ``{"kind", "name_en", "name_cy",
    "weight"?, "children": [{"name_en", "name_cy", "weight"}]}``; a group without children is a
    leaf with its own weight. Leaf weights must add up to exactly 100, and there is one price
    criterion."""
    _require_manager(actor, procurement)
    if procurement.evaluators.filter(submitted_at__isnull=False).exists():
        raise TenderError(_("Scores have been submitted: the criteria can no longer change."))
    weights: list[float] = []
    try:
        for group in tree:
            for leaf in group.get("children") or [group]:
                weights.append(float(Decimal(str(leaf["weight"]))))
    except (InvalidOperation, KeyError, ValueError):
        raise TenderError(_("Enter every weight as a number.")) from None
    if any(w < 0 for w in weights):
        raise TenderError(_("Weights cannot be negative."))
    total = scoring.weights_problem(weights)
    if total is not None:
        raise TenderError(
            _("The weights add up to %(total)s; they must add up to exactly 100.")
            % {"total": f"{total:g}"}
        )
    if sum(1 for g in tree if g.get("kind") == Criterion.Kind.PRICE) != 1:
        raise TenderError(_("Give exactly one price criterion."))
    procurement.criteria.all().delete()
    made = []
    for order, group in enumerate(tree):
        children = group.get("children") or []
        weight = sum(Decimal(str(c["weight"])) for c in children) if children else group["weight"]
        parent = Criterion.objects.create(
            procurement=procurement,
            kind=group["kind"],
            order=order,
            name_en=group["name_en"],
            name_cy=group.get("name_cy", ""),
            weight=Decimal(str(weight)),
        )
        made.append(parent)
        for child_order, child in enumerate(children):
            made.append(
                Criterion.objects.create(
                    procurement=procurement,
                    parent=parent,
                    kind=group["kind"],
                    order=child_order,
                    name_en=child["name_en"],
                    name_cy=child.get("name_cy", ""),
                    weight=Decimal(str(child["weight"])),
                )
            )
    audit_record(
        actor=actor,
        action="tenders.criteria_set",
        target=procurement,
        body=procurement.owner_body,
        after={"tree": [dict(g) for g in tree]},
    )
    return made


@audited
@transaction.atomic
def evaluator_add(*, actor: Any, procurement: Procurement, user: Any) -> Evaluator:
    """Name ``user`` as an evaluator."""
    _require_manager(actor, procurement)
    evaluator, _created = Evaluator.objects.get_or_create(procurement=procurement, user=user)
    audit_record(
        actor=actor,
        action="tenders.evaluator_added",
        target=procurement,
        body=procurement.owner_body,
        after={"user": user.pk},
    )
    return evaluator


@audited
@transaction.atomic
def interests_declare(
    *, actor: Any, procurement: Procurement, has_conflict: bool, declaration: str
) -> Evaluator:
    """An evaluator declares their interests before any bid is shown to them. A conflict keeps
    every bid hidden from them."""
    evaluator = _evaluator_of(actor, procurement)
    if evaluator.declared_at is not None:
        raise TenderError(_("You have already declared your interests."))
    declaration = declaration.strip()
    if has_conflict and not declaration:
        raise TenderError(_("Describe the conflict of interest."))
    evaluator.has_conflict = has_conflict
    evaluator.declaration = declaration
    evaluator.declared_at = timezone.now()
    evaluator.save(update_fields=["has_conflict", "declaration", "declared_at"])
    audit_record(
        actor=actor,
        action="tenders.interests_declared",
        target=procurement,
        body=procurement.owner_body,
        after={"has_conflict": has_conflict, "declaration": declaration},
    )
    return evaluator


@audited
@transaction.atomic
def scores_save(
    *,
    actor: Any,
    procurement: Procurement,
    scores: Mapping[tuple[int, int], tuple[int | None, str]],
    submit: bool = False,
) -> Evaluator:
    """Save an evaluator's scores (``(bidder id, criterion id)`` → score and comment);
    ``submit`` locks them and needs every bid scored on every criterion."""
    evaluator = _evaluator_of(actor, procurement)
    if not evaluator.cleared:
        raise TenderError(_("Declare your interests before you see or score the bids."))
    if evaluator.submitted_at is not None:
        raise TenderError(_("You have submitted your scores; they can no longer change."))
    criteria = {c.pk for c in selectors.scored_criteria(procurement)}
    bidders = set(Bidder.objects.filter(lot__procurement=procurement).values_list("pk", flat=True))
    for (bidder_id, criterion_id), (score, comment) in scores.items():
        if bidder_id not in bidders or criterion_id not in criteria or score is None:
            continue
        if not 0 <= score <= procurement.scale_max:
            raise TenderError(_("Scores run from 0 to %(top)s.") % {"top": procurement.scale_max})
        Score.objects.update_or_create(
            evaluator=evaluator,
            bidder_id=bidder_id,
            criterion_id=criterion_id,
            defaults={"score": score, "comment": comment.strip()},
        )
    if submit:
        have = set(evaluator.scores.values_list("bidder_id", "criterion_id"))
        if len(have) < len(bidders) * len(criteria):
            raise TenderError(_("Score every bid on every criterion before submitting."))
        evaluator.submitted_at = timezone.now()
        evaluator.save(update_fields=["submitted_at"])
    audit_record(
        actor=actor,
        action="tenders.scores_submitted" if submit else "tenders.scores_saved",
        target=procurement,
        body=procurement.owner_body,
        after={"scores": {f"{b}:{c}": list(v) for (b, c), v in scores.items()}},
    )
    return evaluator


@audited
@transaction.atomic
def score_moderate(
    *, actor: Any, bidder: Bidder, criterion: Criterion, score: Any, reason: str
) -> Moderation:
    """Record the moderated score for one criterion of one bid, with the reason."""
    procurement = bidder.lot.procurement
    _require_manager(actor, procurement)
    if criterion.procurement_id != procurement.pk:
        raise TenderError(_("That criterion belongs to another procurement."))
    if bidder.lot.awarded_to_id is not None:
        raise TenderError(_("This lot has been awarded: scores can no longer change."))
    reason = reason.strip()
    if not reason:
        raise TenderError(_("Give the reason for the moderated score."))
    try:
        value = Decimal(str(score)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter the moderated score as a number.")) from None
    if not 0 <= value <= procurement.scale_max:
        raise TenderError(_("Scores run from 0 to %(top)s.") % {"top": procurement.scale_max})
    before = bidder.moderations.filter(criterion=criterion).last()
    moderation = Moderation.objects.create(
        bidder=bidder,
        criterion=criterion,
        score=value,
        reason=reason,
        moderated_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="tenders.score_moderated",
        target=procurement,
        body=procurement.owner_body,
        before={"score": before.score if before else None},
        after={"bidder": bidder.pk, "criterion": criterion.pk, "score": value, "reason": reason},
    )
    return moderation


@audited
@transaction.atomic
def lot_award(*, actor: Any, lot: Lot, bidder: Bidder) -> Lot:
    """Award ``lot`` to ``bidder`` (normally the top of the ranking)."""
    _require_manager(actor, lot.procurement)
    if bidder.lot_id != lot.pk:
        raise TenderError(_("That bidder did not bid for this lot."))
    if lot.awarded_to_id is not None:
        raise TenderError(_("This lot has already been awarded."))
    lot.awarded_to = bidder
    lot.awarded_at = timezone.now()
    lot.save(update_fields=["awarded_to", "awarded_at"])
    audit_record(
        actor=actor,
        action="tenders.lot_awarded",
        target=lot.procurement,
        body=lot.procurement.owner_body,
        after={"lot": lot.number, "bidder": bidder.pk},
    )
    return lot


@audited
@transaction.atomic
def delivery_record(*, actor: Any, commitment: Commitment, delivered: Any) -> Commitment:
    """Record what an awarded supplier delivered against a social-value commitment."""
    lot = commitment.bidder.lot
    _require_manager(actor, lot.procurement)
    if lot.awarded_to_id != commitment.bidder_id:
        raise TenderError(_("Delivery is tracked only for the awarded supplier."))
    try:
        value = Decimal(str(delivered).strip())
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter what was delivered as a number.")) from None
    if value < 0:
        raise TenderError(_("What was delivered cannot be negative."))
    before = commitment.delivered
    commitment.delivered = value
    commitment.save(update_fields=["delivered"])
    audit_record(
        actor=actor,
        action="tenders.delivery_recorded",
        target=lot.procurement,
        body=lot.procurement.owner_body,
        before={"delivered": before},
        after={"commitment": commitment.pk, "delivered": value},
    )
    return commitment


@audited
@transaction.atomic
def procurement_create(
    *,
    actor: Any,
    owner_body: Any,
    title_en: str,
    title_cy: str = "",
    reference: str = "",
    price_formula: str = "lowest",
    price_ceiling: Any = None,
    lots: Sequence[tuple[str, str]] = (),
    levels: Sequence[tuple[str, str]] = (),
) -> Procurement:
    """Create a procurement with its lots and scoring-scale descriptors (level 0 upwards)."""
    probe = Procurement(owner_body=owner_body)
    _require_manager(actor, probe)
    if not title_en.strip():
        raise TenderError(_("Enter the procurement's title."))
    if price_formula not in scoring.FORMULAS:
        raise TenderError(_("Choose a price formula."))
    procurement = Procurement.objects.create(
        owner_body=owner_body,
        created_by=recorded_user(actor),
        title_en=title_en.strip(),
        title_cy=title_cy.strip(),
        reference=reference,
        price_formula=price_formula,
        price_ceiling=price_ceiling,
        scale_max=max(len(levels) - 1, 1) if levels else 5,
    )
    for number, (en, cy) in enumerate(lots, start=1):
        Lot.objects.create(procurement=procurement, number=number, title_en=en, title_cy=cy)
    for value, (en, cy) in enumerate(levels):
        procurement.levels.create(value=value, descriptor_en=en, descriptor_cy=cy)
    audit_record(
        actor=actor,
        action="tenders.procurement_created",
        target=procurement,
        body=owner_body,
        after={"title": title_en, "lots": len(lots), "formula": price_formula},
    )
    return procurement


@audited
@transaction.atomic
def bidder_add(
    *, actor: Any, lot: Lot, name: str, price: Any, commitments: Mapping[Any, Any] | None = None
) -> Bidder:
    """Add a bid for ``lot`` with its price and social-value commitments (measure → quantity)."""
    _require_manager(actor, lot.procurement)
    try:
        value = Decimal(str(price))
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter the price as a number.")) from None
    if value <= 0:
        raise TenderError(_("The price must be more than zero."))
    bidder = Bidder.objects.create(lot=lot, name=name.strip(), price=value)
    for measure, quantity in (commitments or {}).items():
        Commitment.objects.create(bidder=bidder, measure=measure, quantity=Decimal(str(quantity)))
    audit_record(
        actor=actor,
        action="tenders.bidder_added",
        target=lot.procurement,
        body=lot.procurement.owner_body,
        after={"lot": lot.number, "name": name, "price": value},
    )
    return bidder
