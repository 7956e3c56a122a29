"""The programme: intakes, cohorts running the three labs as six-week courses, their sessions,
materials, enrolments and attendance.

An intake is one round of the programme (for example "Spring 2026"); within it each cohort runs
one lab (Adaption, Data or Procurement, from ``reference.Lab``) as a course of ``lab.weeks``
weekly sessions. The programme belongs to the region's delivery team, not to one body: who may
see a cohort is decided in ``accounts.policy`` (its facilitators, its enrolled participants and
the programme managers).
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infuse.i18n import Bilingual


class Intake(models.Model):
    """One round of the programme, in which cohorts run the labs."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    name = Bilingual("name")

    class Meta:
        ordering = ["-starts_on", "name_en"]
        verbose_name = _("intake")
        verbose_name_plural = _("intakes")

    def __str__(self) -> str:
        return str(self.name)


class Cohort(models.Model):
    """A group of participants taking one lab together as a six-week course."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="cohorts")
    lab = models.ForeignKey("reference.Lab", on_delete=models.PROTECT, related_name="+")
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_cy = models.CharField(_("name (Welsh)"), max_length=200)
    starts_on = models.DateField(_("first session"))
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("lead facilitator"),
    )
    retrospective_pre = models.BooleanField(
        _("ask “looking back” at exit"),
        default=True,
        help_text=_(
            "At exit, participants also rate where they think they were before the lab "
            "(a retrospective pre-test)."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    name = Bilingual("name")

    class Meta:
        ordering = ["intake", "lab__order", "starts_on", "name_en"]
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")

    def __str__(self) -> str:
        return str(self.name)

    @property
    def ends_on(self) -> datetime.date:
        """The last day of the course: ``lab.weeks`` weeks after the first session."""
        return self.starts_on + datetime.timedelta(weeks=self.lab.weeks, days=-1)


class SessionMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")


class Session(models.Model):
    """One session of a cohort's course, with its bilingual materials."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(_("week"))
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200)
    starts_at = models.DateTimeField(_("date and time"))
    mode = models.CharField(
        _("how it runs"), max_length=16, choices=SessionMode.choices, default=SessionMode.IN_PERSON
    )
    place = models.CharField(_("place or joining details"), max_length=300, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    materials_en = models.TextField(_("materials (English)"), blank=True)
    materials_cy = models.TextField(_("materials (Welsh)"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    title = Bilingual("title")
    materials = Bilingual("materials")

    class Meta:
        ordering = ["cohort", "number"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="programme_session_week")
        ]

    def __str__(self) -> str:
        return f"{self.cohort}: {self.title}"


class SessionFile(models.Model):
    """A file handed out at a session (slides, a worksheet), in one language or both."""

    class Language(models.TextChoices):
        BOTH = "both", _("English and Welsh")
        ENGLISH = "en", pgettext_lazy("language of a file", "English")
        WELSH = "cy", pgettext_lazy("language of a file", "Welsh")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="files")
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(
        _("language"), max_length=4, choices=Language.choices, default=Language.BOTH
    )
    upload = models.FileField(upload_to="programme/materials/%Y/%m/", max_length=300)
    file_name = models.CharField(max_length=255)
    size_bytes = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.title


class Enrolment(models.Model):
    """A participant's place on a cohort."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        WITHDRAWN = "withdrawn", pgettext_lazy("enrolment", "Withdrawn")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="enrolments")
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrolments"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ENROLLED
    )
    enrolled_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["participant__body__name_en", "participant__last_name", "participant__pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cohort", "participant"], name="programme_one_place_per_cohort"
            )
        ]

    def __str__(self) -> str:
        return f"{self.participant} in {self.cohort}"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    LATE = "late", _("Late")
    EXCUSED = "excused", _("Excused absence")
    ABSENT = "absent", _("Absent")


#: Statuses that count as attending a session (late still took part).
ATTENDED = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.LATE})


class Attendance(models.Model):
    """Whether one participant attended one session, as the facilitator recorded it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendance")
    status = models.CharField(_("attendance"), max_length=8, choices=AttendanceStatus.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "enrolment"], name="programme_one_mark_per_session"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AttendanceStatus]),
                name="programme_attendance_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.session.number} {self.status}"


# --- Capability self-assessment -----------------------------------------------------------------


class CapabilityItem(models.Model):
    """One statement of an innovation skill or attitude, rated 1–5 (see ``capability.py``)."""

    class Kind(models.TextChoices):
        SKILL = "skill", _("Skill")
        ATTITUDE = "attitude", _("Attitude")

    key = models.SlugField(_("key"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.SKILL)
    text_en = models.TextField(_("statement (English)"))
    text_cy = models.TextField(_("statement (Welsh)"))
    source = models.TextField(
        _("source and rationale"),
        help_text=_("Where the item comes from and why it is asked."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("asked"), default=True)

    text = Bilingual("text")

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("capability item")
        verbose_name_plural = _("capability items")

    def __str__(self) -> str:
        return self.key


class Timing(models.TextChoices):
    ENTRY = "entry", _("At entry")
    EXIT = "exit", _("At exit")
    FOLLOW_UP = "follow_up", _("At follow-up")


class SelfAssessment(models.Model):
    """A participant's ratings of the capability items at one point of a cohort."""

    enrolment = models.ForeignKey(
        Enrolment, on_delete=models.CASCADE, related_name="self_assessments"
    )
    timing = models.CharField(_("when"), max_length=10, choices=Timing.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["enrolment", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "timing"], name="programme_one_assessment_per_timing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.timing}"


class SelfAssessmentAnswer(models.Model):
    """A rating of one item; ``before_score`` is the retrospective-pre rating given at exit."""

    assessment = models.ForeignKey(SelfAssessment, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(CapabilityItem, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("rating"))
    before_score = models.PositiveSmallIntegerField(_("rating looking back"), null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="programme_one_rating"),
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5)
                & (Q(before_score__isnull=True) | Q(before_score__gte=1, before_score__lte=5)),
                name="programme_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.item_id}={self.score}"


# --- Assignments: the labs' own outputs -----------------------------------------------------------


class Assignment(models.Model):
    """A piece of work a cohort's participants hand in: one kind of lab artefact."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    kind = models.CharField(_("kind of work"), max_length=40)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_cy = models.CharField(_("title (Welsh)"), max_length=200)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    title = Bilingual("title")

    class Meta:
        ordering = ["cohort", "order", "pk"]

    def __str__(self) -> str:
        return str(self.title)


class Submission(models.Model):
    """A participant's hand-in for an assignment: a link to the artefact itself."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Waiting for review")
        NEEDS_CHANGES = "needs_changes", _("Needs changes")
        ACCEPTED = "accepted", _("Accepted")

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="submissions")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="submissions")
    object_id = models.PositiveBigIntegerField()
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "enrolment"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "enrolment"], name="programme_one_submission"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enrolment}: {self.assignment}"


class SubmissionComment(models.Model):
    """A comment on a submission, by its facilitator or by the participant; kept, never edited."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField(_("comment"))
    verdict = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:40]


# --- Certificates -------------------------------------------------------------------------------


class Certificate(models.Model):
    """Proof that a participant completed a lab, checkable by anyone with its code."""

    enrolment = models.OneToOneField(
        Enrolment, on_delete=models.PROTECT, related_name="certificate"
    )
    code = models.CharField(_("verification code"), max_length=20, unique=True)
    #: The name as it was when issued, so the certificate says what was printed on it.
    name = models.CharField(_("name"), max_length=300)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return self.code

    @property
    def valid(self) -> bool:
        return self.revoked_at is None


# --- Funder reporting ---------------------------------------------------------------------------
#
# The fields follow the participant data of a European Social Fund (2014–2020) return: the
# common output indicators of Regulation (EU) No 1304/2013, Annex I (employment status, age,
# education by ISCED level, disability and minority status), as WEFO asked of ESF operations.


class EmploymentStatus(models.TextChoices):
    EMPLOYED_FULL_TIME = "employed_full_time", _("Employed full time")
    EMPLOYED_PART_TIME = "employed_part_time", _("Employed part time")
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_25 = "under_25", _("Under 25")
    AGE_25_34 = "25_34", _("25 to 34")
    AGE_35_44 = "35_44", _("35 to 44")
    AGE_45_54 = "45_54", _("45 to 54")
    OVER_54 = "55_plus", _("55 or over")


class EducationLevel(models.TextChoices):
    """ISCED 2011 levels, grouped as the ESF indicators group them."""

    ISCED_1_2 = "isced_1_2", _("Up to GCSE or equivalent (ISCED 1 to 2)")
    ISCED_3_4 = "isced_3_4", _("A level or equivalent (ISCED 3 to 4)")
    ISCED_5_8 = "isced_5_8", _("Higher education (ISCED 5 to 8)")


class ParticipantRecord(models.Model):
    """What a funder's return needs about one participant (no special-category data here)."""

    participant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="funder_record"
    )
    entry_date = models.DateField(_("entry date"))
    exit_date = models.DateField(_("exit date"), null=True, blank=True)
    employment_status = models.CharField(
        _("employment status"), max_length=24, choices=EmploymentStatus.choices
    )
    age_band = models.CharField(_("age band"), max_length=12, choices=AgeBand.choices)
    education_level = models.CharField(
        _("education level"), max_length=12, choices=EducationLevel.choices
    )
    job_title = models.CharField(_("job title or team"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.participant}"


class SpecialCategoryConsent(models.Model):
    """A participant's explicit consent to give special-category data (UK GDPR Article 9(2)(a)):
    who consented, who recorded it, when, and the exact wording they agreed to."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    wording = models.TextField(_("wording agreed to"))
    given_at = models.DateTimeField(_("given"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["-given_at", "-pk"]

    def __str__(self) -> str:
        return f"consent of participant {self.participant_id}"


class YesNoDeclined(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    DECLINED = "declined", _("Prefers not to say")


class Ethnicity(models.TextChoices):
    """The five high-level ethnic groups of the 2021 Census in England and Wales (ONS)."""

    ASIAN = "asian", _("Asian, Asian British or Asian Welsh")
    BLACK = "black", _("Black, Black British, Black Welsh, Caribbean or African")
    MIXED = "mixed", _("Mixed or multiple ethnic groups")
    WHITE = "white", _("White")
    OTHER = "other", _("Other ethnic group")
    DECLINED = "declined", _("Prefers not to say")


class SpecialCategoryRecord(models.Model):
    """Special-category data about a participant, kept only under a consent in force."""

    participant = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    consent = models.ForeignKey(SpecialCategoryConsent, on_delete=models.PROTECT, related_name="+")
    disability = models.CharField(
        _("disability or long-term health condition"), max_length=10, choices=YesNoDeclined.choices
    )
    ethnicity = models.CharField(_("ethnic group"), max_length=10, choices=Ethnicity.choices)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        # Never the answers: this may appear in logs and the audit trail.
        return f"special-category record of participant {self.participant_id}"
