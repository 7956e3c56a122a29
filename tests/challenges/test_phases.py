"""A funded project's phases: feasibility → prototype → adoption, each ended by a review with
a decision and its reason, and outcomes recorded at the end."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.audit.models import AuditEntry
from infuse.challenges import phases, services
from infuse.challenges.models import Bid
from infuse.challenges.services import ChallengeFundError
from tests.conftest import CAERPHILLY

from . import support


def test_project_state_follows_the_decisions() -> None:
    assert phases.project_state("feasibility", []) == phases.ProjectState(
        "feasibility", "active", ()
    )
    assert phases.project_state("feasibility", ["continue"]).phase == "prototype"
    stopped = phases.project_state("feasibility", ["continue", "stop"])
    assert (stopped.phase, stopped.state, stopped.reviewed) == (
        None,
        "stopped",
        ("feasibility", "prototype"),
    )
    done = phases.project_state("prototype", ["continue", "continue"])
    assert (done.phase, done.state) == (None, "completed")
    with pytest.raises(ValueError):
        phases.project_state("adoption", ["continue", "continue"])
    with pytest.raises(ValueError):
        phases.project_state("feasibility", ["maybe"])


def test_reviews_move_a_funded_project_on_and_outcomes_close_it(make_user: Any) -> None:
    manager = make_user("programme_manager", None)
    officer = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    bid = support.bid(officer, support.call(manager), support.challenge(officer))
    with pytest.raises(ChallengeFundError, match="Only funded projects"):
        services.phase_review_record(
            actor=manager, bid=bid, review="x", decision="continue", reason="y"
        )
    services.bid_submit(actor=officer, bid=bid)
    Bid.objects.filter(pk=bid.pk).update(status=Bid.Status.FUNDED)  # decided: see test_assessment
    bid.refresh_from_db()
    with pytest.raises(ChallengeFundError, match="programme's managers"):
        services.phase_review_record(
            actor=officer, bid=bid, review="x", decision="continue", reason="y"
        )
    with pytest.raises(ChallengeFundError, match="when the project has ended"):
        services.outcomes_record(actor=manager, bid=bid, text="Too early")
    client = Client()
    client.force_login(manager)
    url = f"/en/challenge-fund/bids/{bid.pk}/panel/"
    assert "Phase review: Feasibility" in client.get(url).content.decode()
    empty = client.post(url, {"action": "review", "review": "", "decision": "continue"})
    assert "There is a problem" in empty.content.decode()
    client.post(
        url,
        {
            "action": "review",
            "review": "Reports cut use by 4 per cent in two wards.",
            "decision": "continue",
            "reason": "Worth a prototype across three authorities.",
        },
    )
    assert bid.project_state().phase == "prototype"
    services.phase_review_record(
        actor=manager,
        bid=bid,
        review="Prototype worked in Welsh.",
        decision="stop",
        reason="Adoption will be funded by the councils themselves.",
    )
    assert bid.project_state().state == "stopped"
    page = client.post(
        url, {"action": "outcomes", "outcomes": "2,000 homes get reports."}, follow=True
    ).content.decode()
    assert "Outcomes recorded." in page
    team = Client()
    team.force_login(officer)
    shown = team.get(f"/en/challenge-fund/bids/{bid.pk}/").content.decode()
    assert "Worth a prototype across three authorities." in shown
    assert "2,000 homes get reports." in shown and "Stopped" in shown
    public = Client().get("/cy/challenge-fund/funded/").content.decode()
    assert "2,000 homes get reports." in public
    assert AuditEntry.objects.filter(action="challenges.phase_reviewed").count() == 2
