"""Assignments are the labs' own outputs: a participant hands in the artefact itself, a
facilitator reviews it, and progress and completion follow per participant, authority and lab."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.datalab import services as datalab
from infuse.datalab.dpia import QUESTION_KEYS
from infuse.lab_outputs import KINDS
from infuse.programme import services
from infuse.programme.models import Assignment, Enrolment, Submission
from infuse.programme.services import ProgrammeError
from tests.datalab.support import data_question

from .support import programme_world


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    return programme_world(make_user)


def test_a_data_lab_cohort_starts_with_its_four_assignments(world: dict[str, Any]) -> None:
    cohort = world["cohort"]
    kinds = list(cohort.assignments.values_list("kind", flat=True))
    assert kinds == ["data_question", "ethics_canvas", "ethics_framework", "dpia_screening"]
    assert all(a.due_on == cohort.ends_on for a in cohort.assignments.all())
    page = client_for(world["carys"]).get(f"/en/programme/cohorts/{cohort.pk}/").content.decode()
    assert "Frame a data question" in page and "Not handed in" in page


def test_hand_in_review_and_hand_in_again(world: dict[str, Any]) -> None:
    cohort = world["cohort"]
    assignment = cohort.assignments.get(kind="data_question")
    mine = data_question(world["carys"], title="Energy advice targeting")
    theirs = data_question(world["owen"], title="Newport private question", visibility="private")
    carys = client_for(world["carys"])
    url = f"/en/programme/assignments/{assignment.pk}/"
    form = carys.get(url).content.decode()
    assert "Energy advice targeting" in form and "Newport private question" not in form
    with pytest.raises(ProgrammeError):
        services.assignment_submit(
            actor=world["carys"],
            assignment=assignment,
            enrolment=Enrolment.objects.get(participant=world["carys"]),
            object_id=theirs.pk,
        )
    carys.post(url, {"artefact": mine.pk, "note": "First go"})
    submission = Submission.objects.get()
    assert submission.object_id == mine.pk and submission.status == "submitted"

    facilitator = client_for(world["facilitator"])
    review_url = f"/en/programme/submissions/{submission.pk}/"
    review = facilitator.get(review_url).content.decode()
    assert f'href="/en/datalab/questions/{mine.pk}/"' in review and "First go" in review
    refused = facilitator.post(review_url, {"verdict": "needs_changes", "text": ""})
    assert "Say what needs to change." in refused.content.decode()
    facilitator.post(review_url, {"verdict": "needs_changes", "text": "Name who decides."})
    submission.refresh_from_db()
    assert submission.status == "needs_changes"
    seen = carys.get(url).content.decode()
    assert "Needs changes" in seen and "Name who decides." in seen
    carys.post(url, {"artefact": mine.pk})
    submission.refresh_from_db()
    assert submission.status == "submitted"
    facilitator.post(review_url, {"verdict": "accepted", "text": "Clear."})
    submission.refresh_from_db()
    assert submission.status == "accepted" and submission.reviewed_by == world["facilitator"]
    # Another participant of the cohort neither sees nor reviews Carys's submission.
    owen = client_for(world["owen"])
    assert owen.get(review_url).status_code == 404
    assert carys.post(review_url, {"verdict": "accepted"}).status_code == 403


def test_private_work_is_linked_but_not_opened_by_the_facilitator(world: dict[str, Any]) -> None:
    assignment = world["cohort"].assignments.get(kind="data_question")
    private = data_question(world["carys"], title="Kept in Caerphilly", visibility="private")
    submission = services.assignment_submit(
        actor=world["carys"],
        assignment=assignment,
        enrolment=Enrolment.objects.get(participant=world["carys"]),
        object_id=private.pk,
    )
    page = client_for(world["facilitator"]).get(f"/en/programme/submissions/{submission.pk}/")
    text = page.content.decode()
    assert "Kept in Caerphilly" in text and "ask the participant to share it" in text
    assert f"/datalab/questions/{private.pk}/" not in text


def test_completion_and_progress_by_participant_authority_and_lab(world: dict[str, Any]) -> None:
    carys = world["carys"]
    question = data_question(carys)
    datalab.ethics_area_save(
        actor=carys, question=question, area="rights", answer="Open", status="complete"
    )
    framework = datalab.def_assessment_save(
        actor=carys,
        question=question,
        scores={"transparency": 3, "accountability": 3, "fairness": 3},
        rationales={"transparency": "a", "accountability": "b", "fairness": "c"},
        actions="",
    )
    screening = datalab.dpia_screening_save(
        actor=carys, question=question, answers=dict.fromkeys(QUESTION_KEYS, False)
    )
    objects = {
        "data_question": question.pk,
        "ethics_canvas": question.pk,
        "ethics_framework": framework.pk,
        "dpia_screening": screening.pk,
    }
    enrolment = Enrolment.objects.get(participant=carys)
    for assignment in Assignment.objects.filter(cohort=world["cohort"]):
        submission = services.assignment_submit(
            actor=carys,
            assignment=assignment,
            enrolment=enrolment,
            object_id=objects[assignment.kind],
        )
        services.submission_review(
            actor=world["facilitator"], submission=submission, verdict="accepted", text=""
        )
    page = client_for(world["manager"]).get("/en/programme/progress/").content.decode()
    assert "4 of 4" in page and "0 of 4" in page
    assert "Caerphilly" in page and "Newport" in page and "Data Lab" in page
    # One of the two participants completed: 50 per cent for the lab.
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">50</td>' in page
    assert client_for(carys).get("/en/programme/progress/").status_code == 403


def test_a_spend_analysis_is_a_live_spend_file_of_a_body(make_user: Any) -> None:
    from infuse.procurement.services import spend_import_run, spend_upload

    analyst = make_user("analyst")
    batch = spend_upload(
        actor=analyst,
        body=analyst.body,
        file_name="ledger.csv",
        content=b"Date,Supplier,Amount\n01/04/2025,Acme Ltd,1200.00\n",
        visibility="private",
    )
    kind = KINDS["spend_analysis"]
    officer = make_user("participant")
    assert kind.find(officer, batch.pk) is None  # not imported yet: nothing to analyse
    spend_import_run(actor=analyst, batch=batch)
    assert kind.find(officer, batch.pk) is not None
    assert kind.find(make_user("participant", "W06000022"), batch.pk) is None
    assert kind.url(batch) == f"/en/procurement/spend/files/{batch.pk}/"
