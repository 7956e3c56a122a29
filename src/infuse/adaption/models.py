"""Adaption Lab records: the innovation library, adopt/adapt assessments and experiments.

An experiment's analysis plan is locked with a timestamp and a SHA-256 of its canonical content
(see :mod:`infuse.adaption.plans`); after that, changes are :class:`PlanAmendment` rows that keep
the reason and what changed, never edits in place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord
from infuse.i18n import Bilingual


class EvidenceLevel(models.IntegerChoices):
    """Nesta Standards of Evidence (Puttick, R. & Ludlow, J. 2013, "Standards of Evidence: an
    approach that balances the need for evidence with innovation", Nesta)."""

    ACCOUNT = 1, _("Level 1: an account of impact")
    CORRELATION = 2, _("Level 2: a change is seen (correlation)")
    CAUSATION = 3, _("Level 3: the change is caused by it (causation)")
    REPLICATED = 4, _("Level 4: independently replicated")
    SCALED = 5, _("Level 5: scaled and still working")


class Innovation(OwnedRecord):
    """A promising innovation in the library, with what must be kept and what may change."""

    title_en = models.CharField(_("title (English)"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200, blank=True)
    problem_en = models.TextField(_("problem it addresses (English)"))
    problem_cy = models.TextField(_("problem it addresses (Welsh)"), blank=True)
    summary_en = models.TextField(_("what was done (English)"))
    summary_cy = models.TextField(_("what was done (Welsh)"), blank=True)
    where_en = models.CharField(_("where it was done (English)"), max_length=200)
    where_cy = models.CharField(_("where it was done (Welsh)"), max_length=200, blank=True)
    evidence_level = models.PositiveSmallIntegerField(
        _("evidence level"), choices=EvidenceLevel.choices
    )
    evidence_en = models.TextField(_("the evidence (English)"), blank=True)
    evidence_cy = models.TextField(_("the evidence (Welsh)"), blank=True)
    core_elements_en = models.TextField(_("core elements to keep (English), one per line"))
    core_elements_cy = models.TextField(
        _("core elements to keep (Welsh), one per line"), blank=True
    )
    adaptable_elements_en = models.TextField(
        _("elements that may change (English), one per line"), blank=True
    )
    adaptable_elements_cy = models.TextField(
        _("elements that may change (Welsh), one per line"), blank=True
    )
    cost_en = models.CharField(_("cost (English)"), max_length=300, blank=True)
    cost_cy = models.CharField(_("cost (Welsh)"), max_length=300, blank=True)
    themes = models.ManyToManyField("reference.Theme", blank=True, verbose_name=_("themes"))
    goals = models.ManyToManyField(
        "reference.WellbeingGoal", blank=True, verbose_name=_("well-being goals")
    )
    links = models.JSONField(_("links"), default=list, blank=True)

    title = Bilingual("title")
    problem = Bilingual("problem")
    summary = Bilingual("summary")
    where = Bilingual("where")
    evidence = Bilingual("evidence")
    core_elements = Bilingual("core_elements")
    adaptable_elements = Bilingual("adaptable_elements")
    cost = Bilingual("cost")

    class Meta:
        ordering = ["title_en"]
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")

    def __str__(self) -> str:
        return str(self.title)

    def core_list(self) -> list[str]:
        return [line.strip() for line in str(self.core_elements).splitlines() if line.strip()]

    def adaptable_list(self) -> list[str]:
        return [line.strip() for line in str(self.adaptable_elements).splitlines() if line.strip()]


class FitRating(models.TextChoices):
    GOOD = "good", _("Good fit")
    PARTIAL = "partial", _("Partial fit: needs adapting")
    POOR = "poor", _("Poor fit")
    UNKNOWN = "unknown", _("Not known yet")


#: The local-context questions of an adopt/adapt assessment, in the order they are asked.
FIT_DIMENSIONS: tuple[tuple[str, Any, Any], ...] = (
    ("need", _("Need"), _("Is the problem here, at a scale that matters, in your area?")),
    (
        "population",
        _("Population"),
        _(
            "Are the people it served like the people it would serve here "
            "(age, rurality, language)?"
        ),
    ),
    ("capacity", _("Capacity"), _("Do you have the staff, skills and partners to run it?")),
    ("cost", _("Cost"), _("Can you afford to set it up and keep it going?")),
    ("data", _("Data"), _("Is the data needed to run it and to know whether it works available?")),
    (
        "legal",
        _("Legal and policy"),
        _("Does it fit Welsh law and policy (for example data protection, social care duties)?"),
    ),
    (
        "welsh_language",
        _("Welsh language"),
        _(
            "Can it be offered in Welsh as well as English, as the Welsh Language Standards "
            "require?"
        ),
    ),
)


class AdaptionAssessment(OwnedRecord):
    """Whether and how one innovation suits one body's context, and the decision taken."""

    class Decision(models.TextChoices):
        UNDECIDED = "undecided", _("Not decided yet")
        ADOPT = "adopt", _("Adopt as it is")
        ADAPT = "adapt", _("Adapt it")
        TEST_FIRST = "test_first", _("Test it first in an experiment")
        NOT_NOW = "not_now", _("Not now")

    innovation = models.ForeignKey(Innovation, on_delete=models.PROTECT, related_name="assessments")
    fit = models.JSONField(_("fit to the local context"), default=dict)
    adaptations = models.TextField(_("what will be adapted, and why"), blank=True)
    risks = models.TextField(_("risks"), blank=True)
    decision = models.CharField(
        _("decision"), max_length=16, choices=Decision.choices, default=Decision.UNDECIDED
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("adopt/adapt assessment")
        verbose_name_plural = _("adopt/adapt assessments")

    def __str__(self) -> str:
        return f"{self.innovation} — {self.owner_body}"


class Experiment(OwnedRecord):
    """An experiment from design to a locked, randomised plan, its analysis and the decision
    it led to."""

    class Decision(models.TextChoices):
        SCALE = "scale", _("Scale it up: use it more widely")
        ADAPT = "adapt", _("Adapt it and test again")
        STOP = "stop", _("Stop: it did not do enough")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        LOCKED = "locked", _("Plan locked")

    class OutcomeType(models.TextChoices):
        CONTINUOUS = "continuous", _("A measurement (for example days, pounds, a score)")
        BINARY = "binary", _("Yes or no (for example took up the service)")
        COUNT = "count", _("A count (for example visits, complaints)")

    class Unit(models.TextChoices):
        PERSON = "person", _("Person")
        HOUSEHOLD = "household", _("Household")
        SCHOOL = "school", _("School")
        WARD = "ward", _("Ward")
        TEAM = "team", _("Team or office")
        AUTHORITY = "authority", _("Authority")
        OTHER = "other", _("Something else")

    class Design(models.TextChoices):
        INDIVIDUAL = "individual", _("Individually randomised (two or more arms)")
        STRATIFIED = "stratified", _("Blocked or stratified")
        CLUSTER = "cluster", _("Cluster-randomised")
        STEPPED_WEDGE = "stepped_wedge", _("Stepped-wedge across clusters")
        AB = "ab", _("A/B test on a service")
        DIFFERENCE_IN_DIFFERENCES = "did", _("Difference-in-differences (not randomised)")
        SYNTHETIC_CONTROL = "synthetic_control", _("Synthetic control (not randomised)")
        INTERRUPTED_TIME_SERIES = "its", _("Interrupted time series (not randomised)")

    class Estimator(models.TextChoices):
        DIFFERENCE = "difference", _("Difference between arms (intention to treat)")
        ADJUSTED = "adjusted", _("Difference adjusted for baseline covariates (regression)")
        CLUSTER_LEVEL = "cluster_level", _("Analysis of cluster summaries")
        MIXED_MODEL = "mixed_model", _("Mixed model with time periods (stepped-wedge)")
        RANDOMISATION_INFERENCE = "randomisation_inference", _("Randomisation inference")
        DIFFERENCE_IN_DIFFERENCES = "did", _("Difference-in-differences")
        SYNTHETIC_CONTROL = "synthetic_control", _("Synthetic control")
        SEGMENTED_REGRESSION = "segmented_regression", _("Segmented regression (time series)")

    class Correction(models.TextChoices):
        NONE = "none", _("None (one primary outcome)")
        HOLM = "holm", _("Holm")
        BONFERRONI = "bonferroni", _("Bonferroni")
        BENJAMINI_HOCHBERG = "benjamini_hochberg", _("Benjamini–Hochberg (false discovery rate)")
        DUNNETT = "dunnett", _("Dunnett (several arms against one control)")

    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    title = models.CharField(_("title"), max_length=200)
    innovation = models.ForeignKey(
        Innovation, on_delete=models.SET_NULL, null=True, blank=True, related_name="experiments"
    )
    assessment = models.OneToOneField(
        AdaptionAssessment,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="experiment",
    )
    hypothesis = models.TextField(_("hypothesis"), blank=True)
    primary_outcome = models.CharField(_("primary outcome"), max_length=200, blank=True)
    outcome_type = models.CharField(
        _("type of outcome"),
        max_length=16,
        choices=OutcomeType.choices,
        default=OutcomeType.CONTINUOUS,
    )
    outcome_measure = models.TextField(_("how it is measured"), blank=True)
    outcome_timing = models.CharField(_("when it is measured"), max_length=200, blank=True)
    secondary_outcomes = models.TextField(_("secondary outcomes"), blank=True)
    unit = models.CharField(
        _("unit of randomisation"), max_length=16, choices=Unit.choices, default=Unit.PERSON
    )
    eligibility = models.TextField(_("who or what is eligible"), blank=True)
    design = models.CharField(
        _("design"), max_length=24, choices=Design.choices, default=Design.INDIVIDUAL
    )
    arms = models.JSONField(_("arms"), default=list)
    ratio = models.JSONField(_("allocation ratio"), default=list)
    strata_columns = models.JSONField(_("strata"), default=list, blank=True)
    cluster_column = models.CharField(_("cluster column"), max_length=100, blank=True)
    periods = models.PositiveSmallIntegerField(_("periods"), null=True, blank=True)
    non_randomised_plan = models.TextField(_("comparison plan"), blank=True)
    power_design = models.CharField(max_length=32, blank=True)
    power_inputs = models.JSONField(default=dict, blank=True)
    power_summary = models.TextField(_("power and sample size"), blank=True)
    estimator = models.CharField(
        _("estimator"), max_length=32, choices=Estimator.choices, default=Estimator.DIFFERENCE
    )
    covariates = models.JSONField(_("covariates"), default=list, blank=True)
    alpha = models.DecimalField(
        _("significance level"), max_digits=4, decimal_places=3, default=0.05
    )
    correction = models.CharField(
        _("multiple-comparison correction"),
        max_length=24,
        choices=Correction.choices,
        default=Correction.NONE,
    )
    stopping_rule = models.TextField(_("stopping rule"), blank=True)
    seed = models.BigIntegerField(_("randomisation seed"))
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    locked_plan = models.JSONField(null=True, blank=True)
    locked_sha256 = models.CharField(_("plan fingerprint (SHA-256)"), max_length=64, blank=True)
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, blank=True, default=""
    )
    decision_reason = models.TextField(_("reasons for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("experiment")
        verbose_name_plural = _("experiments")

    def __str__(self) -> str:
        return self.title

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED

    @property
    def is_randomised_design(self) -> bool:
        return self.design not in {
            self.Design.DIFFERENCE_IN_DIFFERENCES,
            self.Design.SYNTHETIC_CONTROL,
            self.Design.INTERRUPTED_TIME_SERIES,
        }

    @property
    def accepts_outcome_data(self) -> bool:
        """Outcome data may only arrive once the plan is locked (pre-registration)."""
        return self.is_locked


class PlanAmendment(models.Model):
    """A change to a locked plan: the reason, what changed, and the fingerprint after it."""

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="amendments")
    number = models.PositiveSmallIntegerField()
    reason = models.TextField(_("reason for the amendment"))
    changes = models.JSONField(default=dict)
    plan = models.JSONField()
    plan_sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["experiment", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["experiment", "number"], name="one_amendment_number_per_experiment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.experiment} — {self.number}"


class UnitList(models.Model):
    """The units to randomise, as uploaded (kept, with a digest, for reproducibility)."""

    experiment = models.OneToOneField(Experiment, on_delete=models.CASCADE, related_name="units")
    file_name = models.CharField(max_length=255)
    upload = models.FileField(upload_to="adaption/units/%Y/%m/", max_length=300)
    file_sha256 = models.CharField(max_length=64)
    id_column = models.CharField(max_length=100)
    columns = models.JSONField(default=list)
    unit_count = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file_name


class InnovationEvidence(models.Model):
    """What an experiment in the region added to an innovation's evidence, once decided."""

    innovation = models.ForeignKey(
        Innovation, on_delete=models.CASCADE, related_name="regional_evidence"
    )
    experiment = models.OneToOneField(
        Experiment, on_delete=models.CASCADE, related_name="evidence_added"
    )
    level = models.PositiveSmallIntegerField(_("evidence level"), choices=EvidenceLevel.choices)
    summary = models.TextField(_("summary"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.innovation}: {self.experiment}"


class Randomisation(models.Model):
    """A done allocation: the engine's record (seed, versions, digests) and the file of arms."""

    experiment = models.OneToOneField(
        Experiment, on_delete=models.CASCADE, related_name="randomisation"
    )
    record = models.JSONField()
    arm_counts = models.JSONField()
    balance = models.JSONField(default=list)
    allocation = models.FileField(upload_to="adaption/allocations/%Y/%m/", max_length=300)
    schedule = models.JSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.experiment}"


class OutcomeAnalysis(models.Model):
    """Outcome data uploaded against a locked plan, its checks and the analysis it gave.

    Each upload is kept; the newest is the one shown. Nothing earlier is changed by a new one.
    """

    experiment = models.ForeignKey(Experiment, on_delete=models.CASCADE, related_name="analyses")
    file_name = models.CharField(max_length=255)
    upload = models.FileField(upload_to="adaption/outcomes/%Y/%m/", max_length=300)
    file_sha256 = models.CharField(max_length=64)
    outcome_column = models.CharField(max_length=100)
    checks = models.JSONField()
    results = models.JSONField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name
