"""Every write of tender evaluation: one audited function per use case, keyword-only, acting
user first (``None`` is Infuse itself: the demo), one transaction, one audit entry."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.interests import interests_record
from infuse.accounts.policy import can_manage_tender, recorded_user
from infuse.audit.trail import audit_record, audited, snapshot
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
    SocialValueMeasure,
)

# The longest title or supplier's name the tables hold (``max_length`` on the models).
NAME_LIMIT = 200
REFERENCE_LIMIT = 60


class TenderError(UserFacingError):
    """A refused tender-evaluation request, with the reason in the user's language."""


def _require_manager(actor: Any, procurement: Procurement) -> None:
    if actor is not None and not can_manage_tender(actor, procurement):
        raise PermissionDenied


def _refuse_once_scoring_started(procurement: Procurement, message: str) -> None:
    """Criteria, the scale and the price formulas are fixed once scoring has started: scores
    given against one set of criteria mean nothing against another. ``message`` says so."""
    if selectors.scoring_started(procurement):
        raise TenderError(message)


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
    _refuse_once_scoring_started(
        procurement,
        _(
            "Scoring has started, so the criteria and weights can no longer change: the scores "
            "already given were made against them and would become meaningless."
        ),
    )
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
    """Name ``user`` as an evaluator: a member of the owning body or an independent assessor of
    the delivery team, not the acting manager (who would lose sight of the results by becoming
    an evaluator)."""
    _require_manager(actor, procurement)
    if not selectors.may_evaluate(user, procurement):
        raise TenderError(
            _(
                "Evaluators must be active users of the body running the tender, or "
                "independent assessors of the delivery team."
            )
        )
    if actor is not None and getattr(actor, "pk", None) == user.pk:
        raise TenderError(
            _("You manage this procurement, so you cannot also evaluate it: name a colleague.")
        )
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
    declaration = interests_record(
        evaluator,
        has_conflict=has_conflict,
        declaration=declaration,
        already_declared=_("You have already declared your interests."),
        error=TenderError,
    )
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
    if evaluator.stood_down:
        raise TenderError(_("You have been stood down from this evaluation."))
    if not evaluator.cleared:
        raise TenderError(_("Declare your interests before you see or score the bids."))
    if evaluator.submitted_at is not None:
        raise TenderError(_("You have submitted your scores; they can no longer change."))
    criteria = {c.pk for c in selectors.scored_criteria(procurement)}
    # A withdrawn bid is not scored any more; what it was given before stays as it was.
    bidders = set(selectors.bids_to_score(procurement).values_list("pk", flat=True))
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
    if bidder.withdrawn:
        raise TenderError(_("This bid has been withdrawn, so its scores can no longer change."))
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
    if bidder.withdrawn:
        raise TenderError(_("That bid has been withdrawn, so the lot cannot be awarded to it."))
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
    description_en: str = "",
    description_cy: str = "",
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
        reference=reference.strip(),
        description_en=description_en.strip(),
        description_cy=description_cy.strip(),
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
    name = _supplier_name(name)
    value = _bid_price(price)
    if lot.awarded_to_id is not None:
        raise TenderError(_("This lot has been awarded: no more bids can be added."))
    _refuse_once_scoring_started(
        lot.procurement,
        _(
            "Scoring has started, so no more bids can be added: the evaluators who have scored "
            "did not see it, and every price score depends on every price."
        ),
    )
    quantities = _commitment_quantities(lot.procurement, commitments)
    bidder = Bidder.objects.create(lot=lot, name=name, price=value)
    for measure, amount in quantities.items():
        Commitment.objects.create(bidder=bidder, measure=measure, quantity=amount)
    audit_record(
        actor=actor,
        action="tenders.bidder_added",
        target=lot.procurement,
        body=lot.procurement.owner_body,
        after={"lot": lot.number, "name": name, "price": value},
    )
    return bidder


def _supplier_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise TenderError(_("Enter the supplier's name."))
    if len(name) > NAME_LIMIT:
        raise TenderError(_("The supplier's name can be at most 200 characters."))
    return name


def _bid_price(price: Any) -> Decimal:
    try:
        value = Decimal(str(price))
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter the price as a number.")) from None
    if not value.is_finite() or value <= 0:
        raise TenderError(_("The price must be more than zero."))
    return value


def _commitment_quantities(
    procurement: Procurement, commitments: Mapping[Any, Any] | None
) -> dict[SocialValueMeasure, Decimal]:
    """Checked commitments (measure → quantity), zero quantities left out."""
    quantities = {}
    for measure, quantity in (commitments or {}).items():
        if measure.owner_body_id != procurement.owner_body_id:
            raise TenderError(_("That social-value measure belongs to another body."))
        try:
            amount = Decimal(str(quantity))
        except (InvalidOperation, ValueError):
            raise TenderError(_("Enter each commitment as a number.")) from None
        if not amount.is_finite() or amount < 0:
            raise TenderError(_("A commitment cannot be negative."))
        if amount:
            quantities[measure] = amount
    return quantities


def _formula_and_ceiling(price_formula: str, price_ceiling: Any) -> tuple[str, Decimal | None]:
    """Check a lot's price formula ('' for the procurement's) and ceiling."""
    if price_formula and price_formula not in scoring.FORMULAS:
        raise TenderError(_("Choose a price formula."))
    ceiling = None
    if price_ceiling not in (None, ""):
        try:
            ceiling = Decimal(str(price_ceiling))
        except (InvalidOperation, ValueError):
            raise TenderError(_("Enter the price ceiling as a number.")) from None
        if not ceiling.is_finite() or ceiling <= 0:
            raise TenderError(_("The price ceiling must be more than zero."))
    return price_formula, ceiling


@audited
@transaction.atomic
def lot_add(
    *,
    actor: Any,
    procurement: Procurement,
    title_en: str,
    title_cy: str = "",
    price_formula: str = "",
    price_ceiling: Any = None,
) -> Lot:
    """Add a lot, numbered after the last; ``price_formula`` '' scores it with the
    procurement's formula."""
    _require_manager(actor, procurement)
    if not title_en.strip():
        raise TenderError(_("Enter the lot's title in English."))
    formula, ceiling = _formula_and_ceiling(price_formula, price_ceiling)
    last = procurement.lots.order_by("-number").first()
    lot = Lot.objects.create(
        procurement=procurement,
        number=(last.number + 1) if last else 1,
        title_en=title_en.strip(),
        title_cy=title_cy.strip(),
        price_formula=formula,
        price_ceiling=ceiling,
    )
    audit_record(
        actor=actor,
        action="tenders.lot_added",
        target=procurement,
        body=procurement.owner_body,
        after={"lot": lot.number, "title": lot.title_en, "formula": formula, "ceiling": ceiling},
    )
    return lot


@audited
@transaction.atomic
def lot_change(
    *,
    actor: Any,
    lot: Lot,
    title_en: str,
    title_cy: str = "",
    price_formula: str = "",
    price_ceiling: Any = None,
) -> Lot:
    """Change a lot's titles and price formula. The formula and ceiling are fixed once scoring
    has started (changing them would change every price score behind the evaluators' backs)."""
    procurement = lot.procurement
    _require_manager(actor, procurement)
    if not title_en.strip():
        raise TenderError(_("Enter the lot's title in English."))
    formula, ceiling = _formula_and_ceiling(price_formula, price_ceiling)
    before = snapshot(lot, ["title_en", "title_cy", "price_formula", "price_ceiling"])
    if (formula, ceiling) != (lot.price_formula, lot.price_ceiling):
        _refuse_once_scoring_started(
            procurement,
            _(
                "Scoring has started, so the lot's price formula can no longer change: the "
                "results already seen were calculated with it."
            ),
        )
    lot.title_en, lot.title_cy = title_en.strip(), title_cy.strip()
    lot.price_formula, lot.price_ceiling = formula, ceiling
    lot.save(update_fields=["title_en", "title_cy", "price_formula", "price_ceiling"])
    audit_record(
        actor=actor,
        action="tenders.lot_changed",
        target=procurement,
        body=procurement.owner_body,
        before=before,
        after=snapshot(lot, ["title_en", "title_cy", "price_formula", "price_ceiling"]),
    )
    return lot


@audited
@transaction.atomic
def scale_set(
    *, actor: Any, procurement: Procurement, levels: Sequence[tuple[str, str]]
) -> Procurement:
    """Replace the scoring scale: one descriptor (English, Welsh) per level, from 0 upwards
    (six descriptors make a 0–5 scale)."""
    _require_manager(actor, procurement)
    _refuse_once_scoring_started(
        procurement,
        _(
            "Scoring has started, so the scoring scale can no longer change: the scores already "
            "given were made against it and would become meaningless."
        ),
    )
    cleaned = [(en.strip(), cy.strip()) for en, cy in levels if en.strip() or cy.strip()]
    if len(cleaned) < 2:
        raise TenderError(_("Describe at least two levels of the scale (0 and 1)."))
    if len(cleaned) > 11:
        raise TenderError(_("A scale has at most 11 levels (0 to 10)."))
    if any(not en for en, _cy in cleaned):
        raise TenderError(_("Describe every level in English."))
    before = {"levels": [lvl.descriptor_en for lvl in procurement.levels.all()]}
    procurement.levels.all().delete()
    for value, (en, cy) in enumerate(cleaned):
        procurement.levels.create(value=value, descriptor_en=en, descriptor_cy=cy)
    procurement.scale_max = len(cleaned) - 1
    procurement.save(update_fields=["scale_max"])
    audit_record(
        actor=actor,
        action="tenders.scale_set",
        target=procurement,
        body=procurement.owner_body,
        before=before,
        after={"levels": [en for en, _cy in cleaned]},
    )
    return procurement


@audited
@transaction.atomic
def measure_add(
    *,
    actor: Any,
    owner_body: Any,
    code: str,
    name_en: str,
    unit_en: str,
    proxy_value: Any,
    name_cy: str = "",
    unit_cy: str = "",
    framework: str = "",
    source: str = "",
) -> SocialValueMeasure:
    """Add a measure to a body's social-value framework: a unit and its proxy value in pounds
    per unit, with where that value comes from."""
    _require_manager(actor, Procurement(owner_body=owner_body))
    code = code.strip()
    if not code or not name_en.strip() or not unit_en.strip():
        raise TenderError(_("Give the measure a code, a name and a unit in English."))
    if SocialValueMeasure.objects.filter(owner_body=owner_body, code__iexact=code).exists():
        raise TenderError(_("Your body already has a measure with that code."))
    try:
        value = Decimal(str(proxy_value))
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter the proxy value as a number of pounds.")) from None
    if not value.is_finite() or value < 0:
        raise TenderError(_("The proxy value cannot be negative."))
    measure = SocialValueMeasure.objects.create(
        owner_body=owner_body,
        created_by=recorded_user(actor),
        code=code,
        name_en=name_en.strip(),
        name_cy=name_cy.strip(),
        unit_en=unit_en.strip(),
        unit_cy=unit_cy.strip(),
        proxy_value=value,
        framework=framework.strip(),
        source=source.strip(),
    )
    audit_record(
        actor=actor,
        action="tenders.measure_added",
        target=measure,
        body=owner_body,
        after={"code": code, "name": measure.name_en, "proxy_value": value, "source": source},
    )
    return measure


@audited
@transaction.atomic
def document_issued(
    *, actor: Any, procurement: Procurement, document: str, bidder: Bidder | None = None
) -> None:
    """Record that a manager produced a document of the evaluation (the award report, or a
    bidder's feedback letter): both disclose confidential scores, so each copy is traced."""
    _require_manager(actor, procurement)
    audit_record(
        actor=actor,
        action="tenders.document_issued",
        target=procurement,
        body=procurement.owner_body,
        after={"document": document, "bidder": bidder.name if bidder else None},
    )


# --- Correcting the set-up ----------------------------------------------------------------------
#
# The rule for every correction: nothing the evaluation depends on changes behind the
# evaluators' backs, and nothing on record is lost. So a removal that would delete scores,
# moderations, an award or delivery is refused (``selectors.*_refusal`` give the reasons), and a
# bid that must leave the evaluation once scoring has started is withdrawn, not deleted.

PROCUREMENT_FIELDS = [
    "title_en",
    "title_cy",
    "reference",
    "description_en",
    "description_cy",
    "price_formula",
    "price_ceiling",
]


@audited
@transaction.atomic
def procurement_change(
    *,
    actor: Any,
    procurement: Procurement,
    title_en: str,
    title_cy: str = "",
    reference: str = "",
    description_en: str = "",
    description_cy: str = "",
    price_formula: str | None = None,
    price_ceiling: Any = None,
) -> Procurement:
    """Correct what was given when the procurement was created. Titles, reference and
    descriptions can always change; the price formula and ceiling (``None`` for the formula
    keeps both as they are) are fixed once scoring has started, as the lots' are."""
    _require_manager(actor, procurement)
    title_en, title_cy = title_en.strip(), title_cy.strip()
    reference = reference.strip()
    if not title_en:
        raise TenderError(_("Enter the procurement's title."))
    if len(title_en) > NAME_LIMIT or len(title_cy) > NAME_LIMIT:
        raise TenderError(_("A title can be at most 200 characters."))
    if len(reference) > REFERENCE_LIMIT:
        raise TenderError(_("The reference can be at most 60 characters."))
    if price_formula is None:
        formula, ceiling = procurement.price_formula, procurement.price_ceiling
    else:
        if price_formula not in scoring.FORMULAS:
            raise TenderError(_("Choose a price formula."))
        formula, ceiling = _formula_and_ceiling(price_formula, price_ceiling)
    before = snapshot(procurement, PROCUREMENT_FIELDS)
    if (formula, ceiling) != (procurement.price_formula, procurement.price_ceiling):
        _refuse_once_scoring_started(
            procurement,
            _(
                "Scoring has started, so the procurement's price formula can no longer change: "
                "the results already seen were calculated with it."
            ),
        )
    procurement.title_en, procurement.title_cy = title_en, title_cy
    procurement.reference = reference
    procurement.description_en = description_en.strip()
    procurement.description_cy = description_cy.strip()
    procurement.price_formula, procurement.price_ceiling = formula, ceiling
    procurement.save(update_fields=[*PROCUREMENT_FIELDS, "updated_at"])
    after = snapshot(procurement, PROCUREMENT_FIELDS)
    audit_record(
        actor=actor,
        action="tenders.procurement_changed",
        target=procurement,
        body=procurement.owner_body,
        before=before,
        after=after,
    )
    return procurement


LOT_FIELDS = ["number", "title_en", "title_cy", "price_formula", "price_ceiling"]


def _remove_unless_refused(
    *,
    actor: Any,
    procurement: Procurement,
    record: Any,
    refusal: str | None,
    action: str,
    before: dict[str, Any] | None,
) -> None:
    """Delete ``record`` of ``procurement`` unless ``refusal`` (a selector's reason) says why
    not; the audit entry keeps what it held. The caller has checked ``actor`` may manage."""
    if refusal:
        raise TenderError(refusal)
    record.delete()
    audit_record(
        actor=actor, action=action, target=procurement, body=procurement.owner_body, before=before
    )


@audited
@transaction.atomic
def lot_remove(*, actor: Any, lot: Lot) -> None:
    """Remove a lot added by mistake: only one without bids, not awarded, and not the only lot.
    The other lots keep their numbers (the tender documents refer to them)."""
    _require_manager(actor, lot.procurement)
    _remove_unless_refused(
        actor=actor, procurement=lot.procurement, record=lot,
        refusal=selectors.lot_removal_refusal(lot), action="tenders.lot_removed",
        before=snapshot(lot, LOT_FIELDS),
    )  # fmt: skip


def _pounds(value: Any) -> Decimal:
    """``value`` to the penny, so that before and after read alike in the audit trail."""
    return Decimal(value).quantize(Decimal("0.01"))


def _bid_snapshot(bidder: Bidder) -> dict[str, Any]:
    return {
        "lot": bidder.lot.number,
        "name": bidder.name,
        "price": _pounds(bidder.price),
        "commitments": {
            c.measure.code: _pounds(c.quantity)
            for c in bidder.commitments.select_related("measure")
        },
    }


@audited
@transaction.atomic
def bidder_change(
    *,
    actor: Any,
    bidder: Bidder,
    name: str,
    lot: Lot | None = None,
    price: Any = None,
    commitments: Mapping[Any, Any] | None = None,
) -> Bidder:
    """Correct a bid: the supplier's name always; its lot, price and social-value commitments
    (measure → quantity; a measure left out or at 0 is no longer committed to) only while
    ``selectors.bidder_change_refusal`` allows. ``None`` for lot, price or commitments keeps
    them as they are."""
    procurement = bidder.lot.procurement
    _require_manager(actor, procurement)
    name = _supplier_name(name)
    new_lot = lot if lot is not None else bidder.lot
    if new_lot.procurement_id != procurement.pk:
        raise TenderError(_("That lot belongs to another procurement."))
    value = _bid_price(price) if price is not None else bidder.price
    current = {c.measure: c for c in bidder.commitments.select_related("measure")}
    wanted = (
        _commitment_quantities(procurement, commitments)
        if commitments is not None
        else {m: c.quantity for m, c in current.items()}
    )
    before = _bid_snapshot(bidder)
    moves = (
        new_lot.pk != bidder.lot_id
        or value != bidder.price
        or wanted != {m: c.quantity for m, c in current.items()}
    )
    if moves:
        refusal = selectors.bidder_change_refusal(bidder)
        if refusal:
            raise TenderError(refusal)
        if new_lot.awarded_to_id is not None:
            raise TenderError(_("That lot has been awarded: no more bids can be added to it."))
    bidder.name, bidder.lot, bidder.price = name, new_lot, value
    bidder.save(update_fields=["name", "lot", "price"])
    for measure, commitment in current.items():
        if measure not in wanted:
            commitment.delete()
    for measure, amount in wanted.items():
        Commitment.objects.update_or_create(
            bidder=bidder, measure=measure, defaults={"quantity": amount}
        )
    audit_record(
        actor=actor,
        action="tenders.bidder_changed",
        target=procurement,
        body=procurement.owner_body,
        before=before,
        after=_bid_snapshot(bidder),
    )
    return bidder


@audited
@transaction.atomic
def bidder_remove(*, actor: Any, bidder: Bidder) -> None:
    """Delete a bid entered by mistake, with its commitments: only before scoring starts (see
    ``selectors.bidder_removal_refusal``). After that, ``bidder_withdraw``."""
    procurement = bidder.lot.procurement
    _require_manager(actor, procurement)
    _remove_unless_refused(
        actor=actor, procurement=procurement, record=bidder,
        refusal=selectors.bidder_removal_refusal(bidder), action="tenders.bidder_removed",
        before=_bid_snapshot(bidder),
    )  # fmt: skip


def _set_aside(
    record: models.Model,
    *,
    refusal: str | None,
    reason: str,
    reason_missing: str,
    fields: tuple[str, str],
) -> str:
    """Mark ``record`` (a bid, an evaluator) as taking no further part, kept on record: stamp
    the first of ``fields`` with the time and the second with the reason (required). Returns
    the reason as kept."""
    if refusal:
        raise TenderError(refusal)
    reason = reason.strip()
    if not reason:
        raise TenderError(reason_missing)
    at_field, reason_field = fields
    setattr(record, at_field, timezone.now())
    setattr(record, reason_field, reason)
    record.save(update_fields=list(fields))
    return reason


@audited
@transaction.atomic
def bidder_withdraw(*, actor: Any, bidder: Bidder, reason: str) -> Bidder:
    """Withdraw a bid (the supplier withdrew it, or it was excluded), with the reason. It stays
    on record with its scores, moderations and commitments, but is no longer scored, ranked or
    part of the prices the formulas compare. It cannot be undone: the evaluators' later work
    leaves it out."""
    procurement = bidder.lot.procurement
    _require_manager(actor, procurement)
    reason = _set_aside(
        bidder,
        refusal=selectors.bidder_withdrawal_refusal(bidder),
        reason=reason,
        reason_missing=_("Give the reason the bid is withdrawn."),
        fields=("withdrawn_at", "withdrawal_reason"),
    )
    audit_record(
        actor=actor,
        action="tenders.bidder_withdrawn",
        target=procurement,
        body=procurement.owner_body,
        before={**_bid_snapshot(bidder), "withdrawn_at": None},
        after={
            "name": bidder.name,
            "withdrawn_at": bidder.withdrawn_at,
            "reason": reason,
            "scores_kept": bidder.scores.count(),
        },
    )
    return bidder


@audited
@transaction.atomic
def commitment_remove(*, actor: Any, commitment: Commitment) -> None:
    """Remove a social-value commitment entered by mistake, while the bid can still change."""
    bidder = commitment.bidder
    procurement = bidder.lot.procurement
    _require_manager(actor, procurement)
    _remove_unless_refused(
        actor=actor, procurement=procurement, record=commitment,
        refusal=selectors.commitment_removal_refusal(commitment),
        action="tenders.commitment_removed",
        before={
            "bidder": bidder.name,
            "measure": commitment.measure.code,
            "quantity": commitment.quantity,
        },
    )  # fmt: skip


@audited
@transaction.atomic
def evaluator_remove(*, actor: Any, evaluator: Evaluator) -> None:
    """Take an evaluator off the panel: only one who has saved no score. What they declared is
    kept in the audit entry."""
    procurement = evaluator.procurement
    _require_manager(actor, procurement)
    _remove_unless_refused(
        actor=actor, procurement=procurement, record=evaluator,
        refusal=selectors.evaluator_removal_refusal(evaluator),
        action="tenders.evaluator_removed",
        before=snapshot(
            evaluator, ["user", "declared_at", "has_conflict", "declaration", "submitted_at"]
        ),
    )  # fmt: skip


@audited
@transaction.atomic
def evaluator_stand_down(*, actor: Any, evaluator: Evaluator, reason: str) -> Evaluator:
    """Stand an evaluator down (a conflict found after they scored, illness, leaving), with
    the reason. They and every score they saved stay on record, but they see the bids no
    more, their scores stop counting in the results, and the results no longer wait for
    them. It cannot be undone."""
    procurement = evaluator.procurement
    _require_manager(actor, procurement)
    reason = _set_aside(
        evaluator,
        refusal=selectors.evaluator_stand_down_refusal(evaluator),
        reason=reason,
        reason_missing=_("Give the reason the evaluator is stood down."),
        fields=("stood_down_at", "stand_down_reason"),
    )
    audit_record(
        actor=actor,
        action="tenders.evaluator_stood_down",
        target=procurement,
        body=procurement.owner_body,
        before={"evaluator": evaluator.user_id, "stood_down_at": None},
        after={
            "evaluator": evaluator.user_id,
            "stood_down_at": evaluator.stood_down_at,
            "reason": reason,
            "submitted": evaluator.submitted_at is not None,
            "scores_kept": evaluator.scores.count(),
        },
    )
    return evaluator


MEASURE_FIELDS = [
    "code",
    "name_en",
    "name_cy",
    "unit_en",
    "unit_cy",
    "proxy_value",
    "framework",
    "source",
]


@audited
@transaction.atomic
def measure_change(
    *,
    actor: Any,
    measure: SocialValueMeasure,
    code: str,
    name_en: str,
    unit_en: str,
    proxy_value: Any,
    name_cy: str = "",
    unit_cy: str = "",
    framework: str = "",
    source: str = "",
) -> SocialValueMeasure:
    """Correct a measure of a body's social-value framework. Its code, names, framework and
    source can always change; its unit and proxy value are fixed once a bid committing to it is
    being scored (``selectors.measure_value_refusal``)."""
    _require_manager(actor, Procurement(owner_body_id=measure.owner_body_id))
    code = code.strip()
    if not code or not name_en.strip() or not unit_en.strip():
        raise TenderError(_("Give the measure a code, a name and a unit in English."))
    clash = SocialValueMeasure.objects.filter(
        owner_body_id=measure.owner_body_id, code__iexact=code
    ).exclude(pk=measure.pk)
    if clash.exists():
        raise TenderError(_("Your body already has a measure with that code."))
    try:
        value = Decimal(str(proxy_value))
    except (InvalidOperation, ValueError):
        raise TenderError(_("Enter the proxy value as a number of pounds.")) from None
    if not value.is_finite() or value < 0:
        raise TenderError(_("The proxy value cannot be negative."))
    before = snapshot(measure, MEASURE_FIELDS)
    if (unit_en.strip(), unit_cy.strip(), value) != (
        measure.unit_en,
        measure.unit_cy,
        measure.proxy_value,
    ):
        refusal = selectors.measure_value_refusal(measure)
        if refusal:
            raise TenderError(refusal)
    measure.code = code
    measure.name_en, measure.name_cy = name_en.strip(), name_cy.strip()
    measure.unit_en, measure.unit_cy = unit_en.strip(), unit_cy.strip()
    measure.proxy_value = value
    measure.framework, measure.source = framework.strip(), source.strip()
    measure.save(update_fields=[*MEASURE_FIELDS, "updated_at"])
    audit_record(
        actor=actor,
        action="tenders.measure_changed",
        target=measure,
        body=measure.owner_body,
        before=before,
        after=snapshot(measure, MEASURE_FIELDS),
    )
    return measure


@audited
@transaction.atomic
def measure_remove(*, actor: Any, measure: SocialValueMeasure) -> None:
    """Remove a measure no bid commits to."""
    _require_manager(actor, Procurement(owner_body_id=measure.owner_body_id))
    refusal = selectors.measure_removal_refusal(measure)
    if refusal:
        raise TenderError(refusal)
    before = snapshot(measure, MEASURE_FIELDS)
    body = measure.owner_body
    audit_record(
        actor=actor,
        action="tenders.measure_removed",
        target=measure,
        body=body,
        before=before,
    )
    measure.delete()
