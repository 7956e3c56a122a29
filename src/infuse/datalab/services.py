"""Every write of the Data Lab: one audited function per use case.

Each takes the acting user, checks the permission policy, writes in one transaction and records
an audit entry. A facilitator's "ready" applies to the question as they read it, so changing a
ready question sends it back to draft for another look.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infuse.accounts.policy import (
    Action,
    BodyWorkspace,
    can_review,
    recorded_user,
    require_unless_system,
)
from infuse.audit.trail import audit_record, audited, snapshot
from infuse.errors import UserFacingError

from .dpia import QUESTION_KEYS, dpia_screen
from .models import (
    DEF_PRINCIPLES,
    DEF_SCORES,
    ETHICS_AREA_KEYS,
    DataKind,
    DataQuestion,
    DataQuestionComment,
    DataType,
    DefAssessment,
    DpiaScreening,
    EthicsAction,
    EthicsArea,
    EthicsAreaStatus,
)

QUESTION_FIELDS = (
    "title",
    "decision",
    "decision_maker",
    "question",
    "data_needed",
    "measure",
    "data_type",
    "data_kind",
    "sources",
    "visibility",
)
REQUIRED_FIELDS = ("title", "decision", "decision_maker", "question", "data_needed", "measure")


class DatalabError(UserFacingError):
    """A refused Data Lab request, with the reason in the user's language."""


def _require_reviewer(actor: Any, question: DataQuestion) -> None:
    if actor is not None and not can_review(actor, question):
        raise DatalabError(_("Only a lab facilitator who can see this question may review it."))


@audited
@transaction.atomic
def question_save(
    *,
    actor: Any,
    body: Any,
    values: Mapping[str, Any],
    themes: list[Any] | None = None,
    goals: list[Any] | None = None,
    question: DataQuestion | None = None,
) -> DataQuestion:
    """Start a data question for ``body`` (``question`` None) or change one.

    Changing a question that a facilitator marked ready returns it to draft.
    """
    if question is None:
        require_unless_system(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))
        question = DataQuestion(owner_body=body, created_by=recorded_user(actor))
        before = None
    else:
        require_unless_system(actor, Action.CHANGE, question)
        before = snapshot(question, (*QUESTION_FIELDS, "status"))
    for name in QUESTION_FIELDS:
        if name in values:
            setattr(question, name, str(values[name]).strip())
    for name in REQUIRED_FIELDS:
        if not getattr(question, name):
            label = getattr(DataQuestion._meta.get_field(name), "verbose_name", name)
            raise DatalabError(_("Enter %(field)s.") % {"field": label})
    if question.data_type not in DataType.values:
        raise DatalabError(_("Choose the type of data."))
    if question.data_kind not in DataKind.values:
        raise DatalabError(_("Choose the kind of data."))
    if before is not None and question.status == DataQuestion.Status.READY:
        changed = any(before[name] != getattr(question, name) for name in QUESTION_FIELDS)
        if changed:
            question.status = DataQuestion.Status.DRAFT
            question.ready_at = None
            question.ready_by = None
    question.full_clean(exclude=["owner_body", "created_by", "ready_by"])
    question.save()
    if themes is not None:
        question.themes.set(themes)
    if goals is not None:
        question.goals.set(goals)
    audit_record(
        actor=actor,
        action="datalab.question_saved",
        target=question,
        body=question.owner_body,
        before=before,
        after=snapshot(question, (*QUESTION_FIELDS, "status")),
    )
    return question


@audited
@transaction.atomic
def question_comment(*, actor: Any, question: DataQuestion, text: str) -> DataQuestionComment:
    """A facilitator's comment on ``question``."""
    _require_reviewer(actor, question)
    text = text.strip()
    if not text:
        raise DatalabError(_("Enter a comment."))
    if len(text) > 4000:
        raise DatalabError(_("Keep the comment to 4,000 characters or fewer."))
    comment = DataQuestionComment.objects.create(
        question=question, author=recorded_user(actor), text=text
    )
    audit_record(
        actor=actor,
        action="datalab.question_commented",
        target=comment,
        body=question.owner_body,
        after={"question": question.pk, "text": text},
    )
    return comment


@audited
@transaction.atomic
def question_mark_ready(*, actor: Any, question: DataQuestion) -> DataQuestion:
    """A facilitator marks ``question`` ready: clear enough to look for the data."""
    _require_reviewer(actor, question)
    if question.status == DataQuestion.Status.READY:
        raise DatalabError(_("This question is already marked ready."))
    question.status = DataQuestion.Status.READY
    question.ready_at = timezone.now()
    question.ready_by = recorded_user(actor)
    question.save(update_fields=["status", "ready_at", "ready_by"])
    audit_record(
        actor=actor,
        action="datalab.question_marked_ready",
        target=question,
        body=question.owner_body,
        before={"status": DataQuestion.Status.DRAFT},
        after={"status": DataQuestion.Status.READY},
    )
    return question


def _check_area(area: str) -> None:
    if area not in ETHICS_AREA_KEYS:
        raise DatalabError(_("There is no such area on the ethics canvas."))


@audited
@transaction.atomic
def ethics_area_save(
    *, actor: Any, question: DataQuestion, area: str, answer: str, status: str
) -> EthicsArea:
    """Save the answer and status of one area of ``question``'s ethics canvas."""
    require_unless_system(actor, Action.CHANGE, question)
    _check_area(area)
    if status not in EthicsAreaStatus.values:
        raise DatalabError(_("Choose a status for this area."))
    answer = answer.strip()
    if status != EthicsAreaStatus.IN_PROGRESS and not answer:
        raise DatalabError(
            _("Write an answer before you send this area for review or complete it.")
        )
    entry = EthicsArea.objects.filter(question=question, area=area).first()
    before = snapshot(entry, ("answer", "status"))
    if entry is None:
        entry = EthicsArea(question=question, area=area)
    entry.answer = answer
    entry.status = status
    entry.save()
    audit_record(
        actor=actor,
        action="datalab.ethics_area_saved",
        target=entry,
        body=question.owner_body,
        before=before,
        after=snapshot(entry, ("answer", "status")),
    )
    return entry


@audited
@transaction.atomic
def ethics_action_add(
    *,
    actor: Any,
    question: DataQuestion,
    area: str,
    text: str,
    owner: str,
    priority: str,
) -> EthicsAction:
    """Add an action to one area of ``question``'s ethics canvas."""
    require_unless_system(actor, Action.CHANGE, question)
    _check_area(area)
    text, owner = text.strip(), owner.strip()
    if not text:
        raise DatalabError(_("Describe the action."))
    if not owner:
        raise DatalabError(_("Say who will do the action."))
    if priority not in EthicsAction.Priority.values:
        raise DatalabError(_("Choose a priority."))
    action = EthicsAction.objects.create(
        question=question, area=area, text=text, owner=owner[:200], priority=priority
    )
    audit_record(
        actor=actor,
        action="datalab.ethics_action_added",
        target=action,
        body=question.owner_body,
        after=snapshot(action, ("area", "text", "owner", "priority")),
    )
    return action


@audited
@transaction.atomic
def dpia_screening_save(
    *, actor: Any, question: DataQuestion, answers: Mapping[str, bool]
) -> DpiaScreening:
    """Screen ``question`` for a DPIA from yes/no ``answers`` (see :mod:`.dpia`); each
    screening is a new record, so earlier answers stay on file."""
    require_unless_system(actor, Action.CHANGE, question)
    missing = [key for key in QUESTION_KEYS if not isinstance(answers.get(key), bool)]
    if missing or set(answers) - set(QUESTION_KEYS):
        raise DatalabError(_("Answer yes or no to every screening question."))
    result = dpia_screen(answers)
    screening = DpiaScreening.objects.create(
        question=question,
        answers={key: answers[key] for key in QUESTION_KEYS},
        outcome=str(result.outcome),
        reasons=[criterion.key for criterion in result.reasons],
        created_by=recorded_user(actor),
    )
    audit_record(
        actor=actor,
        action="datalab.dpia_screened",
        target=screening,
        body=question.owner_body,
        after=snapshot(screening, ("answers", "outcome", "reasons")),
    )
    return screening


DEF_FIELDS = (
    "version",
    "transparency_score",
    "transparency_rationale",
    "accountability_score",
    "accountability_rationale",
    "fairness_score",
    "fairness_rationale",
    "actions",
)


@audited
@transaction.atomic
def def_assessment_save(
    *,
    actor: Any,
    question: DataQuestion,
    scores: Mapping[str, int],
    rationales: Mapping[str, str],
    actions: str = "",
) -> DefAssessment:
    """Add a new version of ``question``'s Data Ethics Framework self-assessment.

    ``scores`` and ``rationales`` are keyed by principle (transparency, accountability,
    fairness); scores are whole numbers from 0 to 5. Earlier versions are left as they were.
    """
    require_unless_system(actor, Action.CHANGE, question)
    values: dict[str, Any] = {"actions": actions.strip()}
    for key, label, _prompt in DEF_PRINCIPLES:
        score = scores.get(key)
        if not isinstance(score, int) or score not in DEF_SCORES:
            raise DatalabError(_("Score %(principle)s from 0 to 5.") % {"principle": label})
        rationale = str(rationales.get(key) or "").strip()
        if not rationale:
            raise DatalabError(
                _("Say why you gave %(principle)s that score.") % {"principle": label}
            )
        values[f"{key}_score"] = score
        values[f"{key}_rationale"] = rationale
    # Locking the question's row serialises two saves at once, so versions never collide.
    DataQuestion.objects.select_for_update().filter(pk=question.pk).first()
    last = question.def_assessments.order_by("-version").values_list("version", flat=True).first()
    assessment = DefAssessment.objects.create(
        question=question, version=(last or 0) + 1, created_by=recorded_user(actor), **values
    )
    audit_record(
        actor=actor,
        action="datalab.def_assessment_saved",
        target=assessment,
        body=question.owner_body,
        after=snapshot(assessment, DEF_FIELDS),
    )
    return assessment


# --- Datasets: catalogue entries and their profiles (see catalogue.py) -----------------------

DATASET_FIELDS = (
    "title",
    "description",
    "publisher",
    "contact_name",
    "contact_email",
    "licence",
    "access_rights",
    "spatial",
    "temporal_start",
    "temporal_end",
    "frequency",
    "keywords",
    "dcat_theme",
    "data_type",
    "data_kind",
    "landing_page",
    "visibility",
)


@audited
@transaction.atomic
def dataset_save(
    *,
    actor: Any,
    body: Any,
    values: Mapping[str, Any],
    themes: list[Any] | None = None,
    questions: list[Any] | None = None,
    dataset: Any = None,
) -> Any:
    """Add a catalogue entry for ``body`` (``dataset`` None) or change one."""
    from django.core.exceptions import ValidationError

    from .models import Dataset

    if dataset is None:
        require_unless_system(actor, Action.CHANGE, BodyWorkspace(owner_body_id=body.pk))
        dataset = Dataset(owner_body=body, created_by=recorded_user(actor))
        before = None
    else:
        require_unless_system(actor, Action.CHANGE, dataset)
        before = snapshot(dataset, DATASET_FIELDS)
    for name in DATASET_FIELDS:
        if name in values:
            value = values[name]
            setattr(dataset, name, value.strip() if isinstance(value, str) else value)
    start, end = dataset.temporal_start, dataset.temporal_end
    if start and end and end < start:
        raise DatalabError(_("The end of the period covered must not be before its start."))
    try:
        dataset.full_clean(exclude=["owner_body", "created_by"])
    except ValidationError as error:
        raise DatalabError(" ".join(error.messages)) from error
    dataset.save()
    if themes is not None:
        dataset.themes.set(themes)
    if questions is not None:
        dataset.questions.set(questions)
    audit_record(
        actor=actor,
        action="datalab.dataset_saved",
        target=dataset,
        body=dataset.owner_body,
        before=before,
        after=snapshot(dataset, DATASET_FIELDS),
    )
    return dataset


@audited
@transaction.atomic
def dataset_profile_keep(
    *, actor: Any, dataset: Any, profile: Mapping[str, Any], file_name: str
) -> Any:
    """Keep the profile of a file on its catalogue entry (counts and masked examples only)."""
    require_unless_system(actor, Action.CHANGE, dataset)
    dataset.profile = dict(profile)
    dataset.profile_file = file_name[:255]
    dataset.profiled_at = timezone.now()
    dataset.save(update_fields=["profile", "profile_file", "profiled_at", "updated_at"])
    audit_record(
        actor=actor,
        action="datalab.dataset_profiled",
        target=dataset,
        body=dataset.owner_body,
        after={
            "file": dataset.profile_file,
            "rows": profile.get("rows"),
            "columns": profile.get("columns"),
            "personal_columns": len(profile.get("personal_data") or []),
        },
    )
    return dataset
