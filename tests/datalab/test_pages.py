"""The Data Lab through its pages: write a question, review it, work through the ethics canvas."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.datalab.models import DataQuestion, DataQuestionComment, EthicsAction, EthicsArea
from infuse.reference.models import Theme, WellbeingGoal
from tests.conftest import CAERPHILLY, NEWPORT

from .support import QUESTION_VALUES, data_question


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")


def test_an_officer_starts_a_question_and_sees_it_listed(officer: Any) -> None:
    client = client_for(officer)
    page = client.get("/en/datalab/")
    assert "Start a data question" in page.content.decode()
    form = client.get("/en/datalab/questions/new/").content.decode()
    # Themes and goals are tick boxes (more than one may apply), not radios.
    assert 'name="themes" type="checkbox"' in form and 'name="goals" type="checkbox"' in form
    theme = Theme.objects.get(slug="decarbonisation")
    goals = list(WellbeingGoal.objects.filter(number__in=[2, 7]))
    response = client.post(
        "/en/datalab/questions/new/",
        {**QUESTION_VALUES, "themes": [theme.pk], "goals": [goal.pk for goal in goals]},
        follow=True,
    )
    assert "Data question saved." in response.content.decode()
    question = DataQuestion.objects.get()
    assert question.owner_body == officer.body and list(question.themes.all()) == [theme]
    assert set(question.goals.all()) == set(goals)
    listing = client.get("/en/datalab/").content.decode()
    assert "Energy advice targeting" in listing and "Draft" in listing


def test_a_question_with_missing_parts_is_refused_with_clear_messages(officer: Any) -> None:
    response = client_for(officer).post(
        "/en/datalab/questions/new/",
        {**QUESTION_VALUES, "decision": "", "data_type": "secret"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "There is a problem" in text
    assert "This field is required." in text
    assert "Select a valid choice" in text
    assert not DataQuestion.objects.exists()


def test_changing_keeps_what_was_there_when_the_input_is_bad(officer: Any) -> None:
    question = data_question(officer)
    client = client_for(officer)
    response = client.post(
        f"/en/datalab/questions/{question.pk}/edit/", {**QUESTION_VALUES, "measure": ""}
    )
    assert "There is a problem" in response.content.decode()
    question.refresh_from_db()
    assert question.measure == "Median kWh per household per year"


def test_another_body_cannot_open_a_private_question(officer: Any, make_user: Any) -> None:
    question = data_question(officer, visibility="private")
    stranger = client_for(make_user("participant", NEWPORT))
    assert stranger.get(f"/en/datalab/questions/{question.pk}/").status_code == 404
    assert stranger.get(f"/en/datalab/questions/{question.pk}/edit/").status_code == 404
    assert "Energy advice" not in stranger.get("/en/datalab/").content.decode()


def test_a_facilitator_comments_and_marks_ready_through_the_page(
    officer: Any, make_user: Any
) -> None:
    question = data_question(officer)
    facilitator = client_for(make_user("facilitator", None, first_name="Rhian", last_name="Evans"))
    page = facilitator.get(f"/en/datalab/questions/{question.pk}/").content.decode()
    assert "Mark as ready" in page
    empty = facilitator.post(f"/en/datalab/questions/{question.pk}/comment/", {"text": ""})
    assert "There is a problem" in empty.content.decode()
    assert not DataQuestionComment.objects.exists()
    facilitator.post(f"/en/datalab/questions/{question.pk}/comment/", {"text": "Name the board."})
    response = facilitator.post(f"/en/datalab/questions/{question.pk}/ready/", follow=True)
    text = response.content.decode()
    assert "Marked ready." in text and "Name the board." in text
    assert "Marked ready by Rhian Evans" in text
    question.refresh_from_db()
    assert question.status == "ready"


def test_the_officer_cannot_mark_their_own_question_ready(officer: Any) -> None:
    question = data_question(officer)
    client = client_for(officer)
    assert (
        "Mark as ready" not in client.get(f"/en/datalab/questions/{question.pk}/").content.decode()
    )
    assert client.post(f"/en/datalab/questions/{question.pk}/ready/").status_code == 403
    question.refresh_from_db()
    assert question.status == "draft"


def test_the_ethics_canvas_shows_fifteen_areas_and_the_odi_credit(officer: Any) -> None:
    question = data_question(officer)
    text = client_for(officer).get(f"/en/datalab/questions/{question.pk}/ethics/").content.decode()
    assert text.count("Not started") == 15
    for group in ("Know:", "Explore:", "Plan:", "Integrate:"):
        assert group in text
    assert "Based on the Data Ethics Canvas by the Open Data Institute (ODI)" in text
    assert "CC BY-SA 4.0" in text


def test_answering_an_area_and_adding_an_action(officer: Any) -> None:
    question = data_question(officer)
    client = client_for(officer)
    url = f"/en/datalab/questions/{question.pk}/ethics/rights/"
    refused = client.post(url, {"answer": "", "status": "complete"})
    assert "Write an answer before you send this area for review" in refused.content.decode()
    assert not EthicsArea.objects.exists()
    client.post(url, {"answer": "Open Government Licence", "status": "complete"})
    bad_action = client.post(
        url, {"add_action": "1", "text": "Check", "owner": "", "priority": "high"}
    )
    assert "There is a problem" in bad_action.content.decode()
    assert not EthicsAction.objects.exists()
    client.post(url, {"add_action": "1", "text": "Check", "owner": "IG lead", "priority": "high"})
    canvas = client.get(f"/en/datalab/questions/{question.pk}/ethics/").content.decode()
    assert "Open Government Licence" in canvas and "IG lead" in canvas
    assert canvas.count("Not started") == 14
    detail = client.get(f"/en/datalab/questions/{question.pk}/").content.decode()
    assert "1 of 15 areas complete" in detail


def test_an_unknown_area_is_not_found(officer: Any) -> None:
    question = data_question(officer)
    response = client_for(officer).get(f"/en/datalab/questions/{question.pk}/ethics/nonsense/")
    assert response.status_code == 404


def test_the_question_downloads_as_a_pdf(officer: Any) -> None:
    question = data_question(officer)
    response = client_for(officer).get(f"/en/datalab/questions/{question.pk}/question.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_pages_speak_welsh(officer: Any) -> None:
    question = data_question(officer)
    response = client_for(officer).get(f"/cy/datalab/questions/{question.pk}/")
    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()


def test_dpia_screening_through_the_page(officer: Any) -> None:
    from infuse.datalab.dpia import QUESTION_KEYS

    question = data_question(officer)
    client = client_for(officer)
    url = f"/en/datalab/questions/{question.pk}/dpia/"
    answers = {key: "no" for key in QUESTION_KEYS}
    partial = client.post(url, {**answers, "biometrics": ""})
    text = partial.content.decode()
    assert "There is a problem" in text and "Answer yes or no." in text
    assert not question.dpia_screenings.exists()
    response = client.post(url, {**answers, "data_matching": "yes"}, follow=True)
    text = response.content.decode()
    assert "DPIA required" in text
    assert "Matching or combining datasets from different sources." in text
    detail = client.get(f"/en/datalab/questions/{question.pk}/").content.decode()
    assert "DPIA required" in detail


def test_ethics_framework_versions_show_as_a_table_of_scores(officer: Any) -> None:
    question = data_question(officer)
    client = client_for(officer)
    url = f"/en/datalab/questions/{question.pk}/ethics-framework/"
    good = {
        "transparency_score": "1",
        "transparency_rationale": "Nothing published yet",
        "accountability_score": "3",
        "accountability_rationale": "Head of Housing owns it",
        "fairness_score": "2",
        "fairness_rationale": "Not checked for bias",
        "actions": "",
    }
    bad = client.post(url, {**good, "fairness_score": "9", "accountability_rationale": ""})
    text = bad.content.decode()
    assert "There is a problem" in text and "Say why you gave this score." in text
    assert "Select a valid choice" in text
    assert not question.def_assessments.exists()
    client.post(url, good)
    response = client.post(url, {**good, "transparency_score": "4"}, follow=True)
    text = response.content.decode()
    assert "Self-assessment saved as a new version." in text
    assert [v.transparency_score for v in question.def_assessments.all()] == [1, 4]
    table = text[text.index("Scores over time") :]
    assert table.index(">1</th>") < table.index(">2</th>")
