"""Every write of the programme: one audited function per use case.

Each takes the acting user (``None`` is Infuse itself, for the demo), checks the permission
policy, writes in one transaction and records an audit entry. Intakes and cohorts are set up by
programme managers; a cohort's facilitators run it (sessions, materials, enrolment, attendance).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.models import Role, User
from infuse.accounts.policy import (
    Action,
    can,
    can_run_cohort,
    may_see_special_category,
    programme_overseer,
    recorded_user,
)
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError
from infuse.lab_outputs import KINDS

from .artefacts import DEFAULT_ASSIGNMENTS
from .capability import DEFAULT_ITEMS
from .models import (
    Assignment,
    Attendance,
    AttendanceStatus,
    CapabilityItem,
    Certificate,
    Cohort,
    Enrolment,
    Ethnicity,
    Intake,
    ParticipantRecord,
    SelfAssessment,
    SelfAssessmentAnswer,
    Session,
    SessionFile,
    SessionMode,
    SpecialCategoryConsent,
    SpecialCategoryRecord,
    Submission,
    SubmissionComment,
    Timing,
    YesNoDeclined,
)
from .selectors import consent_in_force

SESSION_FIELDS = (
    "title_en",
    "title_cy",
    "starts_at",
    "mode",
    "place",
    "facilitator",
    "materials_en",
    "materials_cy",
)
#: Files a facilitator may hand out: documents, slides, spreadsheets, images and text.
MATERIAL_EXTENSIONS = frozenset(
    {".pdf", ".docx", ".pptx", ".xlsx", ".odt", ".odp", ".ods", ".txt", ".csv", ".png", ".jpg"}
)
MATERIAL_MAX_BYTES = 20 * 1024 * 1024
DEFAULT_SESSION_TIME = datetime.time(10, 0)


class ProgrammeError(UserFacingError):
    """A refused programme request, with the reason in the user's language."""


def _require_overseer(actor: Any) -> None:
    if actor is not None and not programme_overseer(actor):
        raise PermissionDenied


def _require_runner(actor: Any, cohort: Cohort) -> None:
    if actor is not None and not can_run_cohort(actor, cohort):
        raise PermissionDenied


def _check_facilitator(user: Any) -> None:
    if not (
        isinstance(user, User)
        and user.is_active
        and user.body_id is None
        and user.role in (Role.FACILITATOR, Role.PROGRAMME_MANAGER)
    ):
        raise ProgrammeError(_("Choose a lab facilitator from the delivery team."))


def _names(name_en: str, name_cy: str) -> tuple[str, str]:
    name_en, name_cy = name_en.strip(), name_cy.strip()
    if not name_en or not name_cy:
        raise ProgrammeError(_("Enter the name in English and in Welsh."))
    return name_en, name_cy


@audited
@transaction.atomic
def intake_create(*, actor: Any, name_en: str, name_cy: str, starts_on: datetime.date) -> Intake:
    """A new round of the programme."""
    _require_overseer(actor)
    name_en, name_cy = _names(name_en, name_cy)
    intake = Intake.objects.create(
        name_en=name_en, name_cy=name_cy, starts_on=starts_on, created_by=recorded_user(actor)
    )
    audit_record(
        actor=actor,
        action="programme.intake_created",
        target=intake,
        after=snapshot(intake, ("name_en", "name_cy", "starts_on")),
    )
    return intake


@audited
@transaction.atomic
def cohort_create(
    *,
    actor: Any,
    intake: Intake,
    lab: Any,
    name_en: str,
    name_cy: str,
    starts_on: datetime.date,
    facilitator: Any,
    mode: str = SessionMode.IN_PERSON,
    session_time: datetime.time = DEFAULT_SESSION_TIME,
) -> Cohort:
    """A cohort running ``lab`` from ``starts_on``, with one session a week for the lab's
    weeks (six for each of the three labs), each led by ``facilitator`` until changed."""
    _require_overseer(actor)
    name_en, name_cy = _names(name_en, name_cy)
    _check_facilitator(facilitator)
    if mode not in SessionMode.values:
        raise ProgrammeError(_("Choose in person or online."))
    if not CapabilityItem.objects.exists():
        # A cohort's participants rate their capability; start from the default items.
        _seed_items(actor)
    cohort = Cohort.objects.create(
        intake=intake,
        lab=lab,
        name_en=name_en,
        name_cy=name_cy,
        starts_on=starts_on,
        facilitator=facilitator,
    )
    zone = timezone.get_current_timezone()
    for week in range(1, lab.weeks + 1):
        day = starts_on + datetime.timedelta(weeks=week - 1)
        Session.objects.create(
            cohort=cohort,
            number=week,
            title_en=f"Week {week}",
            title_cy=f"Wythnos {week}",
            starts_at=datetime.datetime.combine(day, session_time, tzinfo=zone),
            mode=mode,
            facilitator=facilitator,
        )
    for order, (kind, title_en, title_cy) in enumerate(
        DEFAULT_ASSIGNMENTS.get(lab.slug, ()), start=1
    ):
        Assignment.objects.create(
            cohort=cohort,
            kind=kind,
            title_en=title_en,
            title_cy=title_cy,
            due_on=cohort.ends_on,
            order=order,
        )
    audit_record(
        actor=actor,
        action="programme.cohort_created",
        target=cohort,
        after={
            **(snapshot(cohort, ("intake", "lab", "name_en", "name_cy", "starts_on")) or {}),
            "facilitator": facilitator.pk,
            "sessions": lab.weeks,
        },
    )
    return cohort


@audited
@transaction.atomic
def session_update(*, actor: Any, session: Session, values: Mapping[str, Any]) -> Session:
    """Change a session's title, date, mode, place, facilitator or materials."""
    _require_runner(actor, session.cohort)
    before = snapshot(session, SESSION_FIELDS)
    for name in SESSION_FIELDS:
        if name not in values:
            continue
        value = values[name]
        setattr(session, name, value.strip() if isinstance(value, str) else value)
    if not session.title_en or not session.title_cy:
        raise ProgrammeError(_("Enter the title in English and in Welsh."))
    if session.mode not in SessionMode.values:
        raise ProgrammeError(_("Choose in person or online."))
    if "facilitator" in values:
        _check_facilitator(values["facilitator"])
    for name in ("materials_en", "materials_cy"):
        if len(getattr(session, name)) > 20000:
            raise ProgrammeError(_("Keep the materials to 20,000 characters or fewer."))
    session.save()
    audit_record(
        actor=actor,
        action="programme.session_updated",
        target=session,
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@audited
@transaction.atomic
def session_file_add(
    *, actor: Any, session: Session, title: str, language: str, file_name: str, content: bytes
) -> SessionFile:
    """Hand out a file at ``session``. Only common document, slide, sheet and image types."""
    _require_runner(actor, session.cohort)
    title = title.strip()
    if not title:
        raise ProgrammeError(_("Enter a title for the file."))
    if language not in SessionFile.Language.values:
        raise ProgrammeError(_("Choose the language of the file."))
    name = PurePath(file_name or "").name
    if PurePath(name).suffix.lower() not in MATERIAL_EXTENSIONS:
        raise ProgrammeError(
            _("The file must be one of: %(kinds)s.")
            % {"kinds": ", ".join(sorted(MATERIAL_EXTENSIONS))}
        )
    if not content:
        raise ProgrammeError(_("The file is empty."))
    if len(content) > MATERIAL_MAX_BYTES:
        raise ProgrammeError(_("The file must be smaller than 20 MB."))
    handout = SessionFile(
        session=session,
        title=title,
        language=language,
        file_name=name,
        size_bytes=len(content),
        uploaded_by=recorded_user(actor),
    )
    handout.upload.save(name, ContentFile(content), save=False)
    handout.save()
    audit_record(
        actor=actor,
        action="programme.session_file_added",
        target=handout,
        after={"session": session.pk, "title": title, "file_name": name, "bytes": len(content)},
    )
    return handout


@audited
@transaction.atomic
def enrol(*, actor: Any, cohort: Cohort, participants: Iterable[Any]) -> list[Enrolment]:
    """Give each of ``participants`` a place on ``cohort`` (a withdrawn place is restored).

    Only active participants who belong to a body may take part.
    """
    _require_runner(actor, cohort)
    made = []
    for person in participants:
        if not (
            isinstance(person, User)
            and person.is_active
            and person.role == Role.PARTICIPANT
            and person.body_id is not None
        ):
            raise ProgrammeError(
                _("%(name)s is not a participant of a public body.") % {"name": str(person)}
            )
        enrolment, created = Enrolment.objects.get_or_create(cohort=cohort, participant=person)
        if not created and enrolment.status == Enrolment.Status.ENROLLED:
            continue
        if not created:
            enrolment.status = Enrolment.Status.ENROLLED
            enrolment.save(update_fields=["status"])
        made.append(enrolment)
    if made:
        audit_record(
            actor=actor,
            action="programme.enrolled",
            target=cohort,
            after={"participants": [e.participant_id for e in made]},
        )
    return made


@audited
@transaction.atomic
def enrolment_withdraw(*, actor: Any, enrolment: Enrolment) -> Enrolment:
    """Mark a participant as withdrawn from a cohort; their attendance is kept."""
    _require_runner(actor, enrolment.cohort)
    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action="programme.withdrawn",
        target=enrolment,
        after={"status": enrolment.status},
    )
    return enrolment


@audited
@transaction.atomic
def attendance_record(
    *, actor: Any, session: Session, marks: Mapping[int, str]
) -> list[Attendance]:
    """Record attendance for the whole of ``session`` at once: ``marks`` maps enrolment ids to
    present, late, excused or absent. Marks for people not enrolled on the cohort are refused;
    a participant left out keeps what was recorded before."""
    _require_runner(actor, session.cohort)
    enrolments = {e.pk: e for e in Enrolment.objects.filter(cohort_id=session.cohort_id)}
    for enrolment_id, status in marks.items():
        if enrolment_id not in enrolments:
            raise ProgrammeError(_("Someone in the list is not on this cohort."))
        if status not in AttendanceStatus.values:
            raise ProgrammeError(_("Choose present, late, excused or absent for each person."))
    existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
    before = {str(k): a.status for k, a in existing.items()}
    saved = []
    who = recorded_user(actor)
    for enrolment_id, status in marks.items():
        mark = existing.get(enrolment_id)
        if mark is None:
            mark = Attendance.objects.create(
                session=session, enrolment_id=enrolment_id, status=status, recorded_by=who
            )
        elif mark.status != status:
            mark.status = status
            mark.recorded_by = who
            mark.save(update_fields=["status", "recorded_by", "recorded_at"])
        saved.append(mark)
    audit_record(
        actor=actor,
        action="programme.attendance_recorded",
        target=session,
        before=before or None,
        after={str(k): v for k, v in marks.items()},
    )
    return saved


# --- Capability self-assessment -----------------------------------------------------------------

ITEM_FIELDS = ("key", "kind", "text_en", "text_cy", "source", "order", "active")


def _seed_items(actor: Any) -> list[CapabilityItem]:
    have = set(CapabilityItem.objects.values_list("key", flat=True))
    made = [
        CapabilityItem.objects.create(
            key=key, kind=kind, text_en=text_en, text_cy=text_cy, source=source, order=order
        )
        for order, (key, kind, text_en, text_cy, source) in enumerate(DEFAULT_ITEMS, start=1)
        if key not in have
    ]
    if made:
        audit_record(
            actor=actor,
            action="programme.capability_items_seeded",
            target_type="programme.capabilityitem",
            target_label="default capability items",
            after={"keys": [item.key for item in made]},
        )
    return made


@audited
@transaction.atomic
def capability_items_seed(*, actor: Any) -> list[CapabilityItem]:
    """Add any of the default capability items that are missing (sources in ``capability``)."""
    _require_overseer(actor)
    return _seed_items(actor)


@audited
@transaction.atomic
def capability_item_save(
    *, actor: Any, values: Mapping[str, Any], item: CapabilityItem | None = None
) -> CapabilityItem:
    """Add a capability item or change one. Retiring (``active`` false) keeps past answers."""
    _require_overseer(actor)
    before = snapshot(item, ITEM_FIELDS)
    item = item or CapabilityItem()
    for name in ITEM_FIELDS:
        if name in values:
            value = values[name]
            setattr(item, name, value.strip() if isinstance(value, str) else value)
    if not item.text_en or not item.text_cy:
        raise ProgrammeError(_("Enter the statement in English and in Welsh."))
    if not item.source:
        raise ProgrammeError(_("Say where the item comes from and why it is asked."))
    clash = CapabilityItem.objects.filter(key=item.key).exclude(pk=item.pk).exists()
    if not item.key or clash:
        raise ProgrammeError(_("Choose a short key that no other item uses."))
    item.save()
    audit_record(
        actor=actor,
        action="programme.capability_item_saved",
        target=item,
        before=before,
        after=snapshot(item, ITEM_FIELDS),
    )
    return item


def _rating(value: Any) -> int:
    try:
        rating = int(value)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise ProgrammeError(_("Choose a rating from 1 to 5 for every statement."))
    return rating


@audited
@transaction.atomic
def self_assessment_save(
    *,
    actor: Any,
    enrolment: Enrolment,
    timing: str,
    scores: Mapping[int, Any],
    before_scores: Mapping[int, Any] | None = None,
) -> SelfAssessment:
    """A participant rates every active item at entry, exit or follow-up (saving again replaces
    the ratings). At exit, when the cohort asks it, each item is also rated "looking back"."""
    if actor is not None and actor.pk != enrolment.participant_id:
        raise PermissionDenied
    if timing not in Timing.values:
        raise ProgrammeError(_("Choose entry, exit or follow-up."))
    items = list(CapabilityItem.objects.filter(active=True))
    if not items:
        raise ProgrammeError(_("There are no statements to rate yet."))
    looking_back = timing == Timing.EXIT and enrolment.cohort.retrospective_pre
    ratings = {item.pk: _rating(scores.get(item.pk)) for item in items}
    before = (
        {item.pk: _rating((before_scores or {}).get(item.pk)) for item in items}
        if looking_back
        else {}
    )
    assessment, _created = SelfAssessment.objects.get_or_create(enrolment=enrolment, timing=timing)
    assessment.answers.all().delete()
    SelfAssessmentAnswer.objects.bulk_create(
        SelfAssessmentAnswer(
            assessment=assessment,
            item_id=item_id,
            score=rating,
            before_score=before.get(item_id),
        )
        for item_id, rating in ratings.items()
    )
    assessment.save(update_fields=["updated_at"])
    audit_record(
        actor=actor,
        action="programme.self_assessment_saved",
        target=assessment,
        after={"timing": timing, "scores": ratings, "looking_back": before or None},
    )
    return assessment


# --- Assignments ------------------------------------------------------------------------------


@audited
@transaction.atomic
def assignment_submit(
    *, actor: Any, assignment: Assignment, enrolment: Enrolment, object_id: int, note: str = ""
) -> Submission:
    """Hand in the artefact ``object_id`` for ``assignment``. Only the participant themselves,
    and only an artefact of the assignment's kind that they may see. Handing in again replaces
    the link and asks for another review."""
    if actor is not None and actor.pk != enrolment.participant_id:
        raise PermissionDenied
    if enrolment.cohort_id != assignment.cohort_id:
        raise ProgrammeError(_("This assignment belongs to another cohort."))
    kind = KINDS.get(assignment.kind)
    if kind is None:
        raise ProgrammeError(_("This kind of work cannot be handed in yet."))
    viewer = actor if actor is not None else enrolment.participant
    artefact = kind.find(viewer, object_id)
    if artefact is None or not can(viewer, Action.VIEW, kind.owned_record(artefact)):
        raise ProgrammeError(_("Choose a piece of work you can open."))
    note = note.strip()
    if len(note) > 4000:
        raise ProgrammeError(_("Keep the comment to 4,000 characters or fewer."))
    submission = Submission.objects.filter(assignment=assignment, enrolment=enrolment).first()
    before = snapshot(submission, ("object_id", "status"))
    if submission is None:
        submission = Submission(assignment=assignment, enrolment=enrolment)
    submission.object_id = object_id
    submission.status = Submission.Status.SUBMITTED
    submission.reviewed_by = None
    submission.reviewed_at = None
    submission.save()
    if note:
        SubmissionComment.objects.create(
            submission=submission, author=recorded_user(actor), text=note
        )
    audit_record(
        actor=actor,
        action="programme.submitted",
        target=submission,
        before=before,
        after={"kind": kind.key, "object_id": object_id, "status": submission.status},
    )
    return submission


@audited
@transaction.atomic
def submission_review(
    *, actor: Any, submission: Submission, verdict: str, text: str
) -> SubmissionComment:
    """A facilitator of the cohort accepts a submission or asks for changes, with a comment
    (needed when asking for changes)."""
    _require_runner(actor, submission.assignment.cohort)
    if verdict not in (Submission.Status.ACCEPTED, Submission.Status.NEEDS_CHANGES):
        raise ProgrammeError(_("Choose accept or needs changes."))
    text = text.strip()
    if verdict == Submission.Status.NEEDS_CHANGES and not text:
        raise ProgrammeError(_("Say what needs to change."))
    if len(text) > 4000:
        raise ProgrammeError(_("Keep the comment to 4,000 characters or fewer."))
    before = snapshot(submission, ("status",))
    submission.status = verdict
    submission.reviewed_by = recorded_user(actor)
    submission.reviewed_at = timezone.now()
    submission.save(update_fields=["status", "reviewed_by", "reviewed_at", "updated_at"])
    comment = SubmissionComment.objects.create(
        submission=submission, author=recorded_user(actor), text=text, verdict=verdict
    )
    audit_record(
        actor=actor,
        action="programme.submission_reviewed",
        target=submission,
        before=before,
        after={"status": verdict, "comment": text},
    )
    if verdict == Submission.Status.ACCEPTED and _completed(submission.enrolment):
        _issue_certificate(actor, submission.enrolment)
    return comment


def _completed(enrolment: Enrolment) -> bool:
    """Every assignment of the cohort accepted (and there is at least one)."""
    total = Assignment.objects.filter(cohort_id=enrolment.cohort_id).count()
    accepted = Submission.objects.filter(
        enrolment=enrolment, status=Submission.Status.ACCEPTED
    ).count()
    return total > 0 and accepted == total


#: Letters and digits that cannot be mistaken for one another when read aloud or typed
#: (no 0/O, 1/I/L), as in Crockford's base 32.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _new_certificate_code() -> str:
    """A random verification code such as ``INF-7K2M-Q9XD-4HTP`` (about 59 bits)."""
    groups = ["".join(secrets.choice(CODE_ALPHABET) for _n in range(4)) for _g in range(3)]
    return "INF-" + "-".join(groups)


def _issue_certificate(actor: Any, enrolment: Enrolment) -> Certificate:
    existing = Certificate.objects.filter(enrolment=enrolment).first()
    if existing is not None:
        return existing
    code = _new_certificate_code()
    while Certificate.objects.filter(code=code).exists():
        code = _new_certificate_code()
    certificate = Certificate.objects.create(
        enrolment=enrolment,
        code=code,
        name=enrolment.participant.display_name,
        issued_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="programme.certificate_issued",
        target=certificate,
        after={"enrolment": enrolment.pk, "code": code, "name": certificate.name},
    )
    return certificate


@audited
@transaction.atomic
def certificate_issue(*, actor: Any, enrolment: Enrolment) -> Certificate:
    """Issue the certificate of a participant who completed their lab (accepting the last
    assignment does this by itself; this is for a certificate issued by hand)."""
    _require_runner(actor, enrolment.cohort)
    if not _completed(enrolment):
        raise ProgrammeError(_("A certificate is issued only when every assignment is accepted."))
    return _issue_certificate(actor, enrolment)


@audited
@transaction.atomic
def certificate_revoke(*, actor: Any, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate (for example issued in error); the check page then says so."""
    _require_overseer(actor)
    reason = reason.strip()
    if not reason:
        raise ProgrammeError(_("Give the reason for revoking the certificate."))
    if certificate.revoked_at is not None:
        raise ProgrammeError(_("This certificate is already revoked."))
    certificate.revoked_at = timezone.now()
    certificate.revoked_reason = reason
    certificate.save(update_fields=["revoked_at", "revoked_reason"])
    audit_record(
        actor=actor,
        action="programme.certificate_revoked",
        target=certificate,
        after={"reason": reason},
    )
    return certificate


# --- Funder reporting -----------------------------------------------------------------------------

RECORD_FIELDS = (
    "entry_date",
    "exit_date",
    "employment_status",
    "age_band",
    "education_level",
    "job_title",
)


def _require_special(actor: Any) -> None:
    if actor is not None and not may_see_special_category(actor):
        raise PermissionDenied


def _check_participant(person: Any) -> None:
    if not (isinstance(person, User) and person.role == Role.PARTICIPANT and person.body_id):
        raise ProgrammeError(_("Funder records are kept for participants of a public body."))


@audited
@transaction.atomic
def funder_record_save(
    *, actor: Any, participant: Any, values: Mapping[str, Any]
) -> ParticipantRecord:
    """Create or change a participant's funder record (no special-category data)."""
    _require_overseer(actor)
    _check_participant(participant)
    record = ParticipantRecord.objects.filter(participant=participant).first()
    before = snapshot(record, RECORD_FIELDS)
    record = record or ParticipantRecord(participant=participant)
    for name in RECORD_FIELDS:
        if name in values:
            setattr(record, name, values[name])
    if record.exit_date and record.entry_date and record.exit_date < record.entry_date:
        raise ProgrammeError(_("The exit date cannot be before the entry date."))
    record.full_clean(exclude=["participant"])
    record.save()
    audit_record(
        actor=actor,
        action="programme.funder_record_saved",
        target=record,
        before=before,
        after=snapshot(record, RECORD_FIELDS),
    )
    return record


@audited
@transaction.atomic
def special_category_consent_record(
    *, actor: Any, participant: Any, wording: str
) -> SpecialCategoryConsent:
    """Record that ``participant`` gave explicit consent, in ``wording``, to give
    special-category data (who, when and what they agreed to are kept)."""
    _require_special(actor)
    _check_participant(participant)
    wording = wording.strip()
    if not wording:
        raise ProgrammeError(_("Record the wording the participant agreed to."))
    consent = SpecialCategoryConsent.objects.create(
        participant=participant, wording=wording, recorded_by=recorded_user(actor)
    )
    audit_record(
        actor=actor,
        action="programme.special_consent_recorded",
        target=consent,
        after={"participant": participant.pk, "wording": wording},
    )
    return consent


@audited
@transaction.atomic
def special_category_save(
    *, actor: Any, participant: Any, disability: str, ethnicity: str
) -> SpecialCategoryRecord:
    """Keep a participant's special-category answers: only under a consent in force."""
    _require_special(actor)
    consent = consent_in_force(participant)
    if consent is None:
        raise ProgrammeError(
            _("Record the participant's consent before collecting special-category data.")
        )
    if disability not in YesNoDeclined.values or ethnicity not in Ethnicity.values:
        raise ProgrammeError(_("Choose an answer for each question."))
    record, _created = SpecialCategoryRecord.objects.update_or_create(
        participant=participant,
        defaults={"consent": consent, "disability": disability, "ethnicity": ethnicity},
    )
    # The values themselves are not copied into the audit trail, which more people can read.
    audit_record(
        actor=actor,
        action="programme.special_category_saved",
        target_type="programme.specialcategoryrecord",
        target_id=str(record.pk),
        target_label=f"participant {participant.pk}",
        after={"participant": participant.pk, "consent": consent.pk},
    )
    return record


@audited
@transaction.atomic
def special_category_consent_withdraw(*, actor: Any, participant: Any) -> int:
    """The participant withdraws consent: the special-category answers are deleted."""
    _require_special(actor)
    consent = consent_in_force(participant)
    if consent is None:
        raise ProgrammeError(_("There is no consent in force to withdraw."))
    deleted, _detail = SpecialCategoryRecord.objects.filter(participant=participant).delete()
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    audit_record(
        actor=actor,
        action="programme.special_consent_withdrawn",
        target=consent,
        after={"participant": participant.pk, "answers_deleted": bool(deleted)},
    )
    return deleted


@audited
@transaction.atomic
def funder_export(
    *,
    actor: Any,
    date_from: datetime.date,
    date_to: datetime.date,
    include_special: bool = False,
    file_format: str = "csv",
) -> list[dict[str, Any]]:
    """The participant summary for a period (participants whose entry to exit overlaps it).
    Special-category columns only when asked for, by a programme manager; every export is in
    the audit trail, saying whether they were included."""
    _require_overseer(actor)
    if include_special:
        _require_special(actor)
    if date_to < date_from:
        raise ProgrammeError(_("The end of the period cannot be before its start."))
    from .selectors import funder_rows

    rows = funder_rows(date_from, date_to, include_special=include_special)
    audit_record(
        actor=actor,
        action="programme.funder_exported",
        target_type="programme.participantrecord",
        target_label=f"participant summary {date_from} to {date_to}",
        after={
            "from": date_from,
            "to": date_to,
            "rows": len(rows),
            "special_category": include_special,
            "format": file_format,
        },
    )
    return rows
