"""Data Lab writes: audited, refused for other bodies and non-facilitators, kept honest."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from infuse.audit.models import AuditEntry
from infuse.datalab import services
from infuse.datalab.models import DataQuestion, EthicsAction, EthicsArea
from infuse.datalab.services import DatalabError
from tests.conftest import CAERPHILLY, NEWPORT

from .support import QUESTION_VALUES, data_question


def test_saving_a_question_is_audited_with_its_values(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    entry = AuditEntry.objects.get(action="datalab.question_saved", target_id=str(question.pk))
    assert entry.actor == officer
    assert entry.before is None
    assert entry.after["measure"] == "Median kWh per household per year"
    assert question.status == DataQuestion.Status.DRAFT


def test_an_officer_of_another_body_cannot_change_the_question(make_user: Any) -> None:
    question = data_question(make_user("participant", CAERPHILLY))
    stranger = make_user("participant", NEWPORT)
    with pytest.raises(PermissionDenied):
        services.question_save(
            actor=stranger, body=question.owner_body, values={"title": "Taken"}, question=question
        )
    with pytest.raises(PermissionDenied):
        services.ethics_area_save(
            actor=stranger, question=question, area="sources", answer="x", status="in_progress"
        )
    question.refresh_from_db()
    assert question.title == "Energy advice targeting"
    assert not EthicsArea.objects.exists()


def test_a_question_needs_a_decision_and_a_known_type_of_data(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    with pytest.raises(DatalabError, match="decision"):
        data_question(officer, decision="  ")
    with pytest.raises(DatalabError, match="type of data"):
        data_question(officer, data_type="secret")
    assert not DataQuestion.objects.exists()


def test_a_facilitator_comments_and_marks_ready_and_both_are_audited(make_user: Any) -> None:
    question = data_question(make_user("participant", CAERPHILLY))
    facilitator = make_user("facilitator", None)
    comment = services.question_comment(
        actor=facilitator, question=question, text="Say who decides."
    )
    services.question_mark_ready(actor=facilitator, question=question)
    question.refresh_from_db()
    assert question.status == DataQuestion.Status.READY
    assert question.ready_by == facilitator and question.ready_at is not None
    assert AuditEntry.objects.filter(
        action="datalab.question_commented", target_id=str(comment.pk)
    ).exists()
    ready = AuditEntry.objects.get(action="datalab.question_marked_ready")
    assert ready.after == {"status": "ready"} and ready.actor == facilitator


def test_only_a_facilitator_who_can_see_the_question_may_review_it(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    private = data_question(officer, title="Private", visibility="private")
    with pytest.raises(DatalabError):
        services.question_mark_ready(actor=officer, question=question)
    with pytest.raises(DatalabError):
        services.question_comment(
            actor=make_user("participant", NEWPORT), question=question, text="Hi"
        )
    with pytest.raises(DatalabError):
        services.question_mark_ready(actor=make_user("facilitator", None), question=private)
    assert DataQuestion.objects.filter(status="ready").count() == 0


def test_changing_a_ready_question_sends_it_back_to_draft(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    services.question_mark_ready(actor=make_user("facilitator", None), question=question)
    unchanged = services.question_save(
        actor=officer, body=officer.body, values=QUESTION_VALUES, question=question
    )
    assert unchanged.status == DataQuestion.Status.READY
    changed = services.question_save(
        actor=officer,
        body=officer.body,
        values={**QUESTION_VALUES, "measure": "Mean kWh"},
        question=unchanged,
    )
    assert changed.status == DataQuestion.Status.DRAFT and changed.ready_by is None


def test_an_ethics_answer_is_kept_once_per_area_and_actions_are_audited(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    services.ethics_area_save(
        actor=officer, question=question, area="rights", answer="OGL", status="in_progress"
    )
    services.ethics_area_save(
        actor=officer, question=question, area="rights", answer="OGL v3", status="complete"
    )
    entry = EthicsArea.objects.get(question=question, area="rights")
    assert (entry.answer, entry.status) == ("OGL v3", "complete")
    second = AuditEntry.objects.filter(action="datalab.ethics_area_saved").order_by("pk").last()
    assert second is not None and second.before == {"answer": "OGL", "status": "in_progress"}
    action = services.ethics_action_add(
        actor=officer,
        question=question,
        area="rights",
        text="Check",
        owner="IG lead",
        priority="high",
    )
    assert AuditEntry.objects.filter(
        action="datalab.ethics_action_added", target_id=str(action.pk)
    ).exists()


def test_ethics_input_is_checked(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    with pytest.raises(DatalabError, match="Write an answer"):
        services.ethics_area_save(
            actor=officer, question=question, area="rights", answer=" ", status="complete"
        )
    with pytest.raises(DatalabError, match="no such area"):
        services.ethics_area_save(
            actor=officer, question=question, area="nonsense", answer="x", status="complete"
        )
    with pytest.raises(DatalabError, match="who will do"):
        services.ethics_action_add(
            actor=officer, question=question, area="rights", text="Do it", owner="", priority="low"
        )
    assert not EthicsArea.objects.exists() and not EthicsAction.objects.exists()


def test_each_dpia_screening_is_kept_and_audited(make_user: Any) -> None:
    from infuse.datalab.dpia import QUESTION_KEYS

    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    answers = {key: False for key in QUESTION_KEYS}
    first = services.dpia_screening_save(actor=officer, question=question, answers=answers)
    second = services.dpia_screening_save(
        actor=officer, question=question, answers={**answers, "tracking": True}
    )
    assert (first.outcome, first.reasons) == ("not_indicated", [])
    assert (second.outcome, second.reasons) == ("required", ["tracking"])
    assert list(question.dpia_screenings.all()) == [second, first]
    assert AuditEntry.objects.filter(action="datalab.dpia_screened").count() == 2
    with pytest.raises(PermissionDenied):
        services.dpia_screening_save(
            actor=make_user("participant", NEWPORT), question=question, answers=answers
        )
    with pytest.raises(DatalabError, match="every screening question"):
        services.dpia_screening_save(actor=officer, question=question, answers={"tracking": True})
    assert question.dpia_screenings.count() == 2


def test_each_ethics_framework_save_is_a_new_version_and_old_ones_stay(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    reasons = {
        "transparency": "Nothing published",
        "accountability": "Owner named",
        "fairness": "?",
    }
    first = services.def_assessment_save(
        actor=officer,
        question=question,
        scores={"transparency": 1, "accountability": 3, "fairness": 2},
        rationales=reasons,
    )
    second = services.def_assessment_save(
        actor=officer,
        question=question,
        scores={"transparency": 4, "accountability": 3, "fairness": 3},
        rationales={**reasons, "transparency": "Method published"},
        actions="Publish the ward ranking method.",
    )
    first.refresh_from_db()
    assert (first.version, first.transparency_score) == (1, 1)
    assert first.transparency_rationale == "Nothing published"
    assert (second.version, second.transparency_score) == (2, 4)
    audits = AuditEntry.objects.filter(action="datalab.def_assessment_saved").order_by("pk")
    assert [entry.after["version"] for entry in audits] == [1, 2]


def test_ethics_framework_scores_must_be_0_to_5_with_reasons(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    question = data_question(officer)
    scores = {"transparency": 1, "accountability": 3, "fairness": 2}
    reasons = {"transparency": "a", "accountability": "b", "fairness": "c"}
    with pytest.raises(DatalabError, match="Fairness from 0 to 5"):
        services.def_assessment_save(
            actor=officer, question=question, scores={**scores, "fairness": 6}, rationales=reasons
        )
    with pytest.raises(DatalabError, match="Say why"):
        services.def_assessment_save(
            actor=officer, question=question, scores=scores, rationales={**reasons, "fairness": ""}
        )
    with pytest.raises(PermissionDenied):
        services.def_assessment_save(
            actor=make_user("participant", NEWPORT),
            question=question,
            scores=scores,
            rationales=reasons,
        )
    assert not question.def_assessments.exists()
