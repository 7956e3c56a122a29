"""Tender evaluation through the services and the pages: weights, declarations, independent
scoring, moderation, results, award, feedback, social-value delivery and who sees what."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from infuse.audit.models import AuditEntry
from infuse.tenders import selectors, services
from infuse.tenders.models import Commitment

from . import support

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("analyst")


@pytest.fixture
def made(officer: Any) -> Any:
    return support.procurement(officer)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_weights_that_do_not_add_up_to_100_are_refused_with_the_total(
    officer: Any, made: Any
) -> None:
    tree = [dict(g) for g in support.TREE]
    tree[0] = {**tree[0], "weight": 35}
    with pytest.raises(services.TenderError, match="add up to 95; they must add up to exactly 100"):
        services.criteria_set(actor=officer, procurement=made, tree=tree)
    assert made.criteria.count() == 5  # unchanged
    # the leaves in tree order (a group's children follow it, whatever their own order)
    names = [c.name_en for c in selectors.leaves(made)]
    assert names == ["Price", "Method", "Staffing", "Social value"]


def test_an_officer_of_another_body_cannot_manage(made: Any, make_user: Any) -> None:
    stranger = make_user("analyst", "W06000022")
    with pytest.raises(PermissionDenied):
        services.bidder_add(actor=stranger, lot=made.lots.get(), name="X", price=1)


def test_bids_stay_hidden_until_interests_are_declared(
    officer: Any, made: Any, make_user: Any
) -> None:
    evaluator = make_user("participant")
    services.evaluator_add(actor=officer, procurement=made, user=evaluator)
    client = client_for(evaluator)
    page = client.get(f"/en/tenders/{made.pk}/score/", follow=True).content.decode()
    assert "Alpha Coaches" not in page
    assert "Do you have a conflict of interest" in page
    with pytest.raises(services.TenderError, match="Declare your interests"):
        services.scores_save(actor=evaluator, procurement=made, scores={})
    client.post(
        f"/en/tenders/{made.pk}/declare/",
        {"has_conflict": "yes", "declaration": "My brother runs Alpha"},
    )
    assert (
        "Alpha Coaches"
        not in client.get(f"/en/tenders/{made.pk}/score/", follow=True).content.decode()
    )


def test_independent_scoring_moderation_award_and_feedback(
    officer: Any, made: Any, make_user: Any
) -> None:
    first, second = make_user("participant"), make_user("participant")
    for person in (first, second):
        services.evaluator_add(actor=officer, procurement=made, user=person)
    # the first scores through the page, leaving a comment, and submits
    client = client_for(first)
    client.post(f"/en/tenders/{made.pk}/declare/", {"has_conflict": "no"})
    sheet = client.get(f"/en/tenders/{made.pk}/score/").content.decode()
    assert "Alpha Coaches" in sheet and "you will see the other evaluators" in sheet
    form = {}
    bidders = {b.name: b for b in made.lots.get().bidders.all()}
    for criterion in selectors.scored_criteria(made):
        for name, value in (("Alpha Coaches", 3), ("Beta Travel", 5)):
            form[f"s-{bidders[name].pk}-{criterion.pk}"] = str(value)
            form[f"c-{bidders[name].pk}-{criterion.pk}"] = f"First on {name}"
    form["submit"] = "1"
    client.post(f"/en/tenders/{made.pk}/score/", form)
    # the second has not submitted: they do not see the first's comments
    support.score_all(second, made, {"Alpha Coaches": 3, "Beta Travel": 4}, submit=False)
    assert (
        "First on Alpha"
        not in client_for(second).get(f"/en/tenders/{made.pk}/score/").content.decode()
    )
    services.scores_save(actor=second, procurement=made, scores={}, submit=True)
    assert (
        "First on Alpha" in client_for(second).get(f"/en/tenders/{made.pk}/score/").content.decode()
    )

    # Alpha: price 40 + quality/social 3/5 × 60 = 76. Beta: 32 + 4.5/5 × 60 = 86 → Beta wins.
    manager = client_for(officer)
    page = manager.get(f"/en/tenders/{made.pk}/").content.decode()
    assert "lowest price ÷ bid price × maximum" in page
    assert ">86.0<" in page and ">76.0<" in page
    # Alpha needs 10 points. It is already the lowest, but a lower price cuts Beta's price
    # points: 40 × p/125,000 + 54 = 76 at p = 68,750, a cut of £31,250.
    assert "needs 10.0 more weighted points" in page
    assert "fall by £31,250.00" in page

    criterion = selectors.scored_criteria(made)[0]  # Method, weight 30
    response = manager.post(
        f"/en/tenders/{made.pk}/moderate/",
        {
            "bidder": bidders["Beta Travel"].pk,
            "criterion": criterion.pk,
            "score": "2",
            "reason": "",
        },
        follow=True,
    )
    assert "Give the reason for the moderated score" in response.content.decode()
    manager.post(
        f"/en/tenders/{made.pk}/moderate/",
        {
            "bidder": bidders["Beta Travel"].pk,
            "criterion": criterion.pk,
            "score": "2",
            "reason": "Method lacks routes",
        },
    )
    entry = AuditEntry.objects.filter(action="tenders.score_moderated").get()
    assert entry.after["reason"] == "Method lacks routes"
    # Beta's method 4.5 → 2: 86 − 2.5/5 × 30 = 71 < 76 → Alpha now ranks first
    page = manager.get(f"/en/tenders/{made.pk}/").content.decode()
    assert ">71.0<" in page and "Award the lot to Alpha Coaches" in page
    lot = made.lots.get()
    manager.post(
        f"/en/tenders/{made.pk}/lots/{lot.pk}/award/", {"bidder": bidders["Alpha Coaches"].pk}
    )
    lot.refresh_from_db()
    assert lot.awarded_to == bidders["Alpha Coaches"]

    letter = manager.get(
        f"/en/tenders/{made.pk}/bidders/{bidders['Beta Travel'].pk}/feedback/"
    ).content.decode()
    assert "Feedback to Beta Travel" in letter and "First on Beta" in letter
    assert "from Alpha Coaches, scored 76.0" in letter

    # social value delivered after award: 1 of 2 apprentices, £1,000 of £2,000
    commitment = Commitment.objects.get(bidder=bidders["Alpha Coaches"])
    manager.post(f"/en/tenders/{made.pk}/commitments/{commitment.pk}/delivery/", {"delivered": "1"})
    page = manager.get(f"/en/tenders/{made.pk}/").content.decode()
    assert "£2,000" in page and "£1,000" in page

    pdf = manager.get(f"/en/tenders/{made.pk}/award-report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")

    api = manager.get(f"/api/tenders/{made.pk}/results").json()
    assert api["lots"][0]["awarded_to"] == "Alpha Coaches"
    assert [r["total"] for r in api["lots"][0]["ranking"]] == [76.0, 71.0]


def test_others_see_nothing_of_a_live_evaluation(made: Any, make_user: Any) -> None:
    colleague_elsewhere = make_user("analyst", "W06000022")
    assessor = make_user("assessor")
    for person in (colleague_elsewhere, assessor):
        client = client_for(person)
        assert client.get(f"/en/tenders/{made.pk}/").status_code == 404
        assert "School transport" not in client.get("/en/tenders/").content.decode()
        assert client.get(f"/api/tenders/{made.pk}/results").status_code == 404


def test_the_pages_speak_welsh(officer: Any, made: Any) -> None:
    page = client_for(officer).get(f"/cy/tenders/{made.pk}/").content.decode()
    assert "Cludiant ysgol" in page and "Llwybrau" in page and "Ansawdd" in page
