"""Challenge Fund writes: challenge statements, calls and bids, refused when they should be."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from infuse.accounts.policy import can_open_bid
from infuse.audit.models import AuditEntry
from infuse.challenges import framing, selectors, services
from infuse.challenges.models import (
    Assessment,
    Bid,
    BidLink,
    Call,
    ChallengeTheme,
    Moderation,
)
from infuse.challenges.services import ChallengeFundError
from infuse.reference.models import Body
from tests.conftest import CAERPHILLY, NEWPORT, TORFAEN

from . import support


def test_framing_checks_are_gentle_and_bilingual() -> None:
    assert framing.is_question("How might we keep homes warm?  ")
    assert not framing.is_question("Keep homes warm.")
    assert framing.opens_how_might_we("how might  we keep homes warm?")
    assert framing.opens_how_might_we("Sut gallen ni gadw cartrefi'n gynnes?")
    assert not framing.opens_how_might_we("Can homes be warmer?")
    assert framing.names_a_solution("How might we cut bills by buying heat pumps?")
    assert not framing.names_a_solution("How might we cut bills for older people?")


def test_a_challenge_is_saved_with_its_contributions_and_audited(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    challenge = support.challenge(officer)
    assert challenge.owner_body.code == CAERPHILLY
    assert challenge.budget_total == 590000
    assert [link.theme.slug for link in challenge.theme_links.all()] == ["decarbonisation"]
    assert challenge.goal_links.get().contribution == "Helps."
    entry = AuditEntry.objects.get(action="challenges.challenge_saved")
    assert entry.after["how_might_we"].startswith("How might we")
    assert entry.after["themes"]


def test_a_challenge_must_be_a_question_with_a_theme_and_a_goal(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    with pytest.raises(ChallengeFundError, match="question mark"):
        support.challenge(officer, how_might_we="We need heat pumps.")
    with pytest.raises(ChallengeFundError, match="at least one of the themes"):
        services.challenge_save(
            actor=officer,
            body=officer.body,
            values=support.CHALLENGE_VALUES,
            contributions=services.Contributions(themes={}, goals={}, ways={}),
        )
    with pytest.raises(ChallengeFundError, match="whole number of pounds"):
        support.challenge(officer, budget_prototype="lots")
    advice = selectors.challenge_advice("Can we cut bills by buying heat pumps?")
    assert len(advice) == 2


def test_a_private_challenge_stays_with_its_body(make_user: Any) -> None:
    officer = make_user("participant", CAERPHILLY)
    challenge = support.challenge(officer, visibility="private")
    stranger = make_user("participant", NEWPORT)
    assert selectors.challenge_for(stranger, challenge.pk) is None
    assert selectors.challenge_for(officer, challenge.pk) == challenge
    with pytest.raises(PermissionDenied):
        services.challenge_save(
            actor=stranger,
            body=challenge.owner_body,
            values={"title": "Taken"},
            contributions=support.contributions(),
            challenge=challenge,
        )
    assessor = make_user("assessor", None)
    assert selectors.challenge_for(assessor, challenge.pk) is None


def test_call_weights_must_add_to_one_hundred_and_only_managers_write_calls(
    make_user: Any,
) -> None:
    manager = make_user("programme_manager", None)
    officer = make_user("participant", CAERPHILLY)
    values = {
        "title_en": "Call",
        "title_cy": "Galwad",
        "summary_en": "S",
        "summary_cy": "C",
        "deadline": timezone.now() + datetime.timedelta(days=3),
    }
    with pytest.raises(ChallengeFundError, match="add up to 90 per cent"):
        services.call_save(
            actor=manager,
            values=values,
            criteria=[
                services.CriterionValues("A", "A", 50),
                services.CriterionValues("B", "B", 40),
            ],
            scale=support.SCALE,
        )
    with pytest.raises(ChallengeFundError, match="programme's managers"):
        support.call(officer)
    assert not Call.objects.exists()
    call = support.call(manager)
    assert call.is_open and call.scale_max == 5
    assert [c.weight for c in call.criteria.all()] == [40, 30, 30]
    with pytest.raises(ChallengeFundError, match="published"):
        services.call_save(actor=manager, values={}, criteria=[], scale=[], call=call)


@pytest.fixture
def bidding(make_user: Any) -> dict[str, Any]:
    manager = make_user("programme_manager", None)
    lead = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    partner = make_user("participant", NEWPORT, first_name="Owen", last_name="Davies")
    call = support.call(manager)
    challenge = support.challenge(lead)
    return {"manager": manager, "lead": lead, "partner": partner, "call": call, "ch": challenge}


def test_a_draft_bid_is_seen_by_its_team_only(bidding: dict[str, Any], make_user: Any) -> None:
    lead, partner = bidding["lead"], bidding["partner"]
    bid = support.bid(
        lead,
        bidding["call"],
        bidding["ch"],
        partners=[partner.body],
        team=[partner],
    )
    assert bid.team_member_ids() == {lead.pk, partner.pk}
    colleague = make_user("participant", CAERPHILLY)
    assessor = make_user("assessor", None)
    assert can_open_bid(lead, bid) and can_open_bid(partner, bid)
    for outsider in (colleague, bidding["manager"], assessor, make_user("participant", TORFAEN)):
        assert not can_open_bid(outsider, bid)
        assert bid not in selectors.bids_visible_to(outsider)
    services.bid_submit(actor=partner, bid=bid)
    assert can_open_bid(bidding["manager"], bid)
    assert not can_open_bid(colleague, bid)


def test_team_members_must_work_for_the_lead_or_a_partner(bidding: dict[str, Any]) -> None:
    with pytest.raises(ChallengeFundError, match="does not work for the lead body"):
        support.bid(bidding["lead"], bidding["call"], bidding["ch"], team=[bidding["partner"]])
    assert not Bid.objects.exists()


def test_submitting_needs_every_answer_and_the_deadline_closes_editing(
    bidding: dict[str, Any],
) -> None:
    lead, call = bidding["lead"], bidding["call"]
    criteria = list(call.criteria.all())
    bid = support.bid(lead, call, bidding["ch"], answers={criteria[0].pk: "Only one"})
    with pytest.raises(ChallengeFundError, match="Still to answer: Collaboration; Value"):
        services.bid_submit(actor=lead, bid=bid)
    bid = support.bid(lead, call, bidding["ch"])
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    bid.call.refresh_from_db()
    with pytest.raises(ChallengeFundError, match="deadline for this call passed"):
        services.bid_save(
            actor=lead,
            call=bid.call,
            values={"title": "Late"},
            challenge=bidding["ch"],
            partners=[],
            team=[lead],
            answers={},
            bid=bid,
        )


def test_the_budget_asked_cannot_exceed_the_phase_budget(bidding: dict[str, Any]) -> None:
    with pytest.raises(ChallengeFundError, match="more than the call's budget"):
        support.bid(bidding["lead"], bidding["call"], bidding["ch"], values={"budget": 100001})


def test_links_only_to_lab_records_the_linker_may_see(
    bidding: dict[str, Any], make_user: Any
) -> None:
    from tests.datalab.support import data_question

    lead = bidding["lead"]
    bid = support.bid(lead, bidding["call"], bidding["ch"])
    own = data_question(lead, visibility="private")
    secret = data_question(make_user("participant", TORFAEN), visibility="private")
    with pytest.raises(ChallengeFundError, match="lab record you can see"):
        services.bid_link_add(actor=lead, bid=bid, kind="data_question", record_id=secret.pk)
    with pytest.raises(ChallengeFundError, match="lab record you can see"):
        services.bid_link_add(actor=lead, bid=bid, kind="no_such_kind", record_id=own.pk)
    offered = dict(selectors.linkable_outputs(lead, bid))
    # Every kind of output in the one register is offered: the question and its ethics canvas.
    assert f"data_question:{own.pk}" in offered and f"ethics_canvas:{own.pk}" in offered
    assert not any(key.endswith(f":{secret.pk}") for key in offered)
    services.bid_link_add(actor=lead, bid=bid, kind="data_question", record_id=own.pk)
    assert BidLink.objects.filter(bid=bid).count() == 1
    assert f"data_question:{own.pk}" not in dict(selectors.linkable_outputs(lead, bid))
    # A manager who later reads the bid sees the record's title only if they may open it.
    services.bid_submit(actor=lead, bid=bid)
    views = selectors.links_of(bidding["manager"], bid)
    assert views[0].title is not None and own.title in views[0].title
    assert views[0].url == reverse("datalab:question", args=[own.pk])
    assert AuditEntry.objects.filter(action="challenges.bid_link_added").count() == 1


def test_bids_summary_counts_made_and_funded_by_theme_and_goal(bidding: dict[str, Any]) -> None:
    lead = bidding["lead"]
    draft = support.bid(lead, bidding["call"], bidding["ch"])
    made = support.bid(lead, bidding["call"], bidding["ch"])
    services.bid_submit(actor=lead, bid=made)
    Bid.objects.filter(pk=made.pk).update(status=Bid.Status.FUNDED)
    assert draft.status == "draft"
    summary = selectors.bids_summary()
    assert summary.made == 1 and summary.funded == 1
    assert summary.made_by_theme == {"decarbonisation": 1}
    assert summary.funded_by_goal == {2: 1}
    assert Body.objects.filter(code=CAERPHILLY).exists()


def test_the_demo_builds_two_challenges_and_bids_at_every_stage_once(make_user: Any) -> None:
    from infuse.demo import _demo_people
    from infuse.demo.challenges import demo_challenges

    _demo_people(None)
    made = demo_challenges()
    assert made == {"challenges": 2, "calls": 2, "bids": 7}
    assert demo_challenges()["bids"] == 0  # building again changes nothing
    statuses = set(Bid.objects.values_list("status", flat=True))
    assert statuses == {"draft", "submitted", "funded", "not_funded"}
    closed, open_call = Call.objects.order_by("deadline")
    assert not closed.is_open and open_call.is_open
    assert Moderation.objects.count() == 1
    assert Assessment.objects.filter(has_conflict=True).count() == 1
    assert Assessment.objects.filter(declared_at__isnull=True).exists()  # still to declare
    funded = Bid.objects.get(status="funded")
    assert funded.project_state().phase == "prototype"
    released = Bid.objects.filter(feedback_released_at__isnull=False)
    assert set(released.values_list("status", flat=True)) == {"funded", "not_funded"}
    themes = {link.theme.slug for link in ChallengeTheme.objects.all()}
    assert themes == {"decarbonisation", "supportive-communities"}
    # The command line ranks the closed call, and the API answers under the same policy.
    import json

    from django.test import Client
    from typer.testing import CliRunner

    from infuse.accounts.models import User
    from infuse.cli import app

    result = CliRunner().invoke(
        app, ["challenge-fund", "ranking", "--call", str(closed.pk), "--json"]
    )
    assert result.exit_code == 0, result.output
    ranking = json.loads(result.stdout)
    feasibility = next(p for p in ranking["phases"] if p["phase"] == "feasibility")
    assert [row["title"] for row in feasibility["bids"]] == [
        "Valleys home energy reports",
        "Draught-proofing volunteers",
    ]
    assert feasibility["bids"][0]["funded_in_rank_order"]
    assert not feasibility["bids"][1]["passes_threshold"]
    missing = CliRunner().invoke(app, ["challenge-fund", "ranking", "--call", "999999", "--json"])
    assert missing.exit_code == 1 and "There is no call 999999" in missing.stdout
    anonymous = Client()
    assert {c["title_cy"] for c in anonymous.get("/api/challenge-fund/calls").json()} == {
        "Cronfa Her Ranbarthol 2026",
        "Cronfa Her Ranbarthol 2027",
    }
    assert [p["title"] for p in anonymous.get("/api/challenge-fund/funded").json()] == [
        "Valleys home energy reports"
    ]
    assert anonymous.get("/api/challenge-fund/bids").status_code == 401
    owen = Client()
    owen.force_login(User.objects.get(username="owen"))
    titles = {b["title"] for b in owen.get("/api/challenge-fund/bids").json()}
    assert "Connected at home" in titles and "Warm homes prototype" not in titles
    draft = Bid.objects.get(title="Warm homes prototype")
    assert owen.get(f"/api/challenge-fund/bids/{draft.pk}").status_code == 404
