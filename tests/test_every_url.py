"""Walk every URL pattern as every role, signed out, and as a user of another authority.

Nothing here lists pages by hand: the patterns come from the URL configuration, so a page added
later is covered from birth. What this test needs to know is how to fill each kind of URL
parameter with a sample object, and who owns that object; a parameter it does not know fails
the test with a message saying to add a sample.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from infuse.accounts.models import Role, User
from infuse.accounts.policy import PAGE_RULES, rule_of
from infuse.demo import demo_build
from tests.conftest import CAERPHILLY, NEWPORT
from tests.tenders import support as tender_support

API_NAMESPACE = "api"


@dataclass(frozen=True)
class Route:
    name: str  # namespaced URL name, for reverse()
    parameters: tuple[str, ...]
    view: Any

    @property
    def is_api(self) -> bool:
        return self.name.startswith(API_NAMESPACE + ":")


def walk(patterns: list[Any], namespace: str = "") -> Iterator[Route]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            if not entry.name:
                continue
            yield Route(
                name=f"{namespace}{entry.name}",
                parameters=tuple(entry.pattern.converters),
                view=entry.callback,
            )


ROUTES = sorted(
    {r.name: r for r in walk(get_resolver().url_patterns)}.values(), key=lambda r: r.name
)
PAGE_ROUTES = [r for r in ROUTES if not r.is_api]


@dataclass(frozen=True)
class Sample:
    """A value for a URL parameter and whom the object behind it belongs to."""

    value: str
    owner_body: str | None = None  # a body's private record
    owner_user: str | None = None  # one person's own record
    marker: str = ""  # text that only a page showing the private object would contain


def samples_for(parameter: str, world: dict[str, Any]) -> list[Sample]:
    makers: dict[str, Callable[[], list[Sample]]] = {
        # Body codes name public reference pages and private workspaces; the rule decides.
        # The markers are demo members' names, shown only on their body's workspace.
        "code": lambda: [
            Sample(CAERPHILLY, owner_body=CAERPHILLY, marker="Dafydd Jenkins"),
            Sample(NEWPORT, owner_body=NEWPORT, marker="Owen Davies"),
        ],
        "job_id": lambda: [Sample(str(world["job"].pk), owner_user="dafydd", marker="Walker job")],
        "token_id": lambda: [
            Sample(str(world["token"].pk), owner_user="carys", marker="walker-token")
        ],
        "batch_id": lambda: [
            Sample(
                str(world["batch"].pk),
                owner_body=CAERPHILLY,
                marker="caerphilly-private-ledger.csv",
            )
        ],
        "kind": lambda: [Sample("month")],
        "file_id": lambda: [
            Sample(
                str(world["batch"].pk),
                owner_body=CAERPHILLY,
                marker="caerphilly-private-ledger.csv",
            )
        ],
        "innovation_id": lambda: [Sample(str(world["innovation"].pk), marker="Walker innovation")],
        "assessment_id": lambda: [
            Sample(str(world["assessment"].pk), owner_body=CAERPHILLY, marker="Walker assessment")
        ],
        "experiment_id": lambda: [
            Sample(str(world["experiment"].pk), owner_body=CAERPHILLY, marker="Walker experiment")
        ],
        "question_id": lambda: [
            Sample(str(world["question"].pk), owner_body=CAERPHILLY, marker="Walker data question")
        ],
        "contract_id": lambda: [
            Sample(str(world["contract"].pk), owner_body=CAERPHILLY, marker="Walker contract")
        ],
        "dataset_id": lambda: [
            Sample(str(world["dataset"].pk), owner_body=CAERPHILLY, marker="Walker dataset")
        ],
        # The Challenge Fund: a published call is public; a private challenge and a draft
        # bid (its team is one Caerphilly officer) belong to Caerphilly.
        "call_id": lambda: [Sample(str(world["call"].pk), marker="Walker call")],
        "challenge_id": lambda: [
            Sample(str(world["challenge"].pk), owner_body=CAERPHILLY, marker="Walker challenge")
        ],
        "bid_id": lambda: [
            Sample(str(world["bid"].pk), owner_body=CAERPHILLY, marker="Walker bid")
        ],
        "link_id": lambda: [Sample(str(world["bid_link"].pk), owner_body=CAERPHILLY)],
        "area": lambda: [Sample("rights")],
        "design": lambda: [Sample("stepped-wedge")],
        "method": lambda: [Sample("its")],
        # A body's supplier pages: its decision history and lists are its own; a cluster
        # found only in its private file (Acme Ltd) is seen by no other body.
        "body_code": lambda: [Sample(CAERPHILLY, owner_body=CAERPHILLY)],
        "cluster_id": lambda: [Sample(world["cluster_id"], owner_body=CAERPHILLY)],
        "decision_id": lambda: [Sample(str(world["decision"].pk), owner_body=CAERPHILLY)],
        "list_id": lambda: [Sample(str(world["supplier_list"].pk), owner_body=CAERPHILLY)],
        # Spend categories: a rule and a correction of Caerphilly's own.
        "rule_id": lambda: [Sample(str(world["category_rule"].pk), owner_body=CAERPHILLY)],
        "correction_id": lambda: [
            Sample(str(world["category_correction"].pk), owner_body=CAERPHILLY)
        ],
        # Carbon: factor sets are reference data; a body's scenarios are its own.
        "set_id": lambda: [Sample(str(world["carbon"]["factor_set"]))],
        "fmt": lambda: [Sample("csv")],
        "scenario_id": lambda: [Sample(str(world["carbon"]["scenario"]), owner_body=CAERPHILLY)],
        # Tender evaluation: a procurement private to Caerphilly with no outside evaluators.
        "procurement_id": lambda: [
            Sample(str(world["tender"].pk), owner_body=CAERPHILLY, marker="Walker tender")
        ],
        "lot_id": lambda: [Sample(str(world["tender"].lots.get().pk), owner_body=CAERPHILLY)],
        "bidder_id": lambda: [
            Sample(str(world["tender"].lots.get().bidders.first().pk), owner_body=CAERPHILLY)
        ],
        "commitment_id": lambda: [Sample(str(tender_commitment(world)), owner_body=CAERPHILLY)],
        "evaluator_id": lambda: [Sample(str(tender_evaluator(world)), owner_body=CAERPHILLY)],
        # A measure of Caerphilly's social-value framework (the walker tender's, SV2).
        "measure_id": lambda: [
            Sample(str(tender_measure(world)), owner_body=CAERPHILLY, marker="Apprentices")
        ],
        # The programme's demo intake: cohorts are seen by their facilitators, participants
        # and the programme managers (tests/programme checks who is refused).
        "intake_id": lambda: [Sample(str(programme_sample("intake")))],
        "cohort_id": lambda: [Sample(str(programme_sample("cohort")), marker="Data Lab, spring")],
        "session_id": lambda: [Sample(str(programme_sample("session")), marker="Data Lab, spring")],
        "handout_id": lambda: [Sample(str(programme_sample("handout")))],
        "timing": lambda: [Sample("exit")],
        "participant_id": lambda: [Sample(str(world["users"]["carys"].pk), marker="Carys Price")],
        "certificate_id": lambda: [Sample(str(programme_sample("certificate")))],
        "certificate_code": lambda: [Sample(programme_certificate_code(), marker="Carys Price")],
        "assignment_id": lambda: [
            Sample(str(programme_sample("assignment")), marker="Frame a data question")
        ],
        "submission_id": lambda: [
            Sample(str(programme_sample("submission")), marker="Frame a data question")
        ],
        "item_id": lambda: [Sample(str(programme_sample("item")))],
        "uidb64": lambda: [Sample("MQ")],
        "token": lambda: [Sample("set-password")],
        "language": lambda: [Sample("cy")],
        "indicator": lambda: [Sample("co2-total")],  # the demo's sample of open indicators
    }
    if parameter not in makers:
        pytest.fail(f"The URL walker has no sample for the parameter {parameter!r}: add one here.")
    return makers[parameter]()


def programme_sample(kind: str) -> int:
    """The demo's Data Lab cohort (which has a handout), its intake, session or handout."""
    from infuse.programme.models import CapabilityItem, Certificate, SessionFile, Submission

    if kind == "item":
        return CapabilityItem.objects.earliest("pk").pk
    if kind == "certificate":
        return Certificate.objects.earliest("pk").pk
    if kind in ("assignment", "submission"):
        submission = Submission.objects.get(assignment__kind="data_question")
        return submission.pk if kind == "submission" else submission.assignment_id

    handout = SessionFile.objects.select_related("session__cohort").earliest("pk")
    cohort = handout.session.cohort
    ids = {"intake": cohort.intake_id, "cohort": cohort.pk, "session": handout.session_id}
    return ids.get(kind, handout.pk)


def programme_certificate_code() -> str:
    from infuse.programme.models import Certificate

    return Certificate.objects.earliest("pk").code


def concrete_urls(route: Route, world: dict[str, Any]) -> list[tuple[str, Sample | None]]:
    if not route.parameters:
        return [(reverse(route.name), None)]
    urls = []
    first, *rest = route.parameters
    for sample in samples_for(first, world):
        kwargs = {first: sample.value}
        for other in rest:
            kwargs[other] = samples_for(other, world)[0].value
        urls.append((reverse(route.name, kwargs=kwargs), sample))
    return urls


def may_see(user: User | None, sample: Sample | None) -> bool:
    if sample is None or user is None:
        return True
    overseer = user.body_id is None and user.role in (Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR)
    if sample.owner_body is not None:
        return overseer or (user.body is not None and user.body.code == sample.owner_body)
    if sample.owner_user is not None:
        return user.username == sample.owner_user or (
            user.body_id is None and user.role == Role.ADMINISTRATOR
        )
    return True


@pytest.fixture(scope="module")
def walker_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of uploads and store files for the whole module, beside its one world."""
    return tmp_path_factory.mktemp("walker-data")


@pytest.fixture(autouse=True)
def isolated_files(settings: Any, walker_files: Path) -> Path:
    """Replaces the suite's per-test folders: the walker's world is built once, so its files
    must stay where it wrote them for every test of this module."""
    settings.WAREHOUSE_DIR = walker_files / "warehouse"
    settings.MEDIA_ROOT = walker_files / "uploads"
    return walker_files


@pytest.fixture(scope="module")
def world(
    django_db_setup: Any, django_db_blocker: Any, walker_files: Path
) -> Iterator[dict[str, Any]]:
    """The demo workspace and the private samples, built once for the module (per worker)
    inside a transaction that is rolled back at the end, as Django's ``setUpTestData`` does.

    Each test's own transaction nests inside it (a savepoint), so what a request writes (a
    sign-in's last-login time) is undone after the test; the world itself is not rebuilt,
    which took about four seconds a route.
    """
    from django.db import transaction
    from django.test import TestCase, override_settings

    from infuse.accounts.services import api_token_create
    from infuse.jobs.services import job_start
    from infuse.reference.services import reference_load
    from infuse.reference.tasks import reference_reload

    with (
        django_db_blocker.unblock(),
        override_settings(
            WAREHOUSE_DIR=walker_files / "warehouse", MEDIA_ROOT=walker_files / "uploads"
        ),
    ):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            reference_load(actor=None)
            demo_build(ledger_months=1)
            users = {u.username: u for u in User.objects.select_related("body")}
            with TestCase.captureOnCommitCallbacks(execute=True):
                job = job_start(
                    actor=users["dafydd"],
                    kind="reference.reload",
                    label="Walker job",
                    task=reference_reload,
                )
            token, _secret = api_token_create(
                actor=users["carys"], user=users["carys"], name="walker-token"
            )
            batch = private_spend_file(users["dafydd"])
            yield {
                "users": users,
                "job": job,
                "token": token,
                "batch": batch,
                **supplier_samples(users["dafydd"]),
                **private_experiment(users["carys"]),
                "question": private_data_question(users["carys"]),
                "dataset": private_dataset(users["carys"]),
                "contract": private_contract(users["dafydd"]),
                **challenge_fund_samples(users["carys"], users["gareth"]),
                "carbon": carbon_samples(),
                "tender": tender_support.procurement(users["dafydd"], "Walker tender"),
                **category_samples(users["dafydd"], batch),
            }
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def tender_evaluator(world: dict[str, Any]) -> int:
    """The walker tender's one evaluator: a Caerphilly officer who is not one of the visitors
    (a named evaluator sees the procurement but does not manage it)."""
    from infuse.accounts.services import user_create
    from infuse.tenders.models import Evaluator
    from infuse.tenders.services import evaluator_add

    tender = world["tender"]
    found = Evaluator.objects.filter(procurement=tender).first()
    if found is None:
        colleague = user_create(
            actor=None,
            username="walker-evaluator",
            password="correct horse battery staple",
            role="participant",
            body=tender.owner_body,
            email="walker-evaluator@example.org",
        )
        found = evaluator_add(actor=None, procurement=tender, user=colleague)
    return found.pk


def tender_measure(world: dict[str, Any]) -> int:
    from infuse.tenders.models import Commitment

    return Commitment.objects.filter(bidder__lot__procurement=world["tender"]).get().measure_id


def tender_commitment(world: dict[str, Any]) -> int:
    from infuse.tenders.models import Commitment

    return Commitment.objects.filter(bidder__lot__procurement=world["tender"]).get().pk


def carbon_samples() -> dict[str, Any]:
    """The demo's factor set, and Caerphilly's scenario."""
    from infuse.procurement.models import CarbonFactorSet, CarbonScenario

    return {
        "factor_set": CarbonFactorSet.objects.earliest("pk").pk,
        "scenario": CarbonScenario.objects.filter(owner_body__code=CAERPHILLY).earliest("pk").pk,
    }


def supplier_samples(analyst: User) -> dict[str, Any]:
    """The demo's supplier decision and list for Caerphilly, and the cluster of a supplier
    only a private (live) file of Caerphilly pays."""
    from infuse.procurement.models import SupplierDecision, SupplierList
    from infuse.procurement.selectors import supplier_clusters_of_body
    from infuse.procurement.services import spend_import_run, spend_upload

    body = analyst.body
    private = spend_upload(
        actor=analyst,
        body=body,
        file_name="caerphilly-private-2024.csv",
        content=b"Date,Supplier,Amount\n01/01/2024,Acme Ltd,99.00\n",
        visibility="private",
    )
    assert spend_import_run(actor=analyst, batch=private).status == "live"
    clusters, _files = supplier_clusters_of_body(body)
    acme = clusters.assignments.filter(clusters.assignments["name"] == "Acme Ltd")
    return {
        "cluster_id": acme["cluster_id"][0],
        "decision": SupplierDecision.objects.filter(owner_body=body).earliest("pk"),
        "supplier_list": SupplierList.objects.filter(owner_body=body).earliest("pk"),
    }


def private_experiment(officer: User) -> dict[str, Any]:
    """A public innovation, and a private assessment and locked, randomised experiment."""
    from infuse.adaption import services

    innovation = services.innovation_save(
        actor=officer,
        body=officer.body,
        values={
            "title_en": "Walker innovation",
            "problem_en": "A problem",
            "summary_en": "What was done",
            "where_en": "Somewhere",
            "evidence_level": 2,
            "core_elements_en": "Keep this",
            "visibility": "public",
        },
    )
    assessment = services.assessment_save(
        actor=officer,
        body=officer.body,
        innovation=innovation,
        fit={},
        adaptations="Walker assessment",
    )
    experiment = services.experiment_create(
        actor=officer, body=officer.body, title="Walker experiment"
    )
    experiment = services.experiment_update(
        actor=officer,
        experiment=experiment,
        values={
            "hypothesis": "It helps",
            "primary_outcome": "Days",
            "outcome_measure": "Case system",
            "outcome_timing": "Week 8",
            "eligibility": "Everyone",
            "power_summary": "20 per group",
        },
    )
    services.units_upload(
        actor=officer,
        experiment=experiment,
        file_name="units.csv",
        content=b"id,age\n" + b"".join(b"u%d,%d\n" % (n, 20 + n) for n in range(12)),
    )
    services.experiment_lock(actor=officer, experiment=experiment)
    services.experiment_randomise(actor=officer, experiment=experiment)
    return {"innovation": innovation, "assessment": assessment, "experiment": experiment}


def private_data_question(officer: User) -> Any:
    """A data question private to the officer's body."""
    from tests.datalab.support import data_question

    return data_question(officer, title="Walker data question", visibility="private")


def private_contract(officer: User) -> Any:
    """A contract private to the officer's body (so its red flags page exists too)."""
    from infuse.procurement.contract_services import ocds_import
    from infuse.procurement.models import ContractRecord
    from tests.procurement.contract_support import package, release

    ocds_import(
        actor=officer,
        body=officer.body,
        file_name="walker.json",
        content=package(release("ocds-walker-1", "Walker contract", ends_in_days=200)),
        visibility="private",
    )
    return ContractRecord.objects.get(ocid="ocds-walker-1")


def private_dataset(officer: User) -> Any:
    """A catalogue entry private to the officer's body, with a profile."""
    from tests.datalab.test_datasets import private_dataset as make

    return make(officer, title="Walker dataset")


def challenge_fund_samples(officer: User, manager: User) -> dict[str, Any]:
    """A published call, a challenge private to Caerphilly, and a draft bid with a link."""
    from infuse.challenges import services
    from tests.challenges import support

    call = support.call(manager, title_en="Walker call")
    challenge = support.challenge(officer, title="Walker challenge", visibility="private")
    bid = support.bid(officer, call, challenge, values={"title": "Walker bid"})
    question = private_data_question(officer)
    link = services.bid_link_add(
        actor=officer, bid=bid, kind="data_question", record_id=question.pk
    )
    return {"call": call, "challenge": challenge, "bid": bid, "bid_link": link}


def category_samples(analyst: User, batch: Any) -> dict[str, Any]:
    from infuse.procurement.category_services import category_correct
    from infuse.procurement.models import CategoryRule

    return {
        "category_rule": CategoryRule.objects.filter(owner_body=analyst.body).first(),
        "category_correction": category_correct(
            actor=analyst,
            body=analyst.body,
            scope="line",
            batch=batch,
            line_number=2,
            category_code="390000",
        ),
    }


def private_spend_file(analyst: User) -> Any:
    from infuse.procurement.services import spend_import_run, spend_upload

    ledger = (
        b"Date,Supplier,Amount,Department\n"
        b"01/04/2025,Acme Ltd,1200.00,Highways\n"
        b"02/04/2025,Cwmni Cyf,560.50,Education\n"
    )
    batch = spend_upload(
        actor=analyst,
        body=analyst.body,
        file_name="caerphilly-private-ledger.csv",
        content=ledger,
        visibility="private",
    )
    return spend_import_run(actor=analyst, batch=batch)


def text_of(response: Any) -> str:
    """A response's body as text, whether streamed (files) or not, binary bytes replaced."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return str(response.content.decode("utf-8", errors="replace"))


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=[r.name for r in PAGE_ROUTES])
def test_every_page_has_a_rule_in_the_permission_policy(route: Route) -> None:
    rule = rule_of(route.view)
    assert rule is not None, f"{route.name} has no @page_rule: add one from accounts.policy"
    assert rule in PAGE_RULES


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_every_url_as_every_role(route: Route, world: dict[str, Any], db: Any) -> None:
    visitors: list[User | None] = [None, *world["users"].values()]
    rule = None if route.is_api else rule_of(route.view)
    for url, sample in concrete_urls(route, world):
        for user in visitors:
            client = Client(raise_request_exception=False)
            if user is not None:
                client.force_login(user)
            response = client.get(url)
            if response.status_code == 405:
                # A form's action (revoke, reload, sign out): the refusal must hold for POST too.
                response = client.post(url)
            who = user.username if user else "signed out"
            assert response.status_code < 500, f"{url} as {who}: {response.status_code}"
            if rule == "public" and user is None:
                assert response.status_code in (200, 302, 405), f"public {url} signed out"
            if rule not in (None, "public") and not may_see(user, sample):
                assert response.status_code in (302, 403, 404), (
                    f"{url} showed another's private record to {who}"
                )
                if sample is not None and sample.marker:
                    assert sample.marker not in text_of(response)
            elif (
                rule not in (None, "public")
                and sample is not None
                and sample.marker
                and response.status_code == 200
                and response["Content-Type"].startswith("text/html")
            ):
                # The marker is real: those allowed to see the object do see it.
                assert sample.marker in text_of(response), f"{url} as {who}"
