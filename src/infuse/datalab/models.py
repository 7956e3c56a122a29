"""Data Lab records: data questions, their review by a facilitator, and their ethics canvas.

The ethics canvas follows the structure of the Data Ethics Canvas by the Open Data Institute
(ODI), licensed CC BY-SA 4.0 (https://theodi.org/insights/tools/the-data-ethics-canvas/): its
fifteen areas in four groups. The prompts below are written in our own words for officers of
Welsh public bodies, not copied from the ODI's canvas.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from infuse.accounts.models import OwnedRecord
from infuse.i18n import Bilingual

ODI_CREDIT = _(
    "Based on the Data Ethics Canvas by the Open Data Institute (ODI), licensed CC BY-SA 4.0."
)


class DataType(models.TextChoices):
    """Who may see the data, from open to the special categories of UK GDPR Article 9."""

    OPEN = "open", _("Open: anyone may use it")
    SHARED = "shared", _("Shared: available to some organisations under an agreement")
    PERSONAL = "personal", _("Personal: about people who can be identified")
    SPECIAL_CATEGORY = (
        "special_category",
        _("Special category: health, ethnicity, religion or other sensitive personal data"),
    )


class DataKind(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative: records kept while running a service")
    SURVEY = "survey", _("Survey: answers people gave to questions")
    SENSOR = "sensor", _("Sensor: readings from meters or devices")
    TRANSACTIONAL = "transactional", _("Transactional: payments, bookings or other transactions")


class DataQuestion(OwnedRecord):
    """A question that data could answer, tied to a decision someone must take."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        READY = "ready", _("Ready")

    title = models.CharField(_("short title"), max_length=200)
    decision = models.TextField(_("the decision to be made"))
    decision_maker = models.CharField(_("who makes the decision"), max_length=200)
    question = models.TextField(_("the question"))
    data_needed = models.TextField(_("what data would answer it"))
    measure = models.TextField(_("the measure"))
    data_type = models.CharField(_("type of data"), max_length=20, choices=DataType.choices)
    data_kind = models.CharField(_("kind of data"), max_length=20, choices=DataKind.choices)
    themes = models.ManyToManyField("reference.Theme", blank=True, verbose_name=_("themes"))
    goals = models.ManyToManyField(
        "reference.WellbeingGoal", blank=True, verbose_name=_("well-being goals")
    )
    sources = models.TextField(_("indicators and datasets"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    ready_at = models.DateTimeField(null=True, blank=True)
    ready_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("data question")
        verbose_name_plural = _("data questions")

    def __str__(self) -> str:
        return self.title

    def source_list(self) -> list[str]:
        return [line.strip() for line in self.sources.splitlines() if line.strip()]


class DataQuestionComment(models.Model):
    """A facilitator's comment on a data question; kept, never edited."""

    question = models.ForeignKey(DataQuestion, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("comment on a data question")
        verbose_name_plural = _("comments on data questions")

    def __str__(self) -> str:
        return f"{self.question}: {self.text[:40]}"


#: The four groups of the canvas, in order.
ETHICS_GROUPS: tuple[tuple[str, Any], ...] = (
    ("know", _("Know: the data and its context")),
    ("explore", _("Explore: purpose and effects")),
    ("plan", _("Plan: reducing harm and being open")),
    ("integrate", _("Integrate: keeping it going")),
)

#: The fifteen areas of the Data Ethics Canvas (ODI, CC BY-SA 4.0): key, group, name, prompt.
#: The prompts are our own words.
ETHICS_AREAS: tuple[tuple[str, str, Any, Any], ...] = (
    (
        "sources",
        "know",
        _("Data sources"),
        _("Which data will you use, where does it come from, and who collected it?"),
    ),
    (
        "rights",
        "know",
        _("Rights around the data"),
        _(
            "Who owns the data, what licence or agreement lets you use it, and what did people "
            "agree to when it was collected?"
        ),
    ),
    (
        "limitations",
        "know",
        _("Limits of the data"),
        _(
            "What is missing, out of date or biased in the data, and who is left out of it "
            "(for example people who do not use a service online)?"
        ),
    ),
    (
        "context",
        "know",
        _("Ethical and legal setting"),
        _(
            "Which laws, duties and policies apply (data protection, equality duties, the "
            "Well-being of Future Generations Act), and what does your organisation expect?"
        ),
    ),
    (
        "reason",
        "explore",
        _("Why you are using data"),
        _("What do you hope to learn or change, and why is data the right way to do it?"),
    ),
    (
        "communicating",
        "explore",
        _("Telling people about your purpose"),
        _("How will the people the data is about, and the public, find out what you are doing?"),
    ),
    (
        "positive",
        "explore",
        _("Good effects on people"),
        _("Who will be better off because of this work, and how?"),
    ),
    (
        "negative",
        "explore",
        _("Harmful effects on people"),
        _(
            "Who could be worse off, treated unfairly or put at risk, including groups who are "
            "already disadvantaged?"
        ),
    ),
    (
        "minimising",
        "plan",
        _("Reducing harm"),
        _(
            "What will you do to prevent or lessen each harm you found, and what data can you "
            "leave out?"
        ),
    ),
    (
        "engaging",
        "plan",
        _("Involving people"),
        _("How will you involve the people affected, and how can they challenge what you do?"),
    ),
    (
        "openness",
        "plan",
        _("Being open"),
        _("What will you publish about the data, the method and the results, and when?"),
    ),
    (
        "sharing",
        "plan",
        _("Sharing data with others"),
        _("Will you share the data or results with other organisations, on what terms and why?"),
    ),
    (
        "implementation",
        "integrate",
        _("Putting it into practice"),
        _("Who is responsible for the ethics of this work day to day, and how will they check?"),
    ),
    (
        "review",
        "integrate",
        _("Reviewing and improving"),
        _("When will you look at this canvas again, and what would make you stop or change?"),
    ),
    (
        "actions",
        "integrate",
        _("Your actions"),
        _("What must happen next, by whom and by when, to act on what this canvas shows?"),
    ),
)
ETHICS_AREA_KEYS = tuple(key for key, _group, _name, _prompt in ETHICS_AREAS)


class EthicsAreaStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", _("In progress")
    FOR_REVIEW = "for_review", _("For review")
    COMPLETE = "complete", _("Complete")


class EthicsArea(models.Model):
    """The answer to one area of a data question's ethics canvas."""

    question = models.ForeignKey(
        DataQuestion, on_delete=models.CASCADE, related_name="ethics_areas"
    )
    area = models.CharField(max_length=20, choices=[(key, key) for key in ETHICS_AREA_KEYS])
    answer = models.TextField(_("answer"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=EthicsAreaStatus.choices,
        default=EthicsAreaStatus.IN_PROGRESS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "area"], name="datalab_one_answer_per_area")
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.area}"


class EthicsAction(models.Model):
    """Something to do because of the ethics canvas, with who does it and how urgent it is."""

    class Priority(models.TextChoices):
        HIGH = "high", _("High")
        MEDIUM = "medium", _("Medium")
        LOW = "low", _("Low")

    question = models.ForeignKey(
        DataQuestion, on_delete=models.CASCADE, related_name="ethics_actions"
    )
    area = models.CharField(max_length=20, choices=[(key, key) for key in ETHICS_AREA_KEYS])
    text = models.TextField(_("action"))
    owner = models.CharField(_("who will do it"), max_length=200)
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.MEDIUM
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


#: The DPIA screening questions (our own words) and the reason shown when answered yes; keys
#: and sources are in :mod:`infuse.datalab.dpia`.
DPIA_QUESTIONS: dict[str, tuple[Any, Any]] = {
    "personal_data": (
        _("Will you use personal data: information about people who can be identified?"),
        _("The work uses personal data."),
    ),
    "major_project": (
        _("Is this a major project: large, long-running or changing how a service works?"),
        _("A major project that uses personal data."),
    ),
    "automated_evaluation": (
        _(
            "Will a computer systematically assess people (for example score or profile them), "
            "and will decisions based on it have legal or similarly serious effects on them?"
        ),
        _("Systematic, automated assessment of people with significant effects."),
    ),
    "large_scale_special": (
        _(
            "Will you use special category data (such as health, ethnicity or religion) or "
            "data about crimes and convictions, about a large number of people?"
        ),
        _("Large-scale use of special category or criminal offence data."),
    ),
    "public_monitoring": (
        _(
            "Will you systematically watch or record a public place on a large scale, for "
            "example with cameras or sensors?"
        ),
        _("Large-scale, systematic monitoring of a public place."),
    ),
    "innovative_technology": (
        _("Will you use a new technology, or a known one in a new way (for example AI)?"),
        _("New technology, or technology used in a new way."),
    ),
    "denial_of_service": (
        _("Will the results decide whether someone gets a service, a benefit or an opportunity?"),
        _("Decisions about access to a service, benefit or opportunity."),
    ),
    "large_scale_profiling": (
        _("Will you build profiles of a large number of people?"),
        _("Profiling people on a large scale."),
    ),
    "biometrics": (
        _("Will you use biometric data, such as fingerprints or face images, to identify people?"),
        _("Biometric data."),
    ),
    "genetic": (
        _("Will you use genetic data?"),
        _("Genetic data."),
    ),
    "data_matching": (
        _("Will you match or combine datasets from different sources about the same people?"),
        _("Matching or combining datasets from different sources."),
    ),
    "invisible_processing": (
        _(
            "Will you use personal data you did not collect from the people themselves, "
            "without telling them?"
        ),
        _("Personal data used without telling the people it is about."),
    ),
    "tracking": (
        _("Will you track where people go or what they do, online or offline?"),
        _("Tracking people's location or behaviour."),
    ),
    "children_vulnerable": (
        _(
            "Will you profile, target or make automated decisions about children or other "
            "vulnerable people?"
        ),
        _("Profiling or targeting children or other vulnerable people."),
    ),
    "physical_harm": (
        _("Could a leak or misuse of the data put someone's health or safety at risk?"),
        _("A breach could put someone's physical health or safety at risk."),
    ),
}


class DpiaScreening(models.Model):
    """One DPIA screening of a data question; each new screening is kept beside the last."""

    class Outcome(models.TextChoices):
        REQUIRED = "required", _("DPIA required")
        RECOMMENDED = "recommended", _("DPIA recommended")
        NOT_INDICATED = "not_indicated", _("DPIA not indicated")

    question = models.ForeignKey(
        DataQuestion, on_delete=models.CASCADE, related_name="dpia_screenings"
    )
    answers = models.JSONField(_("answers"), default=dict)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    reasons = models.JSONField(_("reasons"), default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.question}: {self.outcome}"


#: The three overarching principles of the UK Data Ethics Framework (Central Digital and Data
#: Office, 2020), each scored 0–5 in a self-assessment; the prompts are our own words.
DEF_PRINCIPLES: tuple[tuple[str, Any, Any], ...] = (
    (
        "transparency",
        _("Transparency"),
        _(
            "Could someone outside the team find out what data you use, how and why, and "
            "understand it?"
        ),
    ),
    (
        "accountability",
        _("Accountability"),
        _("Is it clear who answers for this work and its effects, and is there proper oversight?"),
    ),
    (
        "fairness",
        _("Fairness"),
        _(
            "Have you checked that the work will not treat people or groups unfairly, or lead to "
            "discriminatory results?"
        ),
    ),
)
DEF_SCORES = range(0, 6)


class DefAssessment(models.Model):
    """One version of a data question's UK Data Ethics Framework self-assessment.

    Each save is a new version; earlier versions are never changed, so progress shows over time.
    """

    question = models.ForeignKey(
        DataQuestion, on_delete=models.CASCADE, related_name="def_assessments"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    transparency_score = models.PositiveSmallIntegerField(_("transparency score"))
    transparency_rationale = models.TextField(_("why this transparency score"))
    accountability_score = models.PositiveSmallIntegerField(_("accountability score"))
    accountability_rationale = models.TextField(_("why this accountability score"))
    fairness_score = models.PositiveSmallIntegerField(_("fairness score"))
    fairness_rationale = models.TextField(_("why this fairness score"))
    actions = models.TextField(_("specific actions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="datalab_def_version"),
            models.CheckConstraint(
                condition=models.Q(transparency_score__lte=5)
                & models.Q(accountability_score__lte=5)
                & models.Q(fairness_score__lte=5),
                name="datalab_def_scores_0_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: version {self.version}"


# --- Datasets: the catalogue (DCAT-compatible) and profiles of uploaded files -----------------


class Licence(models.TextChoices):
    OGL3 = "OGL-UK-3.0", _("Open Government Licence v3.0")
    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC0 = "CC0-1.0", _("Creative Commons Zero 1.0 (public domain)")
    AGREEMENT = "agreement", _("Data-sharing agreement")
    NONE = "none", _("No licence: internal use only")


class AccessRights(models.TextChoices):
    """The EU Publications Office 'access right' vocabulary, as DCAT-AP uses it."""

    PUBLIC = "PUBLIC", _("Public")
    RESTRICTED = "RESTRICTED", _("Restricted")
    NON_PUBLIC = "NON_PUBLIC", _("Not public")


class Frequency(models.TextChoices):
    """A subset of the EU Publications Office 'frequency' vocabulary (dct:accrualPeriodicity)."""

    DAILY = "DAILY", _("Daily")
    WEEKLY = "WEEKLY", _("Weekly")
    MONTHLY = "MONTHLY", _("Monthly")
    QUARTERLY = "QUARTERLY", _("Quarterly")
    ANNUAL = "ANNUAL", _("Yearly")
    IRREG = "IRREG", _("Irregular")
    NEVER = "NEVER", _("Never: a one-off")


class DcatTheme(models.TextChoices):
    """The EU Publications Office 'data theme' vocabulary (DCAT-AP's recommended dcat:theme)."""

    AGRI = "AGRI", _("Agriculture, fisheries, forestry and food")
    ECON = "ECON", _("Economy and finance")
    EDUC = "EDUC", _("Education, culture and sport")
    ENER = "ENER", _("Energy")
    ENVI = "ENVI", _("Environment")
    GOVE = "GOVE", _("Government and public sector")
    HEAL = "HEAL", _("Health")
    INTR = "INTR", _("International issues")
    JUST = "JUST", _("Justice, legal system and public safety")
    REGI = "REGI", _("Regions and cities")
    SOCI = "SOCI", _("Population and society")
    TECH = "TECH", _("Science and technology")
    TRAN = "TRAN", _("Transport")


class Dataset(OwnedRecord):
    """A catalogue entry, with the metadata of a dcat:Dataset."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    publisher = models.CharField(_("publisher"), max_length=200)
    contact_name = models.CharField(_("contact point"), max_length=200)
    contact_email = models.EmailField(_("contact email address"))
    licence = models.CharField(_("licence"), max_length=16, choices=Licence.choices)
    access_rights = models.CharField(
        _("access rights"), max_length=16, choices=AccessRights.choices
    )
    spatial = models.CharField(_("area covered"), max_length=200, blank=True)
    temporal_start = models.DateField(_("covers from"), null=True, blank=True)
    temporal_end = models.DateField(_("covers to"), null=True, blank=True)
    frequency = models.CharField(_("update frequency"), max_length=12, choices=Frequency.choices)
    keywords = models.CharField(_("keywords"), max_length=400, blank=True)
    dcat_theme = models.CharField(_("DCAT theme"), max_length=8, choices=DcatTheme.choices)
    themes = models.ManyToManyField(
        "reference.Theme", blank=True, related_name="+", verbose_name=_("themes")
    )
    data_type = models.CharField(_("type of data"), max_length=20, choices=DataType.choices)
    data_kind = models.CharField(_("kind of data"), max_length=20, choices=DataKind.choices)
    landing_page = models.URLField(_("web page"), blank=True)
    questions = models.ManyToManyField(
        DataQuestion, blank=True, related_name="datasets", verbose_name=_("data questions")
    )
    profile = models.JSONField(null=True, blank=True)
    profile_file = models.CharField(max_length=255, blank=True)
    profiled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("dataset")
        verbose_name_plural = _("datasets")

    def __str__(self) -> str:
        return self.title

    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(",") if word.strip()]


# ---------------------------------------------------------------- Indicator explorer (issue 8)
# Open indicators loaded by ``infuse load-open-data``; readers in ``datalab/indicators.py``.
# Shared public facts, not owned by a body: everyone signed in reads them.


class Indicator(models.Model):
    class Theme(models.TextChoices):
        DECARBONISATION = "decarbonisation", _("Accelerating Decarbonisation")
        COMMUNITIES = "communities", _("Supportive Communities")

    code = models.SlugField(_("code"), max_length=80, unique=True)
    theme = models.CharField(_("theme"), max_length=20, choices=Theme.choices)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_cy = models.CharField(_("name (Welsh)"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=100, blank=True)
    publisher = models.TextField(_("publisher"))
    source_file = models.CharField(_("file"), max_length=300)
    licence = models.CharField(_("licence"), max_length=200)
    higher_is_better = models.BooleanField(null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    sample = models.BooleanField(_("demonstration sample"), default=False)

    name = Bilingual("name")

    class Meta:
        ordering = ["theme", "name_en"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return str(self.name)


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    area_code = models.CharField(_("area code"), max_length=12)
    period = models.CharField(_("period"), max_length=40)
    period_label = models.CharField(_("period as published"), max_length=60)
    period_end = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.FloatField(_("value"))

    class Meta:
        ordering = ["indicator", "period_end", "period", "area_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area_code", "period"], name="datalab_indicator_value_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_code} {self.period}: {self.value}"


class IndicatorLink(models.Model):
    """An indicator linked to a data question or a challenge (exactly one)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="links")
    question = models.ForeignKey(
        DataQuestion, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    challenge = models.ForeignKey(
        "challenges.Challenge", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False, challenge__isnull=True)
                | models.Q(question__isnull=True, challenge__isnull=False),
                name="datalab_indicator_link_one_target",
            ),
            models.UniqueConstraint(
                fields=["indicator", "question"], name="datalab_indicator_link_question_once"
            ),
            models.UniqueConstraint(
                fields=["indicator", "challenge"], name="datalab_indicator_link_challenge_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} → {self.question_id or self.challenge_id}"
