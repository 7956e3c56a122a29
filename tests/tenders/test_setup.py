"""Setting up a tender through the pages (procurement, lots, scale, criteria, measures, bids,
evaluators), who may, what is refused once scoring has started, the feedback letter as a
bilingual PDF, and the tender commands."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from infuse.audit.models import AuditEntry
from infuse.cli import app
from infuse.tenders import selectors, services
from infuse.tenders.models import Procurement, SocialValueMeasure

from . import support
from .pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_manager_sets_up_a_tender_through_the_pages(make_user: Any) -> None:
    officer = make_user("analyst", first_name="Dafydd", last_name="Jenkins")
    colleague = make_user("participant", first_name="Nia", last_name="Rees")
    elsewhere = make_user("participant", "W06000022", first_name="Owen", last_name="Hughes")
    web = client_for(officer)
    assert "Set up a tender" in web.get("/en/tenders/").content.decode()

    page = web.post("/en/tenders/new/", {"title_en": "", "price_formula": "lowest"})
    assert "There is a problem" in page.content.decode()
    response = web.post(
        "/en/tenders/new/",
        {
            "title_en": "School meals",
            "title_cy": "Prydau ysgol",
            "reference": "CCBC-2027-007",
            "description_en": "Catering for 40 primary schools.",
            "price_formula": "lowest",
            "lot_en": "North",
            "lot_cy": "Gogledd",
        },
    )
    made = Procurement.objects.get(reference="CCBC-2027-007")
    assert response["Location"] == f"/en/tenders/{made.pk}/setup/"
    assert made.owner_body == officer.body and made.scale_max == 5  # the default 0–5 scale
    base = f"/en/tenders/{made.pk}/setup"

    # a second lot with its own formula and ceiling
    web.post(
        f"{base}/lots/",
        {"title_en": "South", "price_formula": "linear", "price_ceiling": "500000"},
    )
    south = made.lots.get(number=2)
    assert (south.formula, south.ceiling) == ("linear", 500000)
    assert made.lots.get(number=1).formula == "lowest"
    assert (
        "Linear between the lowest price and a ceiling" in web.get(f"{base}/lots/").content.decode()
    )

    # "Add another" adds a row without saving or checking anything
    page = web.post(
        f"{base}/criteria/",
        {"rows": "2", "add_another": "1", "price_en": "Price", "q0_en": "Menus"},
    ).content.decode()
    assert 'name="q2_en"' in page and "There is a problem" not in page and 'value="Menus"' in page
    assert made.criteria.count() == 0

    # weights adding up to 95: a clear error, in Welsh too, and nothing saved
    tree = {
        "rows": "3",
        "price_en": "Price",
        "price_weight": "40",
        "quality_en": "Quality",
        "q0_en": "Menus",
        "q0_weight": "25",
        "q1_en": "Delivery",
        "q1_weight": "20",
        "q2_en": "",
        "social_en": "Social value",
        "social_weight": "10",
    }
    page = web.post(f"{base}/criteria/", tree).content.decode()
    assert "There is a problem" in page
    assert "The weights add up to 95; they must add up to exactly 100." in page
    assert made.criteria.count() == 0
    page = web.post(f"/cy/tenders/{made.pk}/setup/criteria/", tree).content.decode()
    assert "Mae problem wedi codi" in page and "Cyfanswm y pwysoliadau yw 95" in page
    assert made.criteria.count() == 0

    web.post(f"{base}/criteria/", {**tree, "social_weight": "15"})
    assert [c.name_en for c in selectors.leaves(made)] == [
        "Price",
        "Menus",
        "Delivery",
        "Social value",
    ]

    # the body's social-value measure, then a bid committing to it
    web.post(
        "/en/tenders/measures/",
        {
            "code": "NT1",
            "name_en": "Local people employed",
            "unit_en": "person",
            "proxy_value": "24000",
            "source": "Our framework 2027, table 2",
        },
    )
    measure = SocialValueMeasure.objects.get(owner_body=officer.body, code="NT1")
    assert "Our framework 2027, table 2" in web.get("/en/tenders/measures/").content.decode()
    web.post(
        f"{base}/bidders/",
        {
            "lot": made.lots.get(number=1).pk,
            "name": "Cegin Cymru",
            "price": "310000",
            f"m{measure.pk}": "3",
        },
    )
    bid = made.lots.get(number=1).bidders.get()
    assert bid.commitments.get().committed_value == 72000

    # evaluators are users of the body: a colleague elsewhere is not offered nor accepted
    page = web.get(f"{base}/evaluators/").content.decode()
    offered = page[page.index('name="user"') : page.index("</select>")]
    assert "Nia Rees" in offered and "Owen Hughes" not in offered
    assert "Dafydd Jenkins" not in offered  # the manager cannot evaluate too
    page = web.post(f"{base}/evaluators/", {"user": elsewhere.pk}).content.decode()
    assert "There is a problem" in page and not made.evaluators.exists()
    web.post(f"{base}/evaluators/", {"user": colleague.pk})
    assert list(made.evaluators.values_list("user", flat=True)) == [colleague.pk]

    overview = web.get(f"{base}/").content.decode()
    assert overview.count("Completed") == 5
    actions = set(AuditEntry.objects.filter(body=officer.body).values_list("action", flat=True))
    assert {
        "tenders.procurement_created",
        "tenders.lot_added",
        "tenders.criteria_set",
        "tenders.measure_added",
        "tenders.bidder_added",
        "tenders.evaluator_added",
    } <= actions


def test_another_body_and_assessors_cannot_set_up(make_user: Any) -> None:
    made = support.procurement(make_user("analyst"))
    stranger = client_for(make_user("analyst", "W06000022"))
    for page in ("setup/", "setup/lots/", "setup/criteria/", "setup/bidders/"):
        assert stranger.get(f"/en/tenders/{made.pk}/{page}").status_code == 404
    response = stranger.post(
        f"/en/tenders/{made.pk}/setup/criteria/",
        {"rows": "1", "price_en": "Price", "price_weight": "100"},
    )
    assert response.status_code == 404 and made.criteria.count() == 5
    # assessors only score bids: the set-up pages are not theirs (page rule)
    assert client_for(make_user("assessor")).get("/en/tenders/new/").status_code == 403


def test_criteria_scale_and_price_formula_are_fixed_once_scoring_starts(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    evaluator = make_user("participant")
    services.evaluator_add(actor=officer, procurement=made, user=evaluator)
    web = client_for(officer)
    base = f"/en/tenders/{made.pk}/setup"
    assert "Scoring has started" not in web.get(f"{base}/criteria/").content.decode()
    # one score saved, not yet submitted, is enough: it was given against these criteria
    support.score_all(evaluator, made, {"Alpha Coaches": 3, "Beta Travel": 4}, submit=False)
    page = web.post(
        f"{base}/criteria/",
        {"rows": "1", "price_en": "Price", "price_weight": "100", "quality_en": "Quality"},
    ).content.decode()
    assert "There is a problem" in page
    assert "the criteria and weights can no longer change" in page
    assert "would become meaningless" in page
    assert made.criteria.count() == 5
    levels = {"rows": "2", "level_0_en": "None", "level_1_en": "All"}
    assert "the scoring scale can no longer change" in (
        web.post(f"{base}/scale/", levels).content.decode()
    )
    assert made.levels.count() == 6
    lot = made.lots.get()
    page = web.post(
        f"{base}/lots/{lot.pk}/", {"title_en": "Routes north", "price_formula": "mean"}
    ).content.decode()
    assert "price formula can no longer change" in page
    # the title still can
    web.post(f"{base}/lots/{lot.pk}/", {"title_en": "Northern routes", "price_formula": ""})
    lot.refresh_from_db()
    assert (lot.title_en, lot.formula) == ("Northern routes", "lowest")


@pytest.fixture
def scored(make_user: Any) -> dict[str, Any]:
    """Two evaluators submitted; the panel moderated Beta's method down with a reason."""
    officer = make_user("analyst")
    made = support.procurement(officer)
    for values in ({"Alpha Coaches": 3, "Beta Travel": 5}, {"Alpha Coaches": 3, "Beta Travel": 4}):
        person = make_user("participant")
        services.evaluator_add(actor=officer, procurement=made, user=person)
        support.score_all(person, made, values)
    bidders = {b.name: b for b in made.lots.get().bidders.all()}
    method = selectors.scored_criteria(made)[0]
    services.score_moderate(
        actor=officer,
        bidder=bidders["Beta Travel"],
        criterion=method,
        score=2,
        reason="Method lacks winter routes",
    )
    return {"officer": officer, "made": made, "bidders": bidders, "evaluator": person}


def test_the_feedback_letter_downloads_as_a_bilingual_pdf(scored: dict[str, Any]) -> None:
    made, beta = scored["made"], scored["bidders"]["Beta Travel"]
    url = f"/en/tenders/{made.pk}/bidders/{beta.pk}/feedback.pdf"
    response = client_for(scored["officer"]).get(url)
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())  # table cells wrap across lines
    # English, then Welsh
    assert "Feedback to Beta Travel" in text and "Adborth i Beta Travel" in text
    assert text.index("Feedback to Beta Travel") < text.index("Adborth i Beta Travel")
    # Beta 71.0 ranks 2nd; the winner Alpha scored 76.0. Method (weight 30): Beta's moderated
    # 2 → 12.0 points beside Alpha's 3 → 18.0, with the panel's reason.
    assert "Your bid ranked 2 with 71.0 weighted points" in text
    assert "from Alpha Coaches, scored 76.0" in text
    assert "Method" in text and "2.0*" in text and "12.0" in text and "18.0" in text
    assert text.count("Method lacks winter routes") == 2  # in each language
    assert "Comment on Beta Travel" in text  # evaluators' comments where not moderated
    entry = AuditEntry.objects.get(action="tenders.document_issued")
    assert entry.after == {"document": "feedback letter", "bidder": "Beta Travel"}
    # evaluators and other bodies do not get it
    assert client_for(scored["evaluator"]).get(url).status_code == 404


def test_the_tender_commands_answer_as_the_api(scored: dict[str, Any]) -> None:
    made = scored["made"]
    runner = CliRunner()
    result = runner.invoke(app, ["tender-results", str(made.pk), "--json"])
    assert result.exit_code == 0, result.output
    api = client_for(scored["officer"]).get(f"/api/tenders/{made.pk}/results").json()
    assert json.loads(result.stdout) == api
    assert [r["bidder"] for r in api["lots"][0]["ranking"]] == ["Alpha Coaches", "Beta Travel"]

    result = runner.invoke(app, ["tender-sensitivity", str(made.pk), "--json"])
    lot = json.loads(result.stdout)["lots"][0]
    assert lot["winner"] == "Alpha Coaches" and len(lot["sensitivity"]) == 16  # 4 × 4
    assert lot["winner_changes"] == sum(s["changed"] for s in api["lots"][0]["sensitivity"])

    missing = runner.invoke(app, ["tender-results", "999999", "--json"])
    assert missing.exit_code == 1
    assert json.loads(missing.stdout) == {"error": "There is no procurement 999999."}


def test_every_set_up_page_opens_in_welsh(make_user: Any) -> None:
    officer = make_user("analyst")
    made = support.procurement(officer)
    web = client_for(officer)
    lot = made.lots.get()
    bidder = lot.bidders.first()
    assert bidder is not None
    for page in (
        "setup/",
        "setup/lots/",
        f"setup/lots/{lot.pk}/",
        "setup/scale/",
        "setup/criteria/",
        "setup/bidders/",
        "setup/evaluators/",
        f"bidders/{bidder.pk}/feedback/",
    ):
        response = web.get(f"/cy/tenders/{made.pk}/{page}")
        assert response.status_code == 200, page
        assert "Cludiant ysgol" in response.content.decode(), page
    # the saved tree fills the criteria form again
    page = web.get(f"/cy/tenders/{made.pk}/setup/criteria/").content.decode()
    assert 'value="Staffio"' in page and 'value="30.00"' in page
    assert web.get("/cy/tenders/new/").status_code == 200
    assert web.get("/cy/tenders/measures/").status_code == 200
