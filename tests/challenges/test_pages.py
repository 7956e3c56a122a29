"""The Challenge Fund through its pages, in English and Welsh, signed in and not."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from infuse.challenges.models import Bid, Call, Challenge
from infuse.reference.models import Theme, WellbeingGoal
from tests.conftest import CAERPHILLY, NEWPORT

from . import support


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")


@pytest.fixture
def manager(make_user: Any) -> Any:
    return make_user("programme_manager", None, first_name="Gareth", last_name="Lloyd")


def test_an_officer_writes_a_challenge_and_gets_gentle_advice(officer: Any) -> None:
    client = client_for(officer)
    form = client.get("/en/challenge-fund/challenges/new/").content.decode()
    assert "How might we" in form and "A Wales of cohesive communities" in form
    theme = Theme.objects.get(slug="decarbonisation")
    goal = WellbeingGoal.objects.get(number=2)
    values = {
        **support.CHALLENGE_VALUES,
        "how_might_we": "Can we cut bills by buying heat pumps?",
        f"theme_{theme.pk}": "Cuts emissions from heating.",
        f"goal_{goal.pk}": "Homes cope with colder winters.",
    }
    response = client.post("/en/challenge-fund/challenges/new/", values, follow=True)
    text = response.content.decode()
    assert "Challenge saved." in text
    assert "usually start “How might we…”" in text and "seems to name a solution" in text
    challenge = Challenge.objects.get()
    assert challenge.theme_links.get().contribution == "Cuts emissions from heating."
    assert "Homes cope with colder winters." in text


def test_a_statement_that_is_not_a_question_is_refused_and_nothing_saved(officer: Any) -> None:
    response = client_for(officer).post(
        "/en/challenge-fund/challenges/new/",
        {**support.CHALLENGE_VALUES, "how_might_we": "Buy heat pumps"},
    )
    text = response.content.decode()
    assert "There is a problem" in text and "ending with a question mark" in text
    assert not Challenge.objects.exists()


def test_a_private_challenge_is_hidden_from_another_body(officer: Any, make_user: Any) -> None:
    challenge = support.challenge(officer, visibility="private")
    stranger = client_for(make_user("participant", NEWPORT))
    assert stranger.get(f"/en/challenge-fund/challenges/{challenge.pk}/").status_code == 404
    assert "Warm homes" not in stranger.get("/en/challenge-fund/challenges/").content.decode()


def test_a_manager_writes_and_publishes_a_call_that_anyone_reads_in_welsh(manager: Any) -> None:
    client = client_for(manager)
    date = (timezone.localtime() + datetime.timedelta(days=20)).date().isoformat()
    values: dict[str, Any] = {
        "title_en": "Regional Challenge Fund 2027",
        "title_cy": "Cronfa Her Ranbarthol 2027",
        "summary_en": "Shared challenges.",
        "summary_cy": "Heriau a rennir.",
        "deadline_date": date,
        "deadline_time": "12:00",
        "budget_feasibility": "100000",
        "budget_prototype": "300000",
        "budget_adoption": "600000",
        "quality_threshold": "60",
        "criterion_0_en": "Need",
        "criterion_0_cy": "Angen",
        "criterion_0_weight": "60",
        "criterion_1_en": "Collaboration",
        "criterion_1_cy": "Cydweithio",
        "criterion_1_weight": "30",
    }
    for score, (english, welsh) in enumerate(support.SCALE):
        values[f"scale_{score}_en"] = english
        values[f"scale_{score}_cy"] = welsh
    bad = client.post("/en/challenge-fund/calls/new/", values)
    assert "they must add up to 100" in bad.content.decode()
    assert not Call.objects.exists()
    values["criterion_1_weight"] = "40"
    response = client.post("/en/challenge-fund/calls/new/", values, follow=True)
    assert "Call saved." in response.content.decode()
    call = Call.objects.get()
    assert Client().get(f"/en/challenge-fund/calls/{call.pk}/").status_code == 404  # a draft
    client.post(f"/en/challenge-fund/calls/{call.pk}/publish/")
    public = Client().get("/cy/challenge-fund/").content.decode()
    assert "Cronfa Her Ranbarthol 2027" in public
    page = Client().get(f"/cy/challenge-fund/calls/{call.pk}/").content.decode()
    assert "Cydweithio" in page and "40%" in page and "Rhagorol" in page


def test_an_officer_cannot_write_a_call(officer: Any) -> None:
    assert client_for(officer).get("/en/challenge-fund/calls/new/").status_code == 403


def test_a_bid_from_draft_to_submitted_through_the_pages(
    officer: Any, manager: Any, make_user: Any
) -> None:
    partner = make_user("participant", NEWPORT, first_name="Owen", last_name="Davies")
    call = support.call(manager)
    challenge = support.challenge(officer)
    client = client_for(officer)
    form = client.get(f"/en/challenge-fund/calls/{call.pk}/bids/new/").content.decode()
    assert "Owen Davies" in form and "Need (40%)" in form
    criteria = list(call.criteria.all())
    response = client.post(
        f"/en/challenge-fund/calls/{call.pk}/bids/new/",
        {
            "title": "Warm homes together",
            "summary": "Home energy visits in two authorities.",
            "challenge": challenge.pk,
            "phase": "feasibility",
            "budget": "50000",
            "partners": [partner.body.pk],
            "team": [officer.pk, partner.pk],
            **{f"answer_{c.pk}": f"Our answer on {c.name_en}" for c in criteria},
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Only the bid team can see it." in text
    bid = Bid.objects.get()
    assert client_for(partner).get(f"/en/challenge-fund/bids/{bid.pk}/").status_code == 200
    colleague = client_for(make_user("participant", CAERPHILLY))
    assert colleague.get(f"/en/challenge-fund/bids/{bid.pk}/").status_code == 404
    assert client_for(manager).get(f"/en/challenge-fund/bids/{bid.pk}/").status_code == 404
    submitted = client.post(f"/en/challenge-fund/bids/{bid.pk}/submit/", follow=True)
    assert "Bid submitted." in submitted.content.decode()
    assert client_for(manager).get(f"/en/challenge-fund/bids/{bid.pk}/").status_code == 200
    # After the deadline the page says so and the server refuses changes.
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - datetime.timedelta(minutes=5))
    page = client.get(f"/en/challenge-fund/bids/{bid.pk}/").content.decode()
    assert "bids can no longer be changed" in page and "Change the bid" not in page
    late = client.post(f"/en/challenge-fund/bids/{bid.pk}/edit/", {"title": "Late"}, follow=True)
    assert "bids can no longer be changed" in late.content.decode()
    bid.refresh_from_db()
    assert bid.title == "Warm homes together"
