"""Tender evaluation: a body's procurement, its lots and bidders, a criteria tree, evaluators'
independent scores, moderation, award, and social-value commitments and delivery."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord


def _bilingual(obj: object, field: str) -> str:
    welsh = str(getattr(obj, f"{field}_cy", "") or "")
    if (get_language() or "en").startswith("cy") and welsh:
        return welsh
    return str(getattr(obj, f"{field}_en", ""))


class Procurement(OwnedRecord):
    """A procurement run by one body, evaluated against one criteria tree for all its lots."""

    class Formula(models.TextChoices):
        LOWEST = "lowest", _("Lowest price ÷ bid price × maximum")
        LINEAR = "linear", _("Linear between the lowest price and a ceiling")
        MEAN = "mean", _("Relative to the mean price")

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200, blank=True)
    reference = models.CharField(_("reference"), max_length=60, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_cy = models.TextField(_("description (Welsh)"), blank=True)
    price_formula = models.CharField(
        _("price formula"), max_length=16, choices=Formula.choices, default=Formula.LOWEST
    )
    price_ceiling = models.DecimalField(
        _("price ceiling"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _bilingual(self, "title")

    @property
    def description(self) -> str:
        return _bilingual(self, "description")


class ScaleLevel(models.Model):
    """What one point of the scoring scale means (e.g. 5 = "excellent: …")."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="levels")
    value = models.PositiveSmallIntegerField()
    descriptor_en = models.CharField(max_length=300)
    descriptor_cy = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["value"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "value"], name="tender_level_once")
        ]

    def __str__(self) -> str:
        return f"{self.value}: {self.descriptor_en}"

    @property
    def descriptor(self) -> str:
        return _bilingual(self, "descriptor")


class Criterion(models.Model):
    """A node of the criteria tree. Leaves carry weights (per cent, adding to 100); a group's
    weight is the sum of its leaves'."""

    class Kind(models.TextChoices):
        PRICE = "price", _("Price")
        QUALITY = "quality", _("Quality")
        SOCIAL = "social", _("Social value")

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200, blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2, default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return _bilingual(self, "name")


class Lot(models.Model):
    """A lot of a procurement. Its price formula and ceiling, when set, replace the
    procurement's for this lot's bids."""

    procurement = models.ForeignKey(Procurement, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=200)
    title_cy = models.CharField(max_length=200, blank=True)
    price_formula = models.CharField(
        _("price formula"), max_length=16, choices=Procurement.Formula.choices, blank=True
    )
    price_ceiling = models.DecimalField(
        _("price ceiling"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    awarded_to = models.ForeignKey(
        "Bidder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    awarded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["procurement", "number"], name="lot_once")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return _bilingual(self, "title")

    @property
    def formula(self) -> str:
        """The price formula scoring this lot: its own, else the procurement's."""
        return self.price_formula or self.procurement.price_formula

    @property
    def ceiling(self) -> Any:
        """The price ceiling that goes with ``formula``."""
        return self.price_ceiling if self.price_formula else self.procurement.price_ceiling

    def get_formula_display(self) -> str:
        return str(Procurement.Formula(self.formula).label)


class Bidder(models.Model):
    """One supplier's bid for one lot, with its price.

    A withdrawn bid (the supplier withdrew it, or it was excluded) stays on record with any
    scores and moderations it was given, but takes no part in the results: it is not ranked and
    its price is not part of the field the relative price formulas compare against."""

    lot = models.ForeignKey(Lot, on_delete=models.CASCADE, related_name="bidders")
    name = models.CharField(_("supplier"), max_length=200)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class Evaluator(models.Model):
    """A named evaluator of a procurement: declares interests, then scores every bid once."""

    procurement = models.ForeignKey(
        Procurement, on_delete=models.CASCADE, related_name="evaluators"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(_("I have a conflict of interest"), default=False)
    declaration = models.TextField(_("interests declared"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Standing down (a conflict found later, illness, leaving the authority) keeps the
    # evaluator and every score they saved on record; their scores stop counting.
    stood_down_at = models.DateTimeField(_("stood down on"), null=True, blank=True)
    stand_down_reason = models.TextField(_("reason for standing down"), blank=True)

    class Meta:
        ordering = ["user__last_name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["procurement", "user"], name="evaluator_once")
        ]

    def __str__(self) -> str:
        return f"{self.procurement_id}: {self.user_id}"

    @property
    def stood_down(self) -> bool:
        return self.stood_down_at is not None

    @property
    def cleared(self) -> bool:
        """May see and score the bids: declared no conflict, and not stood down."""
        return self.declared_at is not None and not self.has_conflict and not self.stood_down

    @property
    def counts(self) -> bool:
        """Their scores count in the results: submitted, and not stood down."""
        return self.submitted_at is not None and not self.stood_down


class Score(models.Model):
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="scores")
    bidder = models.ForeignKey(Bidder, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evaluator", "bidder", "criterion"], name="tender_score_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evaluator_id}: {self.bidder_id}/{self.criterion_id} = {self.score}"


class Moderation(models.Model):
    """A moderated score with its reason; never changed, the latest counts."""

    bidder = models.ForeignKey(Bidder, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    score = models.DecimalField(max_digits=4, decimal_places=2)
    reason = models.TextField()
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["moderated_at", "pk"]

    def __str__(self) -> str:
        return f"{self.bidder_id}/{self.criterion_id} = {self.score}"


class SocialValueMeasure(OwnedRecord):
    """A measure of a body's social-value framework, with its unit and proxy value (£ per unit)."""

    code = models.CharField(max_length=20)
    name_en = models.CharField(max_length=200)
    name_cy = models.CharField(max_length=200, blank=True)
    unit_en = models.CharField(max_length=60)
    unit_cy = models.CharField(max_length=60, blank=True)
    proxy_value = models.DecimalField(max_digits=12, decimal_places=2)
    framework = models.CharField(max_length=120, blank=True)
    source = models.CharField(_("source of the proxy value"), max_length=300, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"

    @property
    def name(self) -> str:
        return _bilingual(self, "name")

    @property
    def unit(self) -> str:
        return _bilingual(self, "unit")


class Commitment(models.Model):
    """A bidder's social-value commitment, and what was delivered after award."""

    bidder = models.ForeignKey(Bidder, on_delete=models.CASCADE, related_name="commitments")
    measure = models.ForeignKey(SocialValueMeasure, on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(max_digits=12, decimal_places=2)
    delivered = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["bidder", "measure"], name="commitment_once")
        ]

    def __str__(self) -> str:
        return f"{self.bidder_id}: {self.measure_id} × {self.quantity}"

    @property
    def committed_value(self) -> float:
        return float(self.quantity * self.measure.proxy_value)

    @property
    def delivered_value(self) -> float | None:
        if self.delivered is None:
            return None
        return float(self.delivered * self.measure.proxy_value)
