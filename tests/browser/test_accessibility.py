"""axe-core finds no serious or critical WCAG 2.2 AA failure on any main page; the skip link works.

axe-core is injected as an inline script, which the Content-Security-Policy forbids, so these
pages bypass the CSP (test_security.py checks the CSP itself).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import CAERPHILLY, NEWPORT

from .support import PASSWORD, axe_violations, describe_violations

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def _signed_out(make_user: Any) -> None:
    return None


def _participant(make_user: Any) -> Any:
    from infuse.accounts.services import api_token_create

    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    make_user("analyst", CAERPHILLY, first_name="Dafydd", last_name="Jenkins")
    # A token, so that the tokens table has a row with its Revoke button.
    api_token_create(actor=user, user=user, name="monthly spend import script")
    return user


def _analyst_with_spend(make_user: Any) -> Any:
    from infuse.procurement.services import spend_import_run, spend_upload

    user = make_user("analyst", CAERPHILLY, first_name="Dafydd", last_name="Jenkins")
    ledger = (
        "Date,Supplier,Amount,Department,Invoice Number\n"
        "01/04/2025,Acme Ltd,1200.00,Highways,INV-1\n"
        "04/04/2025,Acme Ltd,1200.00,Highways,INV-2\n"
        "10/04/2025,Cwmni Cyf,560.50,Education,C-9\n"
        "12/04/2025,REDACTED PERSONAL DATA,700.00,Social Care,\n"
        "15/04/2025,Cwmni Cyf,,Education,C-10\n"
    )
    live = spend_upload(actor=user, body=user.body, file_name="april.csv", content=ledger.encode())
    user.sample_batch = spend_import_run(actor=user, batch=live).pk
    unsure = spend_upload(
        actor=user,
        body=user.body,
        file_name="may.csv",
        content=b"Date,Supplier,Amount,Date Paid\n01/05/2025,Acme Ltd,100.00,02/05/2025\n",
    )
    user.sample_mapping = spend_import_run(actor=user, batch=unsure).pk
    from infuse.procurement.selectors import supplier_clusters_of_body
    from infuse.procurement.services import supplier_list_upload

    clusters, _files = supplier_clusters_of_body(user.body)
    names = clusters.assignments["name"].to_list()
    user.sample_cluster = clusters.assignments["cluster_id"][names.index("Acme Ltd")]
    supplier_list_upload(
        actor=user,
        body=user.body,
        file_name="suppliers.csv",
        content=b"Supplier name,SME,Postcode\nAcme Ltd,yes,CF83 3GW\nNobody,maybe,\n",
    )
    return user


def _analyst_with_carbon(make_user: Any) -> Any:
    from infuse.procurement.services import carbon_factor_set_builtin

    user = _analyst_with_spend(make_user)
    user.sample_factors = carbon_factor_set_builtin().pk
    return user


def _officer_with_experiments(make_user: Any) -> Any:
    from tests.adaption.support import experiment_world

    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    for name, value in experiment_world(user).items():
        setattr(user, f"sample_{name}", value.pk)
    return user


def _officer_with_decided_trial(make_user: Any) -> Any:
    from infuse.adaption import services
    from infuse.adaption.models import Experiment
    from tests.adaption.support import stepped_wedge_outcomes

    user = _officer_with_experiments(make_user)
    experiment = Experiment.objects.get(pk=user.sample_experiment)
    services.outcomes_upload(
        actor=user,
        experiment=experiment,
        file_name="kwh.csv",
        content=stepped_wedge_outcomes(experiment, saving=10.0),
        outcome_column="kwh",
    )
    services.experiment_decide(
        actor=user, experiment=experiment, decision="scale", reason="A clear saving."
    )
    user.sample_decided = experiment.pk
    return user


def _officer_with_data_question(make_user: Any) -> Any:
    from infuse.datalab import services
    from infuse.datalab.dpia import QUESTION_KEYS
    from tests.datalab.support import data_question

    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    question = data_question(user)
    services.ethics_area_save(
        actor=user, question=question, area="rights", answer="Open licence", status="complete"
    )
    services.ethics_action_add(
        actor=user, question=question, area="rights", text="Check", owner="IG lead", priority="high"
    )
    answers = {key: key == "tracking" for key in QUESTION_KEYS}
    services.dpia_screening_save(actor=user, question=question, answers=answers)
    for transparency in (1, 3):
        services.def_assessment_save(
            actor=user,
            question=question,
            scores={"transparency": transparency, "accountability": 2, "fairness": 2},
            rationales={"transparency": "a", "accountability": "b", "fairness": "c"},
            actions="Publish the method.",
        )
    user.sample_question = question.pk
    return user


def _officer_with_contracts(make_user: Any) -> Any:
    """A Caerphilly officer whose body has two contracts, one of them red-flagged (UK002)."""
    from infuse.procurement.contract_services import ocds_import
    from tests.procurement.contract_support import package, release

    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    notices = package(
        release(
            "ocds-a11y-1", "Highway resurfacing", ends_in_days=200, value=600_000, tender_days=10
        ),
        release("ocds-a11y-2", "Library books", ends_in_days=500),
    )
    ocds_import(actor=user, body=user.body, file_name="notices.json", content=notices)
    return user


def _analyst_with_contract_spend(make_user: Any) -> Any:
    """A Caerphilly analyst whose body has a spend ledger and a contracts register."""
    from tests.procurement.test_contract_spend import loaded_analyst

    return loaded_analyst(make_user)


def _officer_with_dataset(make_user: Any) -> Any:
    from tests.datalab.test_datasets import private_dataset

    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    user.sample_dataset = private_dataset(user).pk
    return user


def _officer_with_indicator_sample(make_user: Any) -> Any:
    from infuse.datalab.indicator_services import indicators_load
    from infuse.demo.indicators import sample_reading

    indicators_load(actor=None, readings=[sample_reading()], sample=True)
    return make_user("participant", CAERPHILLY)


def _facilitator_reviewing(make_user: Any) -> Any:
    from tests.datalab.support import data_question

    officer = make_user("participant", CAERPHILLY)
    user = make_user("facilitator", None, first_name="Rhian", last_name="Evans")
    user.sample_question = data_question(officer).pk
    return user


def _visitor_of_the_challenge_fund(make_user: Any) -> None:
    from tests.challenges import support

    support.call(make_user("programme_manager", None), title_en="Regional Challenge Fund")
    return None


def _challenge_fund_manager(make_user: Any) -> Any:
    from tests.challenges import support

    made = support.scored_round(make_user)
    user = made["manager"]
    user.sample_call = made["call"].pk
    return user


def _challenge_fund_assessor(make_user: Any) -> Any:
    from tests.challenges import support

    made = support.scored_round(make_user)
    user = made["assessors"][2]  # declared, not yet scored: the scoring form
    user.sample_bid = made["bid"].pk
    return user


def _tender_manager(make_user: Any) -> Any:
    from tests.tenders import support

    user = make_user("analyst", CAERPHILLY, first_name="Dafydd", last_name="Jenkins")
    made = support.procurement(user)
    for values in ({"Alpha Coaches": 3, "Beta Travel": 5}, {"Alpha Coaches": 4, "Beta Travel": 4}):
        evaluator = make_user("participant", CAERPHILLY)
        support.services.evaluator_add(actor=user, procurement=made, user=evaluator)
        support.score_all(evaluator, made, values)
    user.sample_tender = made.pk
    _tender_set_up_samples(user, made)
    return user


def _tender_set_up_samples(user: Any, made: Any) -> None:
    """The set-up records a correction page is about: a lot, Alpha's bid and commitment, the
    first evaluator and the measure."""
    lot = made.lots.get()
    alpha = lot.bidders.get(name="Alpha Coaches")
    commitment = alpha.commitments.get()
    user.sample_lot, user.sample_bidder, user.sample_commitment = lot.pk, alpha.pk, commitment.pk
    user.sample_measure = commitment.measure_id
    evaluator = made.evaluators.first()
    user.sample_evaluator = evaluator.pk if evaluator else ""


def _tender_evaluator(make_user: Any) -> Any:
    from tests.tenders import support

    made = support.procurement(make_user("analyst", CAERPHILLY))
    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    support.services.evaluator_add(actor=None, procurement=made, user=user)
    support.services.interests_declare(
        actor=user, procurement=made, has_conflict=False, declaration=""
    )
    user.sample_tender = made.pk
    return user


def _tender_setter(make_user: Any) -> Any:
    from tests.tenders import support

    user = make_user("analyst", CAERPHILLY, first_name="Dafydd", last_name="Jenkins")
    made = support.procurement(user)
    user.sample_tender = made.pk
    _tender_set_up_samples(user, made)
    return user


def _facilitator_with_cohort(make_user: Any) -> Any:
    from infuse.programme.services import session_update
    from tests.programme.support import programme_world, rate_entry_and_exit

    world = programme_world(make_user)
    rate_entry_and_exit(world)
    user = world["facilitator"]
    session = world["cohort"].sessions.get(number=1)
    session_update(
        actor=user, session=session, values={"materials_en": "## Week one\n\n- Bring a decision"}
    )
    user.sample_cohort = world["cohort"].pk
    user.sample_session = session.pk
    return user


def _administrator(make_user: Any) -> Any:
    return make_user("administrator", None, first_name="Alex", last_name="Bowen")


# (who, path, expected status, text the page must show so we know it is the right page)
PAGES = [
    pytest.param(_signed_out, "/en/", 200, "Taking part", id="signed-out-welcome-en"),
    pytest.param(_signed_out, "/cy/", 200, "Caerffili", id="signed-out-welcome-cy"),
    pytest.param(_signed_out, "/en/accounts/sign-in/", 200, "Sign in to Infuse", id="sign-in"),
    pytest.param(_signed_out, "/en/accounts/password-reset/", 200, None, id="password-reset"),
    pytest.param(_signed_out, "/en/reference/", 200, "Public bodies", id="reference-index"),
    pytest.param(
        _signed_out,
        f"/en/reference/bodies/{CAERPHILLY}/",
        200,
        "Caerphilly",
        id="reference-body",
    ),
    pytest.param(_signed_out, "/en/accessibility/", 200, None, id="accessibility-statement"),
    pytest.param(_signed_out, "/en/api-docs/", 200, "/api/me", id="api-docs"),
    pytest.param(_signed_out, "/en/no-such-page/", 404, "Page not found", id="page-not-found"),
    pytest.param(
        _visitor_of_the_challenge_fund,
        "/cy/challenge-fund/",
        200,
        "Cronfa Her 2027",
        id="challenge-fund-open-calls-cy",
    ),
    pytest.param(
        _challenge_fund_manager,
        "/en/challenge-fund/calls/{call}/panel/",
        200,
        "outlier",
        id="challenge-fund-panel",
    ),
    pytest.param(
        _challenge_fund_assessor,
        "/en/challenge-fund/bids/{bid}/assess/",
        200,
        "Submit scores",
        id="challenge-fund-scoring",
    ),
    pytest.param(
        _tender_manager, "/en/tenders/{tender}/", 200, "Feedback letter", id="tender-results"
    ),
    pytest.param(
        _tender_evaluator, "/en/tenders/{tender}/score/", 200, "Submit scores", id="tender-scoring"
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/criteria/",
        200,
        "Add another sub-criterion",
        id="tender-setup-criteria",
    ),
    pytest.param(
        _tender_setter, "/en/tenders/{tender}/setup/bidders/", 200, "Add the bid", id="tender-bids"
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/details/",
        200,
        "Save the details",
        id="tender-details",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/bidders/{bidder}/",
        200,
        "Save the bid",
        id="tender-bid-change",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/bidders/{bidder}/remove/",
        200,
        "Yes, remove the bid",
        id="tender-bid-remove",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/commitments/{commitment}/remove/",
        200,
        "Yes, remove the commitment",
        id="tender-commitment-remove",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/{tender}/setup/lots/{lot}/remove/",
        200,
        "cannot be removed",
        id="tender-lot-remove-refused",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/measures/{measure}/",
        200,
        "Save the measure",
        id="tender-measure",
    ),
    pytest.param(
        _tender_setter,
        "/en/tenders/measures/{measure}/remove/",
        200,
        "cannot be removed",
        id="tender-measure-remove-refused",
    ),
    pytest.param(
        _tender_manager,
        "/en/tenders/{tender}/setup/bidders/{bidder}/withdraw/",
        200,
        "Withdraw the bid",
        id="tender-bid-withdraw",
    ),
    pytest.param(
        _tender_manager,
        "/en/tenders/{tender}/setup/evaluators/{evaluator}/remove/",
        200,
        "cannot be removed as an evaluator",
        id="tender-evaluator-remove-refused",
    ),
    pytest.param(
        _tender_manager,
        "/en/tenders/{tender}/setup/evaluators/{evaluator}/stand-down/",
        200,
        "Stand down",
        id="tender-evaluator-stand-down",
    ),
    pytest.param(
        _participant,
        "/en/challenge-fund/challenges/new/",
        200,
        "How might we",
        id="challenge-fund-challenge-form",
    ),
    pytest.param(_participant, "/en/", 200, "The three labs", id="participant-home-en"),
    pytest.param(_participant, "/cy/", 200, "Caerffili", id="participant-home-cy"),
    pytest.param(
        _participant,
        f"/en/bodies/{CAERPHILLY}/workspace/",
        200,
        "Dafydd Jenkins",
        id="participant-workspace",
    ),
    pytest.param(_participant, "/en/accounts/profile/", 200, "Your profile", id="profile"),
    pytest.param(
        _participant,
        "/en/accounts/api-tokens/",
        200,
        "monthly spend import script",
        id="api-tokens",
    ),
    pytest.param(
        _participant,
        f"/en/bodies/{NEWPORT}/workspace/",
        403,
        "You do not have permission to see this page",
        id="permission-denied",
    ),
    pytest.param(_administrator, "/en/audit/", 200, None, id="admin-audit"),
    pytest.param(
        _administrator, "/en/reference/", 200, "Reload reference data", id="admin-reference"
    ),
    pytest.param(
        _administrator, "/en/reference/bodies/upload/", 200, None, id="admin-bodies-upload"
    ),
    pytest.param(
        _administrator,
        "/cy/reference/postcode-districts/",
        200,
        None,
        id="admin-postcode-districts-cy",
    ),
    pytest.param(_analyst_with_spend, "/en/procurement/spend/", 200, "Top suppliers", id="spend"),
    pytest.param(_analyst_with_spend, "/cy/procurement/spend/", 200, "Caerffili", id="spend-cy"),
    pytest.param(
        _analyst_with_spend, "/en/procurement/spend/files/", 200, "may.csv", id="spend-files"
    ),
    pytest.param(
        _analyst_with_spend,
        "/en/procurement/spend/files/{batch}/",
        200,
        "Rejected lines",
        id="spend-file",
    ),
    pytest.param(
        _analyst_with_spend,
        "/en/procurement/spend/files/{mapping}/columns/",
        200,
        "Check the columns",
        id="spend-file-columns",
    ),
    pytest.param(
        _analyst_with_spend, "/en/procurement/spend/lines/", 200, "Acme Ltd", id="spend-lines"
    ),
    pytest.param(
        _analyst_with_spend,
        "/en/procurement/spend/region/",
        200,
        "The bodies side by side",
        id="spend-region",
    ),
    pytest.param(
        _analyst_with_spend,
        f"/en/procurement/spend/categories/{CAERPHILLY}/",
        200,
        "Spend categories",
        id="spend-categories",
    ),
    pytest.param(
        _analyst_with_spend,
        "/en/procurement/spend/duplicates/",
        200,
        "Same amount",
        id="spend-duplicates",
    ),
    pytest.param(
        _analyst_with_carbon,
        f"/cy/procurement/carbon/?body={CAERPHILLY}",
        200,
        "tCO2e",
        id="carbon-cy",
    ),
    pytest.param(
        _analyst_with_carbon,
        f"/en/procurement/carbon/lines/?body={CAERPHILLY}",
        200,
        "Acme Ltd",
        id="carbon-lines",
    ),
    pytest.param(
        _analyst_with_carbon,
        f"/en/procurement/carbon/{CAERPHILLY}/rules/",
        200,
        "Add a rule",
        id="carbon-rules",
    ),
    pytest.param(
        _analyst_with_carbon,
        "/en/procurement/carbon/factors/{factors}/",
        200,
        "Open Government Licence",
        id="carbon-factor-set",
    ),
    pytest.param(
        _officer_with_contracts,
        "/cy/procurement/contracts/",
        200,
        "Library books",
        id="contracts-cy",
    ),
    pytest.param(
        _analyst_with_contract_spend,
        f"/en/procurement/contracts/spend/{CAERPHILLY}/",
        200,
        "Dragon Office Supplies",
        id="contract-spend",
    ),
    pytest.param(
        _officer_with_contracts,
        f"/en/procurement/contracts/red-flags/{CAERPHILLY}/",
        200,
        "UK002",
        id="contract-red-flags",
    ),
    pytest.param(
        _officer_with_contracts,
        f"/cy/procurement/contracts/red-flags/{CAERPHILLY}/settings/",
        200,
        "UK004",
        id="red-flag-settings-cy",
    ),
    pytest.param(_officer_with_experiments, "/en/adaption/", 200, "Experiments", id="adaption"),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/innovations/?q=energy",
        200,
        "Home energy reports",
        id="adaption-library",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/innovations/{innovation}/",
        200,
        "Core elements",
        id="adaption-innovation",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/innovations/{innovation}/assess/",
        200,
        "Fit to your area",
        id="adaption-assess",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/assessments/{assessment}/",
        200,
        "Test it first",
        id="adaption-assessment",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/experiments/{experiment}/",
        200,
        "Balance on baseline characteristics",
        id="adaption-experiment-locked",
    ),
    pytest.param(
        _officer_with_experiments,
        "/cy/adaption/experiments/{experiment}/",
        200,
        "Caerffili",
        id="adaption-experiment-cy",
    ),
    pytest.param(
        _officer_with_decided_trial,
        "/en/adaption/experiments/{decided}/",
        200,
        "Effect by time since each cluster started",
        id="adaption-stepped-wedge-results",
    ),
    pytest.param(
        _officer_with_decided_trial,
        "/cy/adaption/experiments/{decided}/summary/",
        200,
        "O ddyrannu i ddadansoddi",
        id="adaption-summary-cy",
    ),
    pytest.param(
        _officer_with_decided_trial,
        "/en/adaption/experiments/{decided}/decision/",
        200,
        "What the team decided",
        id="adaption-decision",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/experiments/{draft}/design/",
        200,
        "Which design should I choose?",
        id="adaption-design",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/experiments/{draft}/lock/",
        200,
        "Before the plan can be locked",
        id="adaption-lock",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/experiments/{draft}/units/",
        200,
        "Up to 2 million units",
        id="adaption-units",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/experiments/{experiment}/outcomes/",
        200,
        "Outcome column",
        id="adaption-outcomes",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/innovations/new/",
        200,
        "Core elements to keep",
        id="adaption-innovation-new",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/power/stepped-wedge/?solve=n&clusters=10&periods=6&icc=0.05&delta=0.3"
        "&power=0.8&calculate=1",
        200,
        "Few clusters?",
        id="adaption-power",
    ),
    pytest.param(
        _officer_with_experiments,
        "/en/adaption/power/two-means/?solve=n&delta=x&calculate=1",
        200,
        "There is a problem",
        id="adaption-power-error",
    ),
    pytest.param(
        _analyst_with_spend,
        "/en/procurement/suppliers/",
        200,
        "Merge the chosen suppliers",
        id="suppliers",
    ),
    pytest.param(
        _analyst_with_spend, "/cy/procurement/suppliers/", 200, "Caerffili", id="suppliers-cy"
    ),
    pytest.param(
        _analyst_with_spend,
        f"/en/procurement/suppliers/{CAERPHILLY}/{{cluster}}/",
        200,
        "Spellings in the spend files",
        id="supplier",
    ),
    pytest.param(
        _analyst_with_spend,
        f"/en/procurement/suppliers/{CAERPHILLY}/decisions/",
        200,
        "Decisions about suppliers",
        id="supplier-decisions",
    ),
    pytest.param(
        _analyst_with_spend,
        f"/en/procurement/suppliers/{CAERPHILLY}/lists/",
        200,
        "Add a supplier list",
        id="supplier-lists",
    ),
    pytest.param(_officer_with_data_question, "/en/datalab/", 200, "Data questions", id="datalab"),
    pytest.param(
        _officer_with_dataset, "/cy/datalab/datasets/", 200, "Housing", id="datalab-datasets-cy"
    ),
    pytest.param(
        _officer_with_dataset,
        "/en/datalab/datasets/{dataset}/",
        200,
        "Data-quality scorecard",
        id="datalab-dataset",
    ),
    pytest.param(
        _officer_with_dataset,
        "/en/datalab/datasets/new/",
        200,
        "Add a dataset",
        id="datalab-dataset-new",
    ),
    pytest.param(
        _officer_with_dataset,
        "/en/datalab/datasets/{dataset}/profile/",
        200,
        "Profile a file",
        id="datalab-dataset-profile",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/new/",
        200,
        "Start a data question",
        id="datalab-question-new",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/{question}/",
        200,
        "Energy advice targeting",
        id="datalab-question",
    ),
    pytest.param(
        _facilitator_reviewing,
        "/en/datalab/questions/{question}/",
        200,
        "Mark as ready",
        id="datalab-question-review",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/{question}/edit/",
        200,
        "Change a data question",
        id="datalab-question-edit",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/{question}/ethics/",
        200,
        "Open Data Institute",
        id="datalab-ethics",
    ),
    pytest.param(
        _officer_with_data_question,
        "/cy/datalab/questions/{question}/ethics/rights/",
        200,
        "IG lead",
        id="datalab-ethics-area-cy",
    ),
    pytest.param(
        _officer_with_indicator_sample,
        "/cy/datalab/indicators/co2-total/",
        200,
        "Allyriadau CO2, pob sector",
        id="datalab-indicator-cy",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/{question}/dpia/",
        200,
        "DPIA required",
        id="datalab-dpia",
    ),
    pytest.param(
        _officer_with_data_question,
        "/en/datalab/questions/{question}/ethics-framework/",
        200,
        "Scores over time",
        id="datalab-ethics-framework",
    ),
    pytest.param(
        _facilitator_with_cohort,
        "/en/programme/cohorts/{cohort}/",
        200,
        "Record attendance",
        id="programme-cohort",
    ),
    pytest.param(
        _facilitator_with_cohort,
        "/cy/programme/sessions/{session}/attendance/",
        200,
        "Carys Price",
        id="programme-attendance-cy",
    ),
    pytest.param(
        _facilitator_with_cohort,
        "/en/programme/capability/",
        200,
        "By authority",
        id="programme-uplift",
    ),
]


def assert_no_serious_violations(page: Any) -> None:
    violations = axe_violations(page)
    serious = [v for v in violations if v["impact"] in SERIOUS]
    assert not serious, (
        f"axe-core found serious or critical WCAG failures on {page.url}:\n"
        + describe_violations(violations)
    )


@pytest.mark.parametrize(("who", "path", "status", "shows"), PAGES)
def test_page_has_no_serious_accessibility_failures(
    axe_context: Any,
    make_user: Any,
    sign_in_as: Any,
    who: Callable[[Any], Any],
    path: str,
    status: int,
    shows: str | None,
) -> None:
    user = who(make_user)
    if user is not None:
        sign_in_as(axe_context, user)
    page = axe_context.new_page()
    samples = {
        name: getattr(user, f"sample_{name}", "")
        for name in (
            "batch",
            "mapping",
            "cluster",
            "innovation",
            "assessment",
            "experiment",
            "draft",
            "decided",
            "question",
            "dataset",
            "call",
            "bid",
            "factors",
            "cohort",
            "session",
            "tender",
            "lot",
            "bidder",
            "commitment",
            "evaluator",
            "measure",
        )
    }
    path = path.format(**samples)
    response = page.goto(path)
    assert response is not None and response.status == status, path
    if user is not None:
        expect(page.locator("header")).to_contain_text(user.first_name)
    if shows is not None:
        expect(page.locator("main")).to_contain_text(shows)
    assert_no_serious_violations(page)


def test_sign_in_error_summary_has_no_serious_accessibility_failures(
    axe_context: Any, make_user: Any
) -> None:
    user = make_user("participant", CAERPHILLY)
    page = axe_context.new_page()
    page.goto("/en/accounts/sign-in/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD + " but wrong")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct username and password")
    expect(page).to_have_title("Error: Sign in – Infuse")
    assert_no_serious_violations(page)


@pytest.mark.parametrize("path", ["/en/", "/cy/accounts/sign-in/"], ids=["welcome", "sign-in-cy"])
def test_first_tab_focuses_the_skip_link_which_moves_focus_to_main(
    page: Any, reference: Any, path: str
) -> None:
    page.goto(path)
    page.keyboard.press("Tab")
    skip_link = page.locator("a.govuk-skip-link")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()  # it appears when focused
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()
    assert page.url.endswith("#main-content")
