"""The Challenge Fund: challenge statements, calls with weighted criteria, and collaborative bids.

A *challenge* belongs to the body that brings it (private until shared, like every
``OwnedRecord``). A *call* is the programme's: programme managers write it, and once published
it is public. A *bid* answers a call and a challenge; its lead body owns it, but who may see it
is decided by its team (see ``accounts.policy.can_open_bid``): drafts are for the bid team only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord
from infuse.i18n import Bilingual

#: The three phases of the Challenge Fund, in order (PRODUCT.md: feasibility, then prototype,
#: then adoption).
PHASES = ("feasibility", "prototype", "adoption")


class Phase(models.TextChoices):
    FEASIBILITY = "feasibility", _("Feasibility")
    PROTOTYPE = "prototype", _("Prototype")
    ADOPTION = "adoption", _("Adoption")


class Challenge(OwnedRecord):
    """A challenge statement: a problem a body wants solved, framed as "How might we…?"."""

    title = models.CharField(_("short title"), max_length=200)
    how_might_we = models.TextField(_("How might we…?"))
    problem = models.TextField(_("the problem"))
    evidence = models.TextField(_("evidence of need"))
    affected = models.TextField(_("who is affected"))
    tried = models.TextField(_("what has been tried"))
    transfer = models.TextField(_("how it would transfer to other bodies"))
    owner_name = models.CharField(_("challenge owner"), max_length=200)
    sponsor_name = models.CharField(_("senior sponsor"), max_length=200)
    budget_feasibility = models.PositiveIntegerField(_("feasibility budget (£)"), default=0)
    budget_prototype = models.PositiveIntegerField(_("prototype budget (£)"), default=0)
    budget_adoption = models.PositiveIntegerField(_("adoption budget (£)"), default=0)
    purchase_commitment = models.TextField(_("commitment to buy if it works"))
    constraints_data = models.TextField(_("data constraints"), blank=True)
    constraints_legal = models.TextField(_("legal constraints"), blank=True)
    constraints_welsh = models.TextField(_("Welsh language constraints"), blank=True)
    constraints_accessibility = models.TextField(_("accessibility constraints"), blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self) -> str:
        return self.title

    @property
    def budget_total(self) -> int:
        return self.budget_feasibility + self.budget_prototype + self.budget_adoption


class ChallengeTheme(models.Model):
    """A theme a challenge serves, with a sentence on how it contributes."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="theme_links")
    theme = models.ForeignKey("reference.Theme", on_delete=models.PROTECT, related_name="+")
    contribution = models.TextField(_("how it contributes"))

    class Meta:
        ordering = ["theme__order"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "theme"], name="challenge_theme_once")
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.theme_id}"


class ChallengeGoal(models.Model):
    """A well-being goal a challenge serves, with a sentence on how it contributes."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="goal_links")
    goal = models.ForeignKey("reference.WellbeingGoal", on_delete=models.PROTECT, related_name="+")
    contribution = models.TextField(_("how it contributes"))

    class Meta:
        ordering = ["goal__number"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "goal"], name="challenge_goal_once")
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.goal_id}"


class ChallengeWay(models.Model):
    """A way of working a challenge follows, with a sentence on how."""

    challenge = models.ForeignKey(Challenge, on_delete=models.CASCADE, related_name="way_links")
    way = models.ForeignKey("reference.WayOfWorking", on_delete=models.PROTECT, related_name="+")
    contribution = models.TextField(_("how it contributes"))

    class Meta:
        ordering = ["way__order"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "way"], name="challenge_way_once")
        ]

    def __str__(self) -> str:
        return f"{self.challenge_id}: {self.way_id}"


class Call(models.Model):
    """A call for bids to the Challenge Fund, written by programme managers; public once
    published."""

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200)
    summary_en = models.TextField(_("summary (English)"))
    summary_cy = models.TextField(_("summary (Welsh)"))
    deadline = models.DateTimeField(_("deadline"))
    budget_feasibility = models.PositiveIntegerField(_("feasibility budget (£)"), default=0)
    budget_prototype = models.PositiveIntegerField(_("prototype budget (£)"), default=0)
    budget_adoption = models.PositiveIntegerField(_("adoption budget (£)"), default=0)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    quality_threshold = models.PositiveSmallIntegerField(
        _("quality threshold (per cent of the highest weighted score)"), default=60
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    title = Bilingual("title")
    summary = Bilingual("summary")

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.title_en

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def is_open(self) -> bool:
        return self.published and timezone.now() < self.deadline

    def budget_of(self, phase: str) -> int:
        return int(getattr(self, f"budget_{phase}"))

    @property
    def budget_total(self) -> int:
        return sum(self.budget_of(phase) for phase in PHASES)


class Criterion(models.Model):
    """A published criterion of a call, with its weight in per cent (the weights add to 100)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(_("criterion (English)"), max_length=200)
    name_cy = models.CharField(_("criterion (Welsh)"), max_length=200)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    guidance_cy = models.TextField(_("guidance (Welsh)"), blank=True)
    weight = models.PositiveSmallIntegerField(_("weight (per cent)"))

    name = Bilingual("name")
    guidance = Bilingual("guidance")

    class Meta:
        ordering = ["call", "order"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return self.name_en


class ScaleLevel(models.Model):
    """What a score on a call's scale means (0 to ``scale_max``)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="scale_levels")
    score = models.PositiveSmallIntegerField()
    descriptor_en = models.CharField(max_length=300)
    descriptor_cy = models.CharField(max_length=300)

    descriptor = Bilingual("descriptor")

    class Meta:
        ordering = ["call", "score"]
        constraints = [models.UniqueConstraint(fields=["call", "score"], name="scale_level_once")]

    def __str__(self) -> str:
        return f"{self.score}: {self.descriptor_en}"


class Bid(OwnedRecord):
    """A collaborative bid to a call. ``owner_body`` is the lead body; ``team`` are the named
    officers, who alone see a draft."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        FUNDED = "funded", _("Funded")
        NOT_FUNDED = "not_funded", _("Not funded")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="bids")
    challenge = models.ForeignKey(Challenge, on_delete=models.PROTECT, related_name="bids")
    title = models.CharField(_("title of the bid"), max_length=200)
    summary = models.TextField(_("summary"))
    phase = models.CharField(
        _("phase applied for"), max_length=16, choices=Phase.choices, default=Phase.FEASIBILITY
    )
    budget = models.PositiveIntegerField(_("budget requested (£)"))
    partners = models.ManyToManyField(
        "reference.Body", blank=True, related_name="+", verbose_name=_("partner bodies")
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="bids", verbose_name=_("bid team")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    feedback = models.TextField(_("feedback to the bid team"), blank=True)
    feedback_released_at = models.DateTimeField(null=True, blank=True)
    outcomes = models.TextField(_("outcomes"), blank=True)
    outcomes_recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="bid_submitted_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def team_member_ids(self) -> set[int]:
        """The ids of the named officers (read by the permission policy)."""
        return set(self.team.values_list("pk", flat=True))

    def project_state(self) -> Any:
        """Where the funded project stands (``phases.project_state``); None if not funded."""
        from .phases import project_state

        if self.status != self.Status.FUNDED:
            return None
        return project_state(self.phase, [r.decision for r in self.phase_reviews.all()])

    def project_phase_label(self) -> str:
        """The name of the funded project's current phase, in the active language."""
        state = self.project_state()
        return str(Phase(state.phase).label) if state and state.phase else ""

    def cleared_assessor_ids(self) -> set[int]:
        """Assessors allocated to the bid who declared no conflict (read by the policy)."""
        return {
            a.assessor_id
            for a in self.assessments.all()
            if a.declared_at is not None and not a.has_conflict
        }


class BidAnswer(models.Model):
    """A bid's answer to one criterion of its call."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("answer"), blank=True)

    class Meta:
        ordering = ["criterion__order"]
        constraints = [models.UniqueConstraint(fields=["bid", "criterion"], name="bid_answer_once")]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.criterion_id}"


class BidLink(models.Model):
    """A link from a bid to one of the team's lab outputs, by reference (the record stays
    where it is, under its own owner's rules). ``kind`` is a key of the register of lab outputs
    (:data:`infuse.lab_outputs.KINDS`)."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="links")
    kind = models.CharField(max_length=32)
    record_id = models.PositiveIntegerField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "record_id"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "kind", "record_id"], name="bid_link_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.record_id}"


class Assessment(models.Model):
    """One assessor's part in one bid: allocated, then a declaration of interests (made before
    the bid is shown), then a score sheet submitted once."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    allocated_at = models.DateTimeField(auto_now_add=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    has_conflict = models.BooleanField(_("I have a conflict of interest"), default=False)
    declaration = models.TextField(_("interests declared"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bid", "assessor__last_name"]
        constraints = [models.UniqueConstraint(fields=["bid", "assessor"], name="assessment_once")]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.assessor_id}"

    @property
    def cleared(self) -> bool:
        """Declared, with no conflict: the bid may be shown."""
        return self.declared_at is not None and not self.has_conflict


class CriterionScore(models.Model):
    """An assessor's score on one criterion, with a comment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        ordering = ["criterion__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="score_once")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.criterion_id} = {self.score}"


class Moderation(models.Model):
    """A moderated score for one criterion of one bid, with the reason. Never changed: a new
    moderation is a new row, and the latest for a criterion counts."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderations")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("moderated score"), max_digits=4, decimal_places=2)
    reason = models.TextField(_("reason"))
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    moderated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["moderated_at", "pk"]

    def __str__(self) -> str:
        return f"{self.bid_id}: {self.criterion_id} = {self.score}"


class FundingDecision(models.Model):
    """The panel's decision for one phase of a call: in rank order within the budget, or a
    portfolio choice that departs from it for a recorded reason."""

    class Method(models.TextChoices):
        RANK_ORDER = "rank_order", _("In rank order within the budget")
        PORTFOLIO = "portfolio", _("A portfolio choice")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="decisions")
    phase = models.CharField(max_length=16, choices=Phase.choices)
    method = models.CharField(_("how the bids were chosen"), max_length=16, choices=Method.choices)
    reason = models.TextField(_("reason"), blank=True)
    funded = models.JSONField(default=list)  # bid ids, as decided
    ranking = models.JSONField(default=list)  # [bid id, weighted score, rank] at the time
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["call", "phase"], name="decision_once_per_phase")
        ]

    def __str__(self) -> str:
        return f"{self.call_id} {self.phase}: {self.method}"


class PhaseReview(models.Model):
    """The review that ends one phase of a funded project, with the decision and its reason.
    Never changed once recorded."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", _("Continue to the next phase")
        STOP = "stop", _("Stop")

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="phase_reviews")
    phase = models.CharField(_("phase"), max_length=16, choices=Phase.choices)
    review = models.TextField(_("what the phase found"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.TextField(_("reason for the decision"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["bid", "phase"], name="phase_reviewed_once")]

    def __str__(self) -> str:
        return f"{self.bid_id} {self.phase}: {self.decision}"
