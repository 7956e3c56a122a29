"""Reads for the programme's pages and API, narrowed by the permission policy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from infuse.accounts.models import Role, User
from infuse.accounts.policy import cohort_visible_filter

from .models import ATTENDED, Attendance, Cohort, Enrolment, Intake, Session, SessionFile


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
