"""Reads for the programme's pages and API, narrowed by the permission policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from infuse.accounts.models import Role, User
from infuse.accounts.policy import cohort_visible_filter
from infuse.lab_outputs import KINDS, ArtefactKind

from .models import (
    ATTENDED,
    Assignment,
    Attendance,
    CapabilityItem,
    Certificate,
    Cohort,
    Enrolment,
    Intake,
    SelfAssessment,
    SelfAssessmentAnswer,
    Session,
    SessionFile,
    Submission,
    Timing,
)
from .uplift import Uplift, grouped_uplift, paired_uplift, participant_pair, participant_uplift


def cohorts_visible_to(user: Any) -> QuerySet[Cohort]:
    visible = Cohort.objects.filter(cohort_visible_filter(user)).values("pk")
    return (
        Cohort.objects.filter(pk__in=visible)
        .select_related("intake", "lab", "facilitator")
        .annotate(
            participant_count=Count(
                "enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)
            )
        )
    )


def intakes_with_cohorts(user: Any) -> list[tuple[Intake, list[Cohort]]]:
    """The intakes ``user`` has a cohort in (every intake for overseers), newest first."""
    grouped: dict[int, list[Cohort]] = {}
    for cohort in cohorts_visible_to(user):
        grouped.setdefault(cohort.intake_id, []).append(cohort)
    intakes = Intake.objects.filter(pk__in=grouped)
    return [(intake, grouped[intake.pk]) for intake in intakes]


def cohort_for(user: Any, cohort_id: int) -> Cohort | None:
    return cohorts_visible_to(user).filter(pk=cohort_id).first()


def session_for(user: Any, session_id: int) -> Session | None:
    session = (
        Session.objects.filter(pk=session_id)
        .select_related("cohort__lab", "cohort__intake", "facilitator")
        .first()
    )
    if session is None or cohort_for(user, session.cohort_id) is None:
        return None
    return session


def session_file_for(user: Any, file_id: int) -> SessionFile | None:
    handout = SessionFile.objects.filter(pk=file_id).select_related("session").first()
    if handout is None or cohort_for(user, handout.session.cohort_id) is None:
        return None
    return handout


def enrolments_of(cohort: Cohort) -> QuerySet[Enrolment]:
    return cohort.enrolments.select_related("participant__body")


def participants_to_enrol(cohort: Cohort) -> QuerySet[User]:
    """Active participants of any body who are not yet enrolled on ``cohort``."""
    enrolled = Enrolment.objects.filter(cohort=cohort, status=Enrolment.Status.ENROLLED).values(
        "participant_id"
    )
    return (
        User.objects.filter(role=Role.PARTICIPANT, is_active=True, body__isnull=False)
        .exclude(pk__in=enrolled)
        .select_related("body")
        .order_by("body__name_en", "last_name", "first_name", "username")
    )


def facilitators() -> QuerySet[User]:
    return User.objects.filter(
        role__in=[Role.FACILITATOR, Role.PROGRAMME_MANAGER], body__isnull=True, is_active=True
    ).order_by("last_name", "first_name", "username")


@dataclass
class SheetRow:
    enrolment: Enrolment
    status: str


def attendance_sheet(session: Session) -> list[SheetRow]:
    """Every participant enrolled on the session's cohort with what was recorded (or "")."""
    marks = dict(Attendance.objects.filter(session=session).values_list("enrolment_id", "status"))
    return [
        SheetRow(enrolment=e, status=marks.get(e.pk, ""))
        for e in enrolments_of(session.cohort).filter(status=Enrolment.Status.ENROLLED)
    ]


@dataclass
class AttendanceLine:
    enrolment: Enrolment
    attended: int
    recorded: int
    counts: dict[str, int]

    @property
    def rate_per_cent(self) -> int | None:
        return round(100 * self.attended / self.recorded) if self.recorded else None


def attendance_summary(cohort: Cohort) -> list[AttendanceLine]:
    """Per participant: sessions attended (present or late) of the sessions recorded."""
    counts: dict[int, dict[str, int]] = {}
    for enrolment_id, status, n in (
        Attendance.objects.filter(session__cohort=cohort)
        .values_list("enrolment_id", "status")
        .annotate(n=Count("pk"))
    ):
        counts.setdefault(enrolment_id, {})[status] = n
    lines = []
    for enrolment in enrolments_of(cohort):
        mine = counts.get(enrolment.pk, {})
        lines.append(
            AttendanceLine(
                enrolment=enrolment,
                attended=sum(n for s, n in mine.items() if s in ATTENDED),
                recorded=sum(mine.values()),
                counts=mine,
            )
        )
    return lines


def session_counts(cohort: Cohort) -> dict[int, dict[str, int]]:
    """For each session of ``cohort``: how many were marked with each status."""
    result: dict[int, dict[str, int]] = {}
    for session_id, status, n in (
        Attendance.objects.filter(session__cohort=cohort)
        .values_list("session_id", "status")
        .annotate(n=Count("pk"))
    ):
        result.setdefault(session_id, {})[status] = n
    return result


# --- Capability -------------------------------------------------------------------------------


def items_to_rate() -> QuerySet[CapabilityItem]:
    return CapabilityItem.objects.filter(active=True)


def own_enrolment(user: Any, cohort: Cohort) -> Enrolment | None:
    """``user``'s place on ``cohort``, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return cohort.enrolments.filter(participant_id=user.pk).first()


def assessments_of(enrolment: Enrolment) -> dict[str, SelfAssessment]:
    return {a.timing: a for a in enrolment.self_assessments.all()}


def ratings_of(assessment: SelfAssessment | None) -> tuple[dict[int, int], dict[int, int]]:
    """The ratings of an assessment by item id, and the "looking back" ratings."""
    if assessment is None:
        return {}, {}
    answers = list(assessment.answers.all())
    return (
        {a.item_id: a.score for a in answers},
        {a.item_id: a.before_score for a in answers if a.before_score is not None},
    )


#: The comparisons the uplift report offers: (key, before, after).
COMPARISONS: dict[str, tuple[str, str]] = {
    "entry-exit": (Timing.ENTRY, Timing.EXIT),
    "lookback-exit": ("lookback", Timing.EXIT),
    "entry-follow_up": (Timing.ENTRY, Timing.FOLLOW_UP),
}


@dataclass
class UpliftUnit:
    """One participant on one cohort, with their (before, after) mean ratings."""

    enrolment: Enrolment
    pair: tuple[float, float]
    detail: Uplift | None


def uplift_units(cohorts: Any, comparison: str) -> list[UpliftUnit]:
    """Every enrolment on ``cohorts`` with ratings at both points of ``comparison``."""
    before_key, after_key = COMPARISONS[comparison]
    ratings: dict[tuple[int, str], dict[str, int | None]] = {}
    answers = SelfAssessmentAnswer.objects.filter(
        assessment__enrolment__cohort__in=cohorts
    ).values_list(
        "assessment__enrolment_id", "assessment__timing", "item__key", "score", "before_score"
    )
    for enrolment_id, timing, key, score, looking_back in answers:
        ratings.setdefault((enrolment_id, timing), {})[key] = score
        if timing == Timing.EXIT:
            ratings.setdefault((enrolment_id, "lookback"), {})[key] = looking_back
    enrolments = Enrolment.objects.filter(cohort__in=cohorts).select_related(
        "participant__body", "cohort__lab"
    )
    units = []
    for enrolment in enrolments:
        before = ratings.get((enrolment.pk, before_key), {})
        after = ratings.get((enrolment.pk, after_key), {})
        pair = participant_pair(before, after)
        if pair is not None:
            units.append(UpliftUnit(enrolment, pair, participant_uplift(before, after)))
    return units


@dataclass
class UpliftRow:
    label: str
    uplift: Uplift


@dataclass
class UpliftReport:
    comparison: str
    overall: Uplift | None
    by_lab: list[UpliftRow]
    by_cohort: list[UpliftRow]
    by_body: list[UpliftRow]
    units: list[UpliftUnit]
    responses: dict[str, int]


def _rows(units: list[UpliftUnit], label: Any) -> list[UpliftRow]:
    grouped = grouped_uplift((label(u.enrolment), u.pair) for u in units)
    return [UpliftRow(name, uplift) for name, uplift in sorted(grouped.items())]


def uplift_report(user: Any, comparison: str = "entry-exit") -> UpliftReport:
    """Uplift over the cohorts ``user`` may see, overall and by lab, cohort and authority."""
    cohorts = cohorts_visible_to(user)
    units = uplift_units(cohorts.values("pk"), comparison)
    responses = dict(
        SelfAssessment.objects.filter(enrolment__cohort__in=cohorts)
        .values_list("timing")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return UpliftReport(
        comparison=comparison,
        overall=paired_uplift([u.pair for u in units]),
        by_lab=_rows(units, lambda e: str(e.cohort.lab.name)),
        by_cohort=_rows(units, lambda e: str(e.cohort.name)),
        by_body=_rows(units, lambda e: str(e.participant.body.name)),
        units=sorted(
            units, key=lambda u: (str(u.enrolment.cohort.name), u.enrolment.participant.last_name)
        ),
        responses=responses,
    )


# --- Assignments and progress ---------------------------------------------------------------------


def kind_of(assignment: Assignment) -> ArtefactKind | None:
    return KINDS.get(assignment.kind)


def assignment_for(user: Any, assignment_id: int) -> Assignment | None:
    assignment = Assignment.objects.filter(pk=assignment_id).first()
    if assignment is None or cohort_for(user, assignment.cohort_id) is None:
        return None
    return assignment


def candidates_for(user: Any, assignment: Assignment, limit: int = 50) -> list[tuple[int, str]]:
    """Artefacts of the assignment's kind that ``user`` may see: (id, description), newest
    first, their own body's first."""
    kind = kind_of(assignment)
    if kind is None:
        return []
    found = list(kind.visible_to(user).order_by("-pk")[:limit])
    body_id = getattr(user, "body_id", None)
    found.sort(key=lambda obj: kind.owned_record(obj).owner_body_id != body_id)
    return [(obj.pk, kind.describe(obj)) for obj in found]


def submission_for(user: Any, submission_id: int) -> Submission | None:
    """A submission for the participant who made it and for those who may run its cohort."""
    from infuse.accounts.policy import can_run_cohort

    submission = (
        Submission.objects.filter(pk=submission_id)
        .select_related("assignment__cohort__lab", "enrolment__participant__body")
        .first()
    )
    if submission is None:
        return None
    own = getattr(user, "pk", None) == submission.enrolment.participant_id
    if own or can_run_cohort(user, submission.assignment.cohort):
        return submission
    return None


@dataclass
class LinkedArtefact:
    kind: ArtefactKind
    description: str
    url: str
    reviewer_may_open: bool


def artefact_of(submission: Submission, viewer: Any) -> LinkedArtefact | None:
    """The artefact a submission links, described as its owner sees it; whether ``viewer``
    may open it follows the artefact's own record rule."""
    kind = kind_of(submission.assignment)
    if kind is None:
        return None
    owner_view = kind.find(submission.enrolment.participant, submission.object_id)
    if owner_view is None:
        return None
    return LinkedArtefact(
        kind=kind,
        description=kind.describe(owner_view),
        url=kind.url(owner_view),
        reviewer_may_open=kind.find(viewer, submission.object_id) is not None,
    )


@dataclass
class ProgressLine:
    enrolment: Enrolment
    accepted: int
    submitted: int
    assignments: int
    attended: int
    sessions_recorded: int

    @property
    def complete(self) -> bool:
        return self.assignments > 0 and self.accepted == self.assignments


@dataclass
class ProgressGroup:
    label: str
    participants: int = 0
    complete: int = 0
    accepted: int = 0
    assignments: int = 0

    @property
    def completion_per_cent(self) -> int:
        return round(100 * self.complete / self.participants) if self.participants else 0


def progress_lines(cohorts: Any) -> list[ProgressLine]:
    """Each enrolled participant's assignments accepted and sessions attended."""
    assignment_counts = dict(
        Assignment.objects.filter(cohort__in=cohorts)
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    statuses: dict[int, dict[str, int]] = {}
    for enrolment_id, status, n in (
        Submission.objects.filter(enrolment__cohort__in=cohorts)
        .values_list("enrolment_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        statuses.setdefault(enrolment_id, {})[status] = n
    attendance: dict[int, dict[str, int]] = {}
    for enrolment_id, status, n in (
        Attendance.objects.filter(enrolment__cohort__in=cohorts)
        .values_list("enrolment_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        attendance.setdefault(enrolment_id, {})[status] = n
    lines = []
    for enrolment in (
        Enrolment.objects.filter(cohort__in=cohorts, status=Enrolment.Status.ENROLLED)
        .select_related("participant__body", "cohort__lab")
        .order_by("cohort__starts_on", "participant__body__name_en", "participant__last_name")
    ):
        mine = statuses.get(enrolment.pk, {})
        marks = attendance.get(enrolment.pk, {})
        lines.append(
            ProgressLine(
                enrolment=enrolment,
                accepted=mine.get(Submission.Status.ACCEPTED, 0),
                submitted=sum(mine.values()),
                assignments=assignment_counts.get(enrolment.cohort_id, 0),
                attended=sum(n for status, n in marks.items() if status in ATTENDED),
                sessions_recorded=sum(marks.values()),
            )
        )
    return lines


def progress_by(lines: list[ProgressLine], label: Any) -> list[ProgressGroup]:
    groups: dict[str, ProgressGroup] = {}
    for line in lines:
        name = str(label(line.enrolment))
        group = groups.setdefault(name, ProgressGroup(label=name))
        group.participants += 1
        group.complete += int(line.complete)
        group.accepted += line.accepted
        group.assignments += line.assignments
    return [groups[name] for name in sorted(groups)]


@dataclass
class ProgressReport:
    lines: list[ProgressLine]
    by_body: list[ProgressGroup]
    by_lab: list[ProgressGroup]


def progress_report(user: Any) -> ProgressReport:
    """Completion and progress over the cohorts ``user`` may see, per participant, per
    authority and per lab. A participant completes a lab when every assignment is accepted."""
    lines = progress_lines(cohorts_visible_to(user).values("pk"))
    return ProgressReport(
        lines=lines,
        by_body=progress_by(lines, lambda e: e.participant.body.name),
        by_lab=progress_by(lines, lambda e: e.cohort.lab.name),
    )


def own_submissions(enrolment: Enrolment) -> dict[int, Submission]:
    return {s.assignment_id: s for s in enrolment.submissions.all()}


def assignment_counts(cohort: Cohort) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = {}
    for assignment_id, status, n in (
        Submission.objects.filter(assignment__cohort=cohort)
        .values_list("assignment_id", "status")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result.setdefault(assignment_id, {})[status] = n
    return result


# --- Certificates ---------------------------------------------------------------------------------


def normalised_code(code: str) -> str:
    """A typed code tidied: upper case, spaces removed, ``INF-`` and hyphens put back."""
    raw = "".join(ch for ch in (code or "").upper() if ch.isalnum())
    raw = raw.removeprefix("INF")
    if len(raw) != 12:
        return ""
    return "INF-" + "-".join(raw[i : i + 4] for i in range(0, 12, 4))


def certificate_by_code(code: str) -> Certificate | None:
    normal = normalised_code(code)
    if not normal:
        return None
    return (
        Certificate.objects.filter(code=normal)
        .select_related("enrolment__cohort__lab", "enrolment__cohort__intake")
        .first()
    )


def certificate_for(user: Any, certificate_id: int) -> Certificate | None:
    """A certificate for its holder and for those who may run the cohort."""
    from infuse.accounts.policy import can_run_cohort

    certificate = (
        Certificate.objects.filter(pk=certificate_id)
        .select_related("enrolment__cohort__lab", "enrolment__participant__body")
        .first()
    )
    if certificate is None:
        return None
    own = getattr(user, "pk", None) == certificate.enrolment.participant_id
    if own or can_run_cohort(user, certificate.enrolment.cohort):
        return certificate
    return None


def certificates_of(cohort: Cohort) -> dict[int, Certificate]:
    """The certificates of a cohort by enrolment id."""
    return {c.enrolment_id: c for c in Certificate.objects.filter(enrolment__cohort=cohort)}


# --- A summary for the command line and the API ---------------------------------------------------


def _uplift_dict(uplift: Uplift | None) -> dict[str, Any] | None:
    if uplift is None:
        return None
    return {
        "n": uplift.n,
        "mean_before": round(uplift.mean_before, 4),
        "mean_after": round(uplift.mean_after, 4),
        "mean_change": round(uplift.mean_change, 4),
        "ci95_low": None if uplift.low is None else round(uplift.low, 4),
        "ci95_high": None if uplift.high is None else round(uplift.high, 4),
    }


def uplift_summary(cohorts: Any, comparison: str = "entry-exit") -> dict[str, Any]:
    """Uplift over ``cohorts`` (a query of cohort ids) as plain data."""
    units = uplift_units(cohorts, comparison)
    return {
        "comparison": comparison,
        "method": "mean paired difference, 95 per cent t interval (docs/programme/capability.md)",
        "overall": _uplift_dict(paired_uplift([u.pair for u in units])),
        "by_lab": {
            r.label: _uplift_dict(r.uplift) for r in _rows(units, lambda e: e.cohort.lab.name_en)
        },
        "by_cohort": {
            r.label: _uplift_dict(r.uplift) for r in _rows(units, lambda e: e.cohort.name_en)
        },
        "by_body": {
            r.label: _uplift_dict(r.uplift)
            for r in _rows(units, lambda e: e.participant.body.name_en)
        },
    }


def progress_summary(cohorts: Any) -> dict[str, Any]:
    """Participation and completion over ``cohorts`` as plain data, by lab and by body."""
    lines = progress_lines(cohorts)

    def groups(label: Any) -> dict[str, dict[str, int]]:
        return {
            g.label: {
                "participants": g.participants,
                "completed": g.complete,
                "completion_per_cent": g.completion_per_cent,
                "assignments_accepted": g.accepted,
                "assignments": g.assignments,
            }
            for g in progress_by(lines, label)
        }

    return {
        "participants": len(lines),
        "completed": sum(line.complete for line in lines),
        "by_lab": groups(lambda e: e.cohort.lab.name_en),
        "by_body": groups(lambda e: e.participant.body.name_en),
    }


def programme_summary(cohorts: Any) -> dict[str, Any]:
    """Participation, completion and uplift over ``cohorts`` (the CLI passes every cohort)."""
    return {
        "cohorts": Cohort.objects.filter(pk__in=cohorts).count(),
        "progress": progress_summary(cohorts),
        "uplift": uplift_summary(cohorts),
    }


# --- Funder reporting -----------------------------------------------------------------------------

FUNDER_COLUMNS = [
    "username",
    "name",
    "organisation",
    "organisation_code",
    "job_title",
    "entry_date",
    "exit_date",
    "employment_status",
    "age_band",
    "education_level",
    "labs_enrolled",
    "labs_completed",
    "sessions_attended",
]
SPECIAL_COLUMNS = ["disability", "ethnicity", "consent_given_at"]


def funder_rows(
    date_from: Any, date_to: Any, *, include_special: bool = False
) -> list[dict[str, Any]]:
    """One row per participant whose entry to exit overlaps the period. Special-category
    columns are added only when ``include_special`` (the caller checks the policy)."""
    from .models import ParticipantRecord, SpecialCategoryRecord

    records = (
        ParticipantRecord.objects.filter(entry_date__lte=date_to)
        .filter(Q(exit_date__isnull=True) | Q(exit_date__gte=date_from))
        .select_related("participant__body")
        .order_by("participant__body__name_en", "participant__last_name", "participant__pk")
    )
    people = [r.participant_id for r in records]
    lines = progress_lines(
        Cohort.objects.filter(enrolments__participant_id__in=people).values("pk")
    )
    per_person: dict[int, list[ProgressLine]] = {}
    for line in lines:
        per_person.setdefault(line.enrolment.participant_id, []).append(line)
    special = (
        {
            s.participant_id: s
            for s in SpecialCategoryRecord.objects.filter(
                participant_id__in=people, consent__withdrawn_at__isnull=True
            ).select_related("consent")
        }
        if include_special
        else {}
    )
    rows = []
    for record in records:
        person = record.participant
        mine = per_person.get(person.pk, [])
        row: dict[str, Any] = {
            "username": person.username,
            "name": person.display_name,
            "organisation": person.body.name_en if person.body else "",
            "organisation_code": person.body.code if person.body else "",
            "job_title": record.job_title,
            "entry_date": record.entry_date,
            "exit_date": record.exit_date,
            "employment_status": record.employment_status,
            "age_band": record.age_band,
            "education_level": record.education_level,
            "labs_enrolled": "; ".join(
                sorted({line.enrolment.cohort.lab.name_en for line in mine})
            ),
            "labs_completed": "; ".join(
                sorted({line.enrolment.cohort.lab.name_en for line in mine if line.complete})
            ),
            "sessions_attended": sum(line.attended for line in mine),
        }
        if include_special:
            answers = special.get(person.pk)
            row["disability"] = answers.disability if answers else ""
            row["ethnicity"] = answers.ethnicity if answers else ""
            row["consent_given_at"] = answers.consent.given_at if answers else ""
        rows.append(row)
    return rows


def consent_in_force(participant: Any) -> Any:
    """The participant's special-category consent that has not been withdrawn, if any."""
    from .models import SpecialCategoryConsent

    return SpecialCategoryConsent.objects.filter(
        participant=participant, withdrawn_at__isnull=True
    ).first()
