"""Correcting a tender's set-up through the pages: the procurement's details, lots, bids (removed
by mistake, or withdrawn), commitments, evaluators and measures; what is refused once scoring
has started, and how a withdrawn bid leaves the results."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from infuse.audit.models import AuditEntry
from infuse.tenders import selectors, services
from infuse.tenders.models import Bidder, Commitment, Evaluator, Score, SocialValueMeasure

from . import support
from .pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("pk")


def score_sheet(evaluator: Any, made: Any, values: dict[str, tuple[int, int, int]]) -> None:
    """Declare, then score and submit: ``values`` maps a bidder's name to its scores on
    Method, Staffing and Social value (the tree of ``support.TREE``)."""
    if not made.evaluators.filter(user=evaluator, declared_at__isnull=False).exists():
        services.interests_declare(
            actor=evaluator, procurement=made, has_conflict=False, declaration=""
        )
    criteria = selectors.scored_criteria(made)
    sheet = {}
    for bidder in selectors.bids_to_score(made):
        for criterion, value in zip(criteria, values[bidder.name], strict=True):
            sheet[(bidder.pk, criterion.pk)] = (value, "")
    services.scores_save(actor=evaluator, procurement=made, scores=sheet, submit=True)


def test_the_details_are_corrected_through_the_page(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    web = client_for(officer)
    url = f"/en/tenders/{made.pk}/setup/details/"
    assert 'value="School transport"' in web.get(url).content.decode()
    assert url in web.get(f"/en/tenders/{made.pk}/setup/").content.decode()

    fields = {
        "title_en": "School and college transport",
        "title_cy": "Cludiant ysgol a choleg",
        "reference": "CCBC-2027-TR-2",
        "description_en": "Home-to-school routes.",
        "price_formula": "linear",
        "price_ceiling": "150000",
    }
    response = web.post(url, fields)
    assert response.status_code == 302 and response["Location"] == f"/en/tenders/{made.pk}/setup/"
    made.refresh_from_db()
    assert (made.title_en, made.title_cy, made.reference) == (
        "School and college transport",
        "Cludiant ysgol a choleg",
        "CCBC-2027-TR-2",
    )
    assert (made.price_formula, made.price_ceiling) == ("linear", 150000)
    entry = last_entry("tenders.procurement_changed")
    assert entry.actor == officer and entry.body == officer.body
    assert entry.before["title_en"] == "School transport" and entry.before["reference"] == ""
    assert entry.after["title_en"] == "School and college transport"
    assert entry.after["reference"] == "CCBC-2027-TR-2"
    assert entry.before["price_formula"] == "lowest" and entry.after["price_formula"] == "linear"

    # bad input: a form error in the error summary, never a 500, and nothing saved
    for bad, message in (
        ({**fields, "title_en": ""}, "This field is required."),
        ({**fields, "title_en": "x" * 201}, "at most 200 characters"),
        ({**fields, "reference": "R" * 61}, "at most 60 characters"),
        ({**fields, "price_formula": "cheapest"}, "Select a valid choice"),
    ):
        page = web.post(url, bad)
        assert page.status_code == 200
        text = page.content.decode()
        assert "There is a problem" in text and message in text, message
    made.refresh_from_db()
    assert made.title_en == "School and college transport"
    page = web.post(f"/cy/tenders/{made.pk}/setup/details/", {**fields, "title_en": ""})
    assert "Mae problem wedi codi" in page.content.decode()


def test_once_scoring_starts_the_title_still_changes_but_the_price_formula_does_not(
    make_user: Any,
) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    evaluator = make_user("participant")
    services.evaluator_add(actor=officer, procurement=made, user=evaluator)
    support.score_all(evaluator, made, {"Alpha Coaches": 3, "Beta Travel": 4}, submit=False)
    web = client_for(officer)
    url = f"/en/tenders/{made.pk}/setup/details/"
    # the formula fields are shown disabled, so a posted change is not even taken ...
    page = web.post(url, {"title_en": "Renamed", "price_formula": "mean"})
    assert page.status_code == 302
    made.refresh_from_db()
    assert (made.title_en, made.price_formula) == ("Renamed", "lowest")
    # ... and the service refuses it with the reason
    with pytest.raises(services.TenderError, match="price formula can no longer change"):
        services.procurement_change(
            actor=officer, procurement=made, title_en="Renamed", price_formula="mean"
        )


def test_removals_through_the_pages_before_scoring(make_user: Any) -> None:
    officer = make_user("analyst", first_name="Dafydd", last_name="Jenkins")
    made = support.procurement(officer)
    web = client_for(officer)
    base = f"/en/tenders/{made.pk}/setup"
    first = made.lots.get()

    # a lot added by mistake: confirm, then it is gone and the audit keeps what it was
    extra = services.lot_add(actor=officer, procurement=made, title_en="Routes sotuh")
    page = web.get(f"{base}/lots/{extra.pk}/remove/").content.decode()
    assert "Are you sure you want to remove lot 2, Routes sotuh?" in page
    assert "Yes, remove the lot" in page
    assert web.post(f"{base}/lots/{extra.pk}/remove/")["Location"] == f"{base}/lots/"
    assert list(made.lots.values_list("number", flat=True)) == [1]
    assert last_entry("tenders.lot_removed").before["title_en"] == "Routes sotuh"

    # a lot with bids, and the only lot, are not removed: the reason is shown before and after
    page = web.get(f"{base}/lots/{first.pk}/remove/").content.decode()
    assert "This lot has 2 bids, so it cannot be removed" in page
    assert "Yes, remove the lot" not in page
    page = web.post(f"{base}/lots/{first.pk}/remove/").content.decode()
    assert "There is a problem" in page and "This lot has 2 bids" in page
    assert made.lots.count() == 1

    # a commitment entered by mistake
    alpha = first.bidders.get(name="Alpha Coaches")
    commitment = alpha.commitments.get()
    page = web.get(f"{base}/commitments/{commitment.pk}/remove/").content.decode()
    assert "remove Alpha Coaches's commitment to SV2?" in page
    web.post(f"{base}/commitments/{commitment.pk}/remove/")
    assert not alpha.commitments.exists()
    assert last_entry("tenders.commitment_removed").before == {
        "bidder": "Alpha Coaches",
        "measure": "SV2",
        "quantity": "2.00",
    }

    # a bid entered by mistake (before scoring) is deleted, with its commitments
    measure = SocialValueMeasure.objects.get(owner_body=officer.body, code="SV2")
    wrong = services.bidder_add(
        actor=officer, lot=first, name="Gamma Buses", price=90_000, commitments={measure: 1}
    )
    page = web.get(f"{base}/bidders/{wrong.pk}/remove/").content.decode()
    assert "Are you sure you want to remove the bid from Gamma Buses?" in page
    assert web.post(f"{base}/bidders/{wrong.pk}/remove/")["Location"] == f"{base}/bidders/"
    assert not Bidder.objects.filter(pk=wrong.pk).exists()
    assert not Commitment.objects.filter(bidder_id=wrong.pk).exists()
    removed = last_entry("tenders.bidder_removed")
    assert removed.before == {
        "lot": 1,
        "name": "Gamma Buses",
        "price": "90000.00",
        "commitments": {"SV2": "1.00"},
    }

    # an evaluator named by mistake (declared, no scores)
    colleague = make_user("participant", first_name="Nia", last_name="Rees")
    evaluator = services.evaluator_add(actor=officer, procurement=made, user=colleague)
    services.interests_declare(
        actor=colleague, procurement=made, has_conflict=True, declaration="Related to Beta"
    )
    page = web.get(f"{base}/evaluators/{evaluator.pk}/remove/").content.decode()
    assert "Are you sure you want to remove Nia Rees as an evaluator?" in page
    web.post(f"{base}/evaluators/{evaluator.pk}/remove/")
    assert not made.evaluators.exists()
    entry = last_entry("tenders.evaluator_removed")
    assert entry.before["user"] == colleague.pk
    assert entry.before["declaration"] == "Related to Beta"  # kept in the audit trail

    # a measure nobody commits to is removed; one a bid commits to is not
    unused = services.measure_add(
        actor=officer, owner_body=officer.body, code="NT9", name_en="Typo", unit_en="hour",
        proxy_value=10,
    )  # fmt: skip
    services.bidder_change(
        actor=officer, bidder=alpha, name="Alpha Coaches", commitments={measure: 3}
    )
    page = web.get(f"/en/tenders/measures/{unused.pk}/remove/").content.decode()
    assert "Are you sure you want to remove the measure NT9, Typo?" in page
    web.post(f"/en/tenders/measures/{unused.pk}/remove/")
    assert not SocialValueMeasure.objects.filter(pk=unused.pk).exists()
    assert last_entry("tenders.measure_removed").before["code"] == "NT9"
    page = web.post(f"/en/tenders/measures/{measure.pk}/remove/").content.decode()
    assert "There is a problem" in page
    assert "1 bid commits to this measure, so it cannot be removed." in page
    assert SocialValueMeasure.objects.filter(pk=measure.pk).exists()


def test_a_bid_and_a_measure_are_corrected_through_their_pages(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    web = client_for(officer)
    lot = made.lots.get()
    south = services.lot_add(actor=officer, procurement=made, title_en="Routes south")
    alpha = lot.bidders.get(name="Alpha Coaches")
    measure = SocialValueMeasure.objects.get(owner_body=officer.body, code="SV2")
    url = f"/en/tenders/{made.pk}/setup/bidders/{alpha.pk}/"
    page = web.get(url).content.decode()
    assert 'value="Alpha Coaches"' in page and 'value="100000.00"' in page

    # emptying an existing commitment's box is not how a commitment is removed
    page = web.post(url, {"lot": lot.pk, "name": "Alpha", "price": "1", f"m{measure.pk}": ""})
    assert "To remove the commitment, use" in page.content.decode()
    response = web.post(
        url,
        {"lot": south.pk, "name": "Alpha Coaches Ltd", "price": "98000", f"m{measure.pk}": "4"},
    )
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert (alpha.name, alpha.lot, alpha.price) == ("Alpha Coaches Ltd", south, 98000)
    assert alpha.commitments.get().quantity == 4
    entry = last_entry("tenders.bidder_changed")
    assert entry.before == {
        "lot": 1,
        "name": "Alpha Coaches",
        "price": "100000.00",
        "commitments": {"SV2": "2.00"},
    }
    assert entry.after == {
        "lot": 2,
        "name": "Alpha Coaches Ltd",
        "price": "98000.00",
        "commitments": {"SV2": "4.00"},
    }
    page = web.post(url, {"lot": lot.pk, "name": "", "price": "-3"}).content.decode()
    assert "There is a problem" in page

    # the measure: names, code and value can change while no bid using it is scored
    url = f"/en/tenders/measures/{measure.pk}/"
    values = {
        "code": "SV2",
        "name_en": "Apprenticeships",
        "unit_en": "person",
        "proxy_value": "1200",
    }
    assert web.post(url, values).status_code == 302
    measure.refresh_from_db()
    assert (measure.name_en, measure.proxy_value) == ("Apprenticeships", 1200)
    entry = last_entry("tenders.measure_changed")
    assert (entry.before["proxy_value"], entry.after["proxy_value"]) == ("1000.00", "1200")
    page = web.post(url, {**values, "code": ""}).content.decode()
    assert "There is a problem" in page


def test_once_scoring_starts_removals_are_refused_and_nothing_is_lost(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    submitted = make_user("participant", first_name="Carys", last_name="Price")
    drafting = make_user("participant", first_name="Ioan", last_name="Evans")
    for person in (submitted, drafting):
        services.evaluator_add(actor=officer, procurement=made, user=person)
    support.score_all(submitted, made, {"Alpha Coaches": 3, "Beta Travel": 4})
    support.score_all(drafting, made, {"Alpha Coaches": 2, "Beta Travel": 2}, submit=False)
    scores = Score.objects.count()
    web = client_for(officer)
    base = f"/en/tenders/{made.pk}/setup"
    lot = made.lots.get()
    beta = lot.bidders.get(name="Beta Travel")
    alpha = lot.bidders.get(name="Alpha Coaches")

    # a scored bid: removal refused, withdrawal offered
    page = web.get(f"{base}/bidders/{beta.pk}/remove/").content.decode()
    assert "Scoring has started, so this bid cannot be removed" in page
    assert "Withdraw it instead" in page and f"{base}/bidders/{beta.pk}/withdraw/" in page
    assert "Yes, remove the bid" not in page
    page = web.post(f"{base}/bidders/{beta.pk}/remove/").content.decode()
    assert "There is a problem" in page and "this bid cannot be removed" in page

    # evaluators with scores, submitted or only saved
    one, two = (made.evaluators.get(user=u) for u in (submitted, drafting))
    page = web.post(f"{base}/evaluators/{one.pk}/remove/").content.decode()
    assert "There is a problem" in page
    assert "has submitted their scores, so they cannot be removed" in page
    assert "stand them down" in page
    page = web.post(f"{base}/evaluators/{two.pk}/remove/").content.decode()
    assert "removing them would delete those scores" in page and "Stand them down" in page

    # the lot with its scored bids, and a scored bid's commitment
    page = web.post(f"{base}/lots/{lot.pk}/remove/").content.decode()
    assert "This lot has 2 bids, so it cannot be removed" in page
    commitment = alpha.commitments.get()
    page = web.post(f"{base}/commitments/{commitment.pk}/remove/").content.decode()
    assert "There is a problem" in page and "Scoring has started" in page

    # a bid's price and lot are fixed (shown disabled); its supplier's name can be corrected
    page = web.get(f"{base}/bidders/{alpha.pk}/").content.decode()
    assert "bid&#x27;s lot, price and social-value commitments can no longer change" in page
    web.post(f"{base}/bidders/{alpha.pk}/", {"name": "Alpha Coaches Ltd", "price": "1"})
    alpha.refresh_from_db()
    assert (alpha.name, alpha.price) == ("Alpha Coaches Ltd", 100_000)
    with pytest.raises(services.TenderError, match="can no longer change"):
        services.bidder_change(actor=officer, bidder=alpha, name=alpha.name, price=1)
    # no more bids either
    with pytest.raises(services.TenderError, match="no more bids can be added"):
        services.bidder_add(actor=officer, lot=lot, name="Late Ltd", price=1)
    assert "Add the bid" not in web.get(f"{base}/bidders/").content.decode()

    # the measure a scored bid commits to: its value is fixed, its name is not
    measure = commitment.measure
    url = f"/en/tenders/measures/{measure.pk}/"
    web.post(url, {"code": "SV2", "name_en": "Apprentices hired", "proxy_value": "5"})
    measure.refresh_from_db()
    assert (measure.name_en, measure.proxy_value) == ("Apprentices hired", 1000)
    with pytest.raises(services.TenderError, match="unit and proxy value can no longer change"):
        services.measure_change(
            actor=officer, measure=measure, code="SV2", name_en="A", unit_en="person",
            proxy_value=5,
        )  # fmt: skip

    # nothing was lost, and the refused attempts wrote nothing
    assert Score.objects.count() == scores
    assert made.evaluators.count() == 2 and lot.bidders.count() == 2
    assert Commitment.objects.filter(pk=commitment.pk).exists()
    assert not AuditEntry.objects.filter(
        action__in=[
            "tenders.bidder_removed",
            "tenders.evaluator_removed",
            "tenders.lot_removed",
            "tenders.commitment_removed",
        ]
    ).exists()


def test_a_withdrawn_bid_leaves_the_ranking_and_the_lowest_price(make_user: Any) -> None:
    """Three bids on one lot under "lowest ÷ bid", price 40 and quality 60 (Method 30,
    Staffing 15, Social value 15; scale 0–5). Two evaluators' mean scores make each bid's
    quality points 30·m/5 + 15·s/5 + 15·v/5:

    * Alpha £100,000: (3, 3, 3)          → 18 + 9 + 9 = 36
    * Beta  £125,000: (4, 3.5, 3)        → 24 + 10.5 + 9 = 43.5
    * Gamma  £80,000: (2, 2, 2)          → 12 + 6 + 6 = 24

    With Gamma the lowest price is £80,000: Gamma 40 + 24 = 64; Alpha 40 × 80/100 = 32, + 36 =
    68; Beta 40 × 80/125 = 25.6, + 43.5 = 69.1. Beta wins by 1.1.
    Gamma withdrawn, the lowest price is Alpha's £100,000: Alpha 40 + 36 = 76; Beta 40 × 100/125
    = 32, + 43.5 = 75.5. Alpha wins by 0.5: the withdrawal changed the winner."""
    officer = make_user("analyst")
    made = support.procurement(officer)
    lot = made.lots.get()
    gamma = services.bidder_add(actor=officer, lot=lot, name="Gamma Buses", price=80_000)
    first, second, third = (make_user("participant") for _ in range(3))
    for person in (first, second, third):
        services.evaluator_add(actor=officer, procurement=made, user=person)
    score_sheet(
        first,
        made,
        {"Alpha Coaches": (3, 3, 3), "Beta Travel": (4, 3, 3), "Gamma Buses": (2, 2, 2)},
    )
    score_sheet(
        second,
        made,
        {"Alpha Coaches": (3, 3, 3), "Beta Travel": (4, 4, 3), "Gamma Buses": (2, 2, 2)},
    )
    services.interests_declare(actor=third, procurement=made, has_conflict=False, declaration="")
    web = client_for(officer)

    def ranking() -> list[tuple[str, int, float]]:
        api = web.get(f"/api/tenders/{made.pk}/results").json()["lots"][0]
        return [(r["bidder"], r["rank"], r["total"]) for r in api["ranking"]]

    assert ranking() == [
        ("Beta Travel", 1, 69.1),
        ("Alpha Coaches", 2, 68.0),
        ("Gamma Buses", 3, 64.0),
    ]
    scores = Score.objects.filter(bidder=gamma).count()
    assert scores == 6

    url = f"/en/tenders/{made.pk}/setup/bidders/{gamma.pk}/withdraw/"
    page = web.get(url).content.decode()
    assert "It has 6 saved scores, which are kept." in page
    page = web.post(url, {"reason": "  "}).content.decode()
    assert "There is a problem" in page and "Give the reason the bid is withdrawn." in page
    response = web.post(url, {"reason": "Supplier withdrew by email on 3 March"})
    assert response["Location"] == f"/en/tenders/{made.pk}/setup/bidders/"
    gamma.refresh_from_db()
    assert gamma.withdrawn and gamma.withdrawal_reason == "Supplier withdrew by email on 3 March"

    # hand-computed above: Gamma out, and the lowest price is now Alpha's
    assert ranking() == [("Alpha Coaches", 1, 76.0), ("Beta Travel", 2, 75.5)]
    result = selectors.lot_result(lot)
    assert result.margin is not None and result.margin.points == 0.5
    price = selectors.leaves(made)[0]
    prices = {
        row["bidder"].name: next(c["points"] for c in row["cells"] if c["criterion"] == price)
        for row in result.rows
    }
    assert prices == {"Alpha Coaches": 40.0, "Beta Travel": 32.0}
    assert all(s.winner != str(gamma.pk) for s in result.sensitivity)
    api = web.get(f"/api/tenders/{made.pk}/results").json()["lots"][0]
    assert api["withdrawn"][0]["bidder"] == "Gamma Buses"
    assert api["withdrawn"][0]["reason"] == "Supplier withdrew by email on 3 March"
    assert "Gamma Buses" not in api["rank_reversal_if_removed"]

    # its scores are kept on record, and the audit entry says what changed
    assert Score.objects.filter(bidder=gamma).count() == scores
    entry = last_entry("tenders.bidder_withdrawn")
    assert entry.before["withdrawn_at"] is None and entry.before["price"] == "80000.00"
    assert entry.after["reason"] == "Supplier withdrew by email on 3 March"
    assert entry.after["withdrawn_at"] and entry.after["scores_kept"] == 6

    # shown as withdrawn where bids are listed; no award, moderation or further scoring
    detail = web.get(f"/en/tenders/{made.pk}/").content.decode()
    assert "Withdrawn bids" in detail and "Supplier withdrew by email on 3 March" in detail
    assert "Award the lot to Alpha Coaches" in detail
    bids_page = web.get(f"/en/tenders/{made.pk}/setup/bidders/").content.decode()
    assert "Withdrawn" in bids_page
    with pytest.raises(services.TenderError, match="withdrawn"):
        services.lot_award(actor=officer, lot=lot, bidder=gamma)
    with pytest.raises(services.TenderError, match="withdrawn"):
        services.score_moderate(
            actor=officer, bidder=gamma, criterion=price, score=1, reason="Late"
        )
    with pytest.raises(services.TenderError, match="already been withdrawn"):
        services.bidder_withdraw(actor=officer, bidder=gamma, reason="Twice")
    feedback = web.get(f"/en/tenders/{made.pk}/bidders/{gamma.pk}/feedback/").content.decode()
    assert "This bid was withdrawn on" in feedback
    assert web.get(f"/en/tenders/{made.pk}/bidders/{gamma.pk}/feedback.pdf").status_code == 404
    report = web.get(f"/en/tenders/{made.pk}/award-report.pdf")
    text = " ".join(pdf_text(report.content).split())
    assert "Withdrawn bids, not ranked" in text and "Gamma Buses" in text

    # an evaluator who had not submitted scores only the bids still in the evaluation
    sheet = client_for(third).get(f"/en/tenders/{made.pk}/score/").content.decode()
    assert "Withdrawn bids are no longer scored" in sheet
    assert f'name="s-{gamma.pk}-' not in sheet
    score_sheet(third, made, {"Alpha Coaches": (3, 3, 3), "Beta Travel": (4, 3, 3)})
    assert made.evaluators.get(user=third).submitted_at is not None


def test_a_stood_down_evaluator_s_scores_are_kept_but_no_longer_count(make_user: Any) -> None:
    """Two bids under "lowest ÷ bid", price 40 (Alpha £100,000 gets 40, Beta £125,000 gets
    40 × 100/125 = 32) and quality 60, each evaluator giving a bid one score on every criterion
    (scale 0–5), so quality points are 60 × mean / 5:

    * Carys: Alpha 3, Beta 4; Ioan: Alpha 5, Beta 1 → means Alpha 4, Beta 2.5:
      Alpha 40 + 48 = 88, Beta 32 + 30 = 62.
    * Ioan stood down, Carys alone: Alpha 40 + 36 = 76, Beta 32 + 48 = 80. Beta wins.

    Mair saved scores but never submitted, so the results waited for her until she was stood
    down."""
    officer = make_user("analyst")
    made = support.procurement(officer)
    carys = make_user("participant", first_name="Carys", last_name="Price")
    ioan = make_user("participant", first_name="Ioan", last_name="Evans")
    mair = make_user("participant", first_name="Mair", last_name="Jones")
    for person in (carys, ioan, mair):
        services.evaluator_add(actor=officer, procurement=made, user=person)
    support.score_all(carys, made, {"Alpha Coaches": 3, "Beta Travel": 4})
    support.score_all(ioan, made, {"Alpha Coaches": 5, "Beta Travel": 1})
    support.score_all(mair, made, {"Alpha Coaches": 1, "Beta Travel": 1}, submit=False)
    web = client_for(officer)
    lot = made.lots.get()

    def ranking() -> list[tuple[str, float]]:
        api = web.get(f"/api/tenders/{made.pk}/results").json()["lots"][0]
        return [(r["bidder"], r["total"]) for r in api["ranking"]]

    assert ranking() == [("Alpha Coaches", 88.0), ("Beta Travel", 62.0)]
    assert not selectors.lot_result(lot).complete  # waiting for Mair

    standing_mair = made.evaluators.get(user=mair)
    url = f"/en/tenders/{made.pk}/setup/evaluators/{standing_mair.pk}/stand-down/"
    page = web.get(url).content.decode()
    assert "They have 6 saved scores, which are kept." in page
    page = web.post(url, {"reason": " "}).content.decode()
    assert "There is a problem" in page and "Give the reason the evaluator is stood down." in page
    response = web.post(url, {"reason": "On long-term leave"})
    assert response["Location"] == f"/en/tenders/{made.pk}/setup/evaluators/"
    standing_mair.refresh_from_db()
    assert standing_mair.stood_down and standing_mair.stand_down_reason == "On long-term leave"
    # her scores are kept on record and did not count: the results are the same, and final
    assert Score.objects.filter(evaluator=standing_mair).count() == 6
    assert ranking() == [("Alpha Coaches", 88.0), ("Beta Travel", 62.0)]
    assert selectors.lot_result(lot).complete
    entry = last_entry("tenders.evaluator_stood_down")
    assert entry.before["stood_down_at"] is None
    assert entry.after["reason"] == "On long-term leave" and entry.after["scores_kept"] == 6
    assert (
        "stood down: On long-term leave"
        in web.get(f"/en/tenders/{made.pk}/setup/evaluators/").content.decode()
    )
    # she sees the bids no more, and cannot score
    mair_web = client_for(mair)
    assert mair_web.get(f"/en/tenders/{made.pk}/score/").status_code == 302
    assert "You have been stood down" in mair_web.get(f"/en/tenders/{made.pk}/").content.decode()
    with pytest.raises(services.TenderError, match="stood down"):
        services.scores_save(actor=mair, procurement=made, scores={}, submit=True)

    # a conflict found after Ioan submitted: his scores stop counting, and the winner changes
    standing_ioan = made.evaluators.get(user=ioan)
    services.evaluator_stand_down(
        actor=officer, evaluator=standing_ioan, reason="Conflict found after scoring"
    )
    assert ranking() == [("Beta Travel", 80.0), ("Alpha Coaches", 76.0)]
    sheet = client_for(carys).get(f"/en/tenders/{made.pk}/score/").content.decode()
    assert "Ioan" not in sheet  # his scores are no longer shown beside hers
    with pytest.raises(services.TenderError, match="already been stood down"):
        services.evaluator_stand_down(actor=officer, evaluator=standing_ioan, reason="Again")
    # once a lot is awarded, the panel is fixed
    services.lot_award(actor=officer, lot=lot, bidder=lot.bidders.get(name="Beta Travel"))
    with pytest.raises(services.TenderError, match="has been awarded"):
        services.evaluator_stand_down(
            actor=officer, evaluator=made.evaluators.get(user=carys), reason="Late"
        )
    # only the manager may stand an evaluator down
    with pytest.raises(PermissionDenied):
        services.evaluator_stand_down(
            actor=carys, evaluator=made.evaluators.get(user=carys), reason="Myself"
        )
    assert Score.objects.count() == 18  # nothing lost


def test_another_body_cannot_correct_anything(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    lot = made.lots.get()
    alpha = lot.bidders.get(name="Alpha Coaches")
    commitment = alpha.commitments.get()
    evaluator = services.evaluator_add(
        actor=officer, procurement=made, user=make_user("participant")
    )
    measure = SocialValueMeasure.objects.get(owner_body=officer.body)
    stranger = client_for(make_user("analyst", "W06000022"))
    base = f"/en/tenders/{made.pk}/setup"
    pages = [
        f"{base}/details/",
        f"{base}/lots/{lot.pk}/remove/",
        f"{base}/bidders/{alpha.pk}/",
        f"{base}/bidders/{alpha.pk}/remove/",
        f"{base}/bidders/{alpha.pk}/withdraw/",
        f"{base}/commitments/{commitment.pk}/remove/",
        f"{base}/evaluators/{evaluator.pk}/remove/",
        f"/en/tenders/measures/{measure.pk}/",
        f"/en/tenders/measures/{measure.pk}/remove/",
    ]
    for page in pages:
        assert stranger.get(page).status_code == 404, page
        assert stranger.post(page, {"title_en": "Taken", "reason": "x"}).status_code == 404, page
    made.refresh_from_db()
    alpha.refresh_from_db()
    assert made.title_en == "School transport" and not alpha.withdrawn
    assert Evaluator.objects.filter(pk=evaluator.pk).exists()
    assert SocialValueMeasure.objects.filter(pk=measure.pk).exists()
    # the named evaluator does not manage it either; an assessor is refused by the page rule
    assert client_for(evaluator.user).get(f"{base}/details/").status_code == 404
    assert client_for(make_user("assessor")).get(f"{base}/details/").status_code == 403
    # and the services refuse whoever calls them
    with pytest.raises(PermissionDenied):
        services.bidder_withdraw(actor=make_user("analyst", "W06000022"), bidder=alpha, reason="x")
