"""Capability self-assessment through the pages: participants rate the statements at entry and
exit (with "looking back"), and the delivery team sees the uplift with intervals."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from infuse.programme import services
from infuse.programme.models import CapabilityItem, Enrolment, SelfAssessment
from infuse.programme.services import ProgrammeError
from tests.conftest import TORFAEN

from .support import programme_world, rate_entry_and_exit


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    return programme_world(make_user)


def answers(prefix: str, value: int) -> dict[str, str]:
    return {f"{prefix}-{item.pk}": str(value) for item in CapabilityItem.objects.all()}


def test_a_cohort_starts_with_the_default_statements_and_their_sources(
    world: dict[str, Any],
) -> None:
    items = list(CapabilityItem.objects.all())
    assert len(items) == 10 and all(item.text_cy and item.source for item in items)
    page = client_for(world["facilitator"]).get("/en/programme/capability/statements/")
    assert "Core skills for public sector innovation" in page.content.decode()
    assert "Add a statement" not in page.content.decode()


def test_a_participant_rates_at_entry_and_exit_looking_back(world: dict[str, Any]) -> None:
    cohort = world["cohort"]
    client = client_for(world["carys"])
    page = client.get(f"/en/programme/cohorts/{cohort.pk}/").content.decode()
    assert "Your capability self-assessment" in page and "Not started" in page
    url = f"/en/programme/cohorts/{cohort.pk}/self-assessment/"
    incomplete = client.post(
        url + "entry/", {**answers("item", 2), f"item-{CapabilityItem.objects.first().pk}": ""}
    )
    assert "There is a problem" in incomplete.content.decode()
    assert not SelfAssessment.objects.exists()
    assert "Looking back" not in client.get(url + "entry/").content.decode()
    client.post(url + "entry/", answers("item", 2))
    exit_form = client.get(url + "exit/").content.decode()
    assert "Looking back, where were you before the lab?" in exit_form
    done = client.post(url + "exit/", {**answers("item", 4), **answers("before", 1)}, follow=True)
    assert "your self-assessment is saved" in done.content.decode()
    exit_ = SelfAssessment.objects.get(timing="exit")
    assert {a.score for a in exit_.answers.all()} == {4}
    assert {a.before_score for a in exit_.answers.all()} == {1}
    welsh = client.get(f"/cy/programme/cohorts/{cohort.pk}/self-assessment/entry/").content.decode()
    assert "Gallaf ddefnyddio data i ddeall problem" in welsh


def test_only_the_participant_answers_for_themselves(world: dict[str, Any], make_user: Any) -> None:
    cohort = world["cohort"]
    url = f"/en/programme/cohorts/{cohort.pk}/self-assessment/entry/"
    assert client_for(world["facilitator"]).get(url).status_code == 404
    assert client_for(make_user("participant", TORFAEN)).get(url).status_code == 404
    assert client_for(world["carys"]).get(url.replace("entry", "someday")).status_code == 404
    enrolment = Enrolment.objects.get(participant=world["owen"])
    with pytest.raises(PermissionDenied):
        services.self_assessment_save(
            actor=world["carys"], enrolment=enrolment, timing="entry", scores={}
        )
    with pytest.raises(ProgrammeError):
        services.self_assessment_save(
            actor=world["owen"], enrolment=enrolment, timing="entry", scores={1: 9}
        )


def test_the_delivery_team_sees_uplift_with_intervals(world: dict[str, Any]) -> None:
    rate_entry_and_exit(world)
    client = client_for(world["facilitator"])
    text = client.get("/en/programme/capability/").content.decode()
    # Changes 2 and 1: mean 1.5, s = 0.7071, se = 0.5, t(0.975, 1) = 12.706: −4.85 to 7.85.
    assert "1.50" in text and "-4.85" in text
    assert "7.85" in text and "Carys Price" in text and "Newport" in text
    assert '<img class="infuse-chart"' in text
    lookback = client.get("/en/programme/capability/?compare=lookback-exit").content.decode()
    assert "2.50" in lookback  # 4−1 and 4−2
    assert client_for(world["carys"]).get("/en/programme/capability/").status_code == 403


def test_managers_configure_statements(world: dict[str, Any]) -> None:
    client = client_for(world["manager"])
    response = client.post(
        "/en/programme/capability/statements/new/",
        {
            "key": "welsh-language",
            "kind": "skill",
            "text_en": "I plan for services in Welsh from the start.",
            "text_cy": "Rwy'n cynllunio ar gyfer gwasanaethau Cymraeg o'r dechrau.",
            "source": "Welsh Language Standards.",
            "order": "11",
            "active": "on",
        },
        follow=True,
    )
    assert "Statement saved." in response.content.decode()
    assert CapabilityItem.objects.filter(key="welsh-language", active=True).exists()
    refused = client_for(world["facilitator"]).get("/en/programme/capability/statements/new/")
    assert refused.status_code == 403
