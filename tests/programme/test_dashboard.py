"""The programme dashboard: one selector per section, each counting only what the viewer may
see; a new section is one more function in ``SECTIONS``."""

from __future__ import annotations

from typing import Any

from django.test import Client

from infuse.programme import services
from infuse.programme.models import Enrolment
from tests.datalab.support import data_question

from .support import programme_world, rate_entry_and_exit


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_dashboard_shows_participation_uplift_and_artefacts(make_user: Any) -> None:
    world = programme_world(make_user)
    rate_entry_and_exit(world)
    question = data_question(world["carys"])
    assignment = world["cohort"].assignments.get(kind="data_question")
    submission = services.assignment_submit(
        actor=world["carys"],
        assignment=assignment,
        enrolment=Enrolment.objects.get(participant=world["carys"]),
        object_id=question.pk,
    )
    services.submission_review(
        actor=world["facilitator"], submission=submission, verdict="accepted", text=""
    )
    text = client_for(world["manager"]).get("/en/programme/dashboard/").content.decode()
    for title in (
        "Participation and completion by authority and lab",
        "Capability uplift, entry to exit",
        "Artefacts produced in the labs",
    ):
        assert title in text
    assert "Data question canvas" in text and "Caerphilly" in text and "Newport" in text
    assert '<img class="infuse-chart"' in text
    # A facilitator who runs no cohort sees no participants.
    other = client_for(make_user("facilitator", None)).get("/en/programme/dashboard/")
    assert "Participation and completion" not in other.content.decode()
    assert client_for(world["carys"]).get("/en/programme/dashboard/").status_code == 403


def test_the_dashboard_adds_the_challenge_fund_and_supply_chain_carbon(make_user: Any) -> None:
    from infuse.procurement import services as procurement
    from tests.challenges.support import scored_round
    from tests.procurement.test_carbon_pages import LEDGER

    made = scored_round(make_user)
    manager = made["manager"]
    analyst = make_user("analyst", "W06000018")
    batch = procurement.spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    procurement.spend_import_run(actor=analyst, batch=batch)
    procurement.carbon_factor_set_builtin()
    text = client_for(manager).get("/en/programme/dashboard/").content.decode()
    assert "Challenge Fund bids made and funded" in text
    assert "Bids made: 1; funded: 0." in text
    assert "Supply-chain carbon analysed" in text and "kgCO2e per £" in text
