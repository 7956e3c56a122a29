"""Assessment from allocation to feedback: declarations gate the bid, scoring is independent,
the panel shows spread and outliers, moderation is kept, funding follows the ranking or a
recorded reason, and the bid team sees released feedback."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from infuse.audit.models import AuditEntry
from infuse.challenges import selectors, services
from infuse.challenges.models import Assessment, Bid, Call, Moderation
from infuse.challenges.services import ChallengeFundError
from tests.conftest import CAERPHILLY, NEWPORT, TORFAEN

from . import support


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def closed_round(make_user: Any) -> dict[str, Any]:
    """Three submitted bids to a closed call, and three assessors (one works for Caerphilly)."""
    manager = make_user("programme_manager", None)
    carys = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    owen = make_user("participant", NEWPORT, first_name="Owen", last_name="Davies")
    sian = make_user("participant", TORFAEN, first_name="Siân", last_name="Morgan")
    call = support.call(manager)
    challenge = support.challenge(carys)
    bids = {}
    for officer, title, budget in (
        (carys, "Warm", 60000),
        (owen, "Lonely", 50000),
        (sian, "Draught", 30000),
    ):
        bid = support.bid(officer, call, challenge, values={"title": title, "budget": budget})
        bids[title] = services.bid_submit(actor=officer, bid=bid)
    Call.objects.filter(pk=call.pk).update(deadline=timezone.now() - datetime.timedelta(hours=1))
    call.refresh_from_db()
    assessors = [
        make_user("assessor", None, first_name="Nia", last_name="Roberts"),
        make_user("assessor", None, first_name="Ioan", last_name="Hughes"),
        make_user("assessor", CAERPHILLY, first_name="Elin", last_name="Parry"),
    ]
    return {
        "manager": manager,
        "call": call,
        "bids": bids,
        "assessors": assessors,
        "carys": carys,
        "owen": owen,
    }


def _score_all(bid: Bid, marks: dict[Any, list[int]]) -> None:
    criteria = list(bid.call.criteria.all())
    for assessor, values in marks.items():
        services.interests_declare(actor=assessor, bid=bid, has_conflict=False, declaration="")
        services.scores_save(
            actor=assessor,
            bid=bid,
            scores={c.pk: (v, f"Comment {v}") for c, v in zip(criteria, values, strict=True)},
            submit=True,
        )


def test_allocation_avoids_an_assessor_of_the_lead_body(closed_round: dict[str, Any]) -> None:
    nia, ioan, elin = closed_round["assessors"]
    added = services.assessors_allocate(
        actor=closed_round["manager"], call=closed_round["call"], per_bid=2
    )
    warm = closed_round["bids"]["Warm"]
    assert elin.pk not in added[warm.pk]  # she works for Caerphilly, the lead body
    assert sorted(added[warm.pk]) == sorted([nia.pk, ioan.pk])
    assert all(len(people) == 2 for people in added.values())
    # Allocating again keeps what was there and adds nothing.
    assert (
        services.assessors_allocate(
            actor=closed_round["manager"], call=closed_round["call"], per_bid=2
        )
        == {}
    )


def test_allocation_waits_for_the_deadline(make_user: Any) -> None:
    manager = make_user("programme_manager", None)
    with pytest.raises(ChallengeFundError, match="call has closed"):
        services.assessors_allocate(actor=manager, call=support.call(manager))


def test_the_declaration_gates_the_bid_and_a_conflict_takes_the_assessor_off(
    closed_round: dict[str, Any],
) -> None:
    nia, ioan, _elin = closed_round["assessors"]
    services.assessors_allocate(actor=closed_round["manager"], call=closed_round["call"], per_bid=3)
    lonely = closed_round["bids"]["Lonely"]
    client = client_for(nia)
    page = client.get(f"/en/challenge-fund/bids/{lonely.pk}/assess/").content.decode()
    assert "Declare your interests" in page and "Answer on Need" not in page
    assert client.get(f"/en/challenge-fund/bids/{lonely.pk}/").status_code == 404
    refused = client.post(f"/en/challenge-fund/bids/{lonely.pk}/assess/", {"has_conflict": "yes"})
    assert "Describe the conflict of interest." in refused.content.decode()
    client.post(f"/en/challenge-fund/bids/{lonely.pk}/assess/", {"has_conflict": "no"})
    page = client.get(f"/en/challenge-fund/bids/{lonely.pk}/assess/").content.decode()
    assert "Answer on Need" in page and "Submit scores" in page
    assert client.get(f"/en/challenge-fund/bids/{lonely.pk}/").status_code == 200
    # Ioan declares a conflict: he never sees the bid.
    other = client_for(ioan)
    other.post(
        f"/en/challenge-fund/bids/{lonely.pk}/assess/",
        {"has_conflict": "yes", "declaration": "My sister leads the bid team."},
    )
    page = other.get(f"/en/challenge-fund/bids/{lonely.pk}/assess/").content.decode()
    assert "not shown to you" in page and "Answer on Need" not in page
    assert other.get(f"/en/challenge-fund/bids/{lonely.pk}/").status_code == 404
    with pytest.raises(ChallengeFundError, match="Declare your interests"):
        services.scores_save(actor=ioan, bid=lonely, scores={}, submit=False)


def test_scores_are_independent_until_submitted(closed_round: dict[str, Any]) -> None:
    nia, ioan, _elin = closed_round["assessors"]
    services.assessors_allocate(actor=closed_round["manager"], call=closed_round["call"], per_bid=3)
    lonely = closed_round["bids"]["Lonely"]
    criteria = list(lonely.call.criteria.all())
    _score_all(lonely, {ioan: [5, 5, 5]})
    services.interests_declare(actor=nia, bid=lonely, has_conflict=False, declaration="")
    client = client_for(nia)
    url = f"/en/challenge-fund/bids/{lonely.pk}/assess/"
    assert "Comment 5" not in client.get(url).content.decode()
    incomplete = client.post(url, {f"score_{criteria[0].pk}": "3", "submit": "1"})
    assert "Still to score: Collaboration; Value for money" in incomplete.content.decode()
    values = {f"score_{c.pk}": "3" for c in criteria} | {"submit": "1"}
    page = client.post(url, values, follow=True).content.decode()
    assert "Scores submitted." in page and "Comment 5" in page and "Ioan Hughes" in page
    with pytest.raises(ChallengeFundError, match="can no longer change"):
        services.scores_save(actor=nia, bid=lonely, scores={}, submit=False)


def test_panel_moderation_ranking_funding_and_feedback(closed_round: dict[str, Any]) -> None:
    manager, call, bids = closed_round["manager"], closed_round["call"], closed_round["bids"]
    nia, ioan, elin = closed_round["assessors"]
    for bid in bids.values():
        for assessor in (nia, ioan, elin):
            Assessment.objects.create(bid=bid, assessor=assessor)
    _score_all(bids["Warm"], {nia: [5, 4, 4], ioan: [5, 4, 4], elin: [1, 4, 4]})
    _score_all(bids["Lonely"], {nia: [4, 4, 4], ioan: [4, 4, 4], elin: [4, 4, 4]})
    _score_all(bids["Draught"], {nia: [2, 2, 2], ioan: [2, 3, 2], elin: [2, 2, 2]})
    board = selectors.panel_of(call)
    warm_need = board.bids[bids["Warm"].pk].rows[0]
    assert warm_need.stats.mean == pytest.approx(3.67, abs=0.01)
    assert warm_need.stats.outliers == {elin.pk}
    page = client_for(manager).get(f"/en/challenge-fund/calls/{call.pk}/panel/").content.decode()
    assert "outlier" in page and "2 points or more" in page
    # Moderation: two changes, both kept; the latest counts.
    need = warm_need.criterion
    services.score_moderate(
        actor=manager, bid=bids["Warm"], criterion=need, score=4, reason="Panel view"
    )
    services.score_moderate(
        actor=manager, bid=bids["Warm"], criterion=need, score="4.5", reason="On reflection"
    )
    assert Moderation.objects.filter(bid=bids["Warm"]).count() == 2
    with pytest.raises(ChallengeFundError, match="reason"):
        services.score_moderate(
            actor=manager, bid=bids["Warm"], criterion=need, score=5, reason=" "
        )
    board = selectors.panel_of(call)
    # Warm: 4.5/5×40 + 4/5×30 + 4/5×30 = 36 + 24 + 24 = 84
    assert board.bids[bids["Warm"].pk].weighted == 84.0
    ranking = board.ranking_of("feasibility")
    assert [e.key for e in ranking] == [bids["Warm"].pk, bids["Lonely"].pk, bids["Draught"].pk]
    assert [e.passes for e in ranking] == [True, True, False]  # Draught is under 60 per cent
    # A portfolio choice must give its reason; then it stands.
    with pytest.raises(ChallengeFundError, match="Give the reason"):
        services.funding_decide(
            actor=manager,
            call=call,
            phase="feasibility",
            method="portfolio",
            chosen=[bids["Lonely"].pk],
        )
    with pytest.raises(ChallengeFundError, match="quality threshold"):
        services.funding_decide(
            actor=manager,
            call=call,
            phase="feasibility",
            method="portfolio",
            chosen=[bids["Draught"].pk],
            reason="x",
        )
    # In rank order within £100,000: Warm (£60,000) fits, Lonely (£50,000) does not.
    services.funding_decide(actor=manager, call=call, phase="feasibility", method="rank_order")
    statuses = dict(Bid.objects.values_list("title", "status"))
    assert statuses == {"Warm": "funded", "Lonely": "not_funded", "Draught": "not_funded"}
    with pytest.raises(ChallengeFundError, match="has been made"):
        services.funding_decide(actor=manager, call=call, phase="feasibility", method="rank_order")
    # Feedback appears to the bid team once released, and the funded project is public.
    lonely_url = f"/en/challenge-fund/bids/{bids['Lonely'].pk}/"
    owen = client_for(closed_round["owen"])
    assert "Feedback from the panel" not in owen.get(lonely_url).content.decode()
    bids["Lonely"].refresh_from_db()
    services.feedback_release(actor=manager, bid=bids["Lonely"], text="Strong need; costs unclear.")
    assert "Strong need; costs unclear." in owen.get(lonely_url).content.decode()
    public = Client().get("/cy/challenge-fund/funded/").content.decode()
    assert "Warm" in public and "Lonely" not in public
    assert AuditEntry.objects.filter(action="challenges.funding_decided").count() == 1
