"""The contract pages: loading contract notices, the soonest-ending contracts across the
region, one contract, and the red flags raised on a body's contracts with their evidence."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from infuse.jobs.models import Job
from infuse.procurement.contract_services import staged_upload_name
from infuse.procurement.models import ContractFile, ContractRecord
from tests.conftest import CAERPHILLY, NEWPORT
from tests.procurement.contract_support import package, release

pytestmark = pytest.mark.django_db


def _upload(client: Client, content: bytes, name: str = "notices.json") -> Any:
    """Upload on the page; the import job runs when the request's transaction commits (the
    test settings run tasks at once), so the page it lands on shows how the import ended."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("procurement:contracts"),
            {"contract_file": SimpleUploadedFile(name, content), "visibility": "regional"},
        )
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def test_officer_loads_notices_and_finds_contracts_ending_soon(
    reference: Any, make_user: Any
) -> None:
    officer = make_user("participant", CAERPHILLY)
    client = Client()
    client.force_login(officer)
    soon = release("ocds-p-1", "Winter gritting", ends_in_days=200)
    later = release("ocds-p-2", "School catering", ends_in_days=1100, supplier="Bwyd Da Cyf")
    response = _upload(client, package(soon, later))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Files you are loading" in page and "2 releases read, 2 contracts." in page
    assert ContractRecord.objects.filter(owner_body__code=CAERPHILLY).count() == 2

    # Another officer in the region sees the shared contracts, narrowed to the next 12 months.
    colleague = Client()
    colleague.force_login(make_user("participant", NEWPORT))
    page = colleague.get(reverse("procurement:contracts"), {"ending": "12"}).content.decode()
    assert "Winter gritting" in page and "School catering" not in page
    found = colleague.get(reverse("procurement:contracts"), {"q": "bwyd"}).content.decode()
    assert "School catering" in found and "Winter gritting" not in found

    record = ContractRecord.objects.get(ocid="ocds-p-2")
    detail = colleague.get(reverse("procurement:contract", args=[record.pk])).content.decode()
    assert "Bwyd Da Cyf" in detail and "90620000" in detail
    welsh = client.get(reverse("procurement:contracts"), HTTP_ACCEPT_LANGUAGE="cy")
    assert 'lang="cy"' in welsh.content.decode()


def test_a_spend_ledger_given_as_contract_data_fails_its_job_with_the_reason(
    reference: Any, make_user: Any
) -> None:
    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    response = _upload(client, b"Date,Supplier,Amount\n01/01/2024,Acme,5\n", "ledger.csv")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.error
    assert job.error in response.content.decode().replace("&#x27;", "'")
    assert not ContractFile.objects.exists() and not ContractRecord.objects.exists()


def test_a_json_file_that_is_not_ocds_fails_its_job_with_the_reason_and_changes_nothing(
    reference: Any, make_user: Any
) -> None:
    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    response = _upload(client, b'{"rows": [1, 2, 3]}', "export.json")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.error
    page = response.content.decode()
    assert job.error in page.replace("&#x27;", "'") and "Failed" in page
    assert not ContractFile.objects.exists() and not ContractRecord.objects.exists()
    # The waiting upload is gone too.
    assert not default_storage.exists(staged_upload_name(job.pk))
    # Loading progress is the uploader's own: a colleague sees none of it.
    colleague = Client()
    colleague.force_login(make_user("participant", CAERPHILLY))
    assert (
        "export.json" not in colleague.get(reverse("procurement:contract-imports")).content.decode()
    )


def test_the_same_file_again_is_refused_at_once_and_changes_nothing(
    reference: Any, make_user: Any
) -> None:
    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    content = package(release("ocds-p-9", "Winter gritting", ends_in_days=200))
    _upload(client, content)
    again = _upload(client, content, "copy.json").content.decode()
    assert "holds the same data as notices.json" in again
    assert Job.objects.count() == 1 and ContractFile.objects.count() == 1


def test_red_flags_show_their_evidence_to_the_body_and_no_one_else(
    reference: Any, make_user: Any
) -> None:
    officer = make_user("participant", CAERPHILLY)
    client = Client()
    client.force_login(officer)
    # A £600,000 open tender open for 10 days: shorter than the 25-day minimum (UK002).
    rushed = release(
        "ocds-p-3", "Highway resurfacing", ends_in_days=300, value=600_000, tender_days=10
    )
    calm = release("ocds-p-4", "Library books", ends_in_days=300, value=600_000, tender_days=40)
    _upload(client, package(rushed, calm))

    page = client.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "UK002" in text and "ocds-p-3" in text and "ocds-p-4" not in text
    assert "minimum_days" in text  # the evidence: the rule's own figures
    rushed_record = ContractRecord.objects.get(ocid="ocds-p-3")
    detail = client.get(reverse("procurement:contract", args=[rushed_record.pk])).content.decode()
    assert "UK002" in detail

    outsider = Client()
    outsider.force_login(make_user("participant", NEWPORT))
    refused = outsider.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    assert refused.status_code == 404
    # The outsider may read the shared contract but not its body's flags.
    shared = outsider.get(reverse("procurement:contract", args=[rushed_record.pk])).content.decode()
    assert "Highway resurfacing" in shared and "UK002" not in shared


def test_the_demo_contracts_raise_the_flags_they_are_there_to_show(reference: Any) -> None:
    from infuse.demo.contracts import demo_contracts
    from infuse.procurement.contract_selectors import contract_red_flags
    from infuse.reference.selectors import body_by_code

    loaded = demo_contracts()
    assert loaded[CAERPHILLY] == 6 and sum(loaded.values()) == 11
    raised = {(f["indicator"], f["id"]) for f in contract_red_flags(body_by_code(CAERPHILLY))}
    assert ("UK002", "ocds-infusedemo-cc-003") in raised  # £2.4m open for ten days
    assert any(code == "UK004" for code, _id in raised)  # three awards just under £30,000


def test_contracts_ending_soon_show_which_other_bodies_buy_the_same_and_why(
    reference: Any, make_user: Any
) -> None:
    from infuse.procurement.contract_services import ocds_import
    from infuse.reference.selectors import body_by_code

    def load(code: str, *releases: dict[str, Any]) -> None:
        body = body_by_code(code)
        ocds_import(actor=None, body=body, file_name=f"{code}.json", content=package(*releases))

    load(CAERPHILLY, release("ocds-c-1", "Winter gritting", ends_in_days=150, supplier="Halen Cyf"))
    # Newport buys gritting (same CPV group 906) from another supplier; Torfaen buys
    # something else from the same supplier, spelt differently.
    gritting = release("ocds-n-1", "Salt and gritting", ends_in_days=400, supplier="Saltco")
    load(NEWPORT, gritting)
    other = release("ocds-t-1", "Depot cleaning", ends_in_days=400, supplier="HALEN CYF.")
    other["tender"]["classification"]["id"] = "90910000"
    load("W06000020", other)

    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    page = client.get(reverse("procurement:contracts"), {"ending": "6"}).content.decode()
    newport = ContractRecord.objects.get(ocid="ocds-n-1")
    # Only Caerphilly's contract ends within six months; the others are its evidence.
    assert "Winter gritting" in page
    assert reverse("procurement:contract", args=[newport.pk]) not in page
    assert "the same CPV group (906) in “Salt and gritting”" in page
    assert "the same supplier (Halen Cyf) in “Depot cleaning”" in page


def test_a_worker_killed_mid_import_leaves_no_waiting_upload_behind(
    reference: Any, make_user: Any
) -> None:
    from django.core.files.base import ContentFile

    from infuse.jobs.recovery import interruption_handler_for
    from infuse.procurement.models import CONTRACT_IMPORT_JOB

    job = Job.objects.create(kind=CONTRACT_IMPORT_JOB, label="notices.json")
    default_storage.save(staged_upload_name(job.pk), ContentFile(b"{}"))
    handler = interruption_handler_for(CONTRACT_IMPORT_JOB)
    assert handler is not None
    handler(job, "the worker stopped")
    assert not default_storage.exists(staged_upload_name(job.pk))


def test_a_similar_description_is_evidence_even_without_a_shared_cpv_group(
    reference: Any, make_user: Any
) -> None:
    from infuse.procurement.contract_services import ocds_import
    from infuse.procurement.contract_similarity import normalised_text, similar_pairs
    from infuse.reference.selectors import body_by_code

    def load(code: str, ocid: str, title: str, cpv: str, supplier: str) -> None:
        notice = release(ocid, title, ends_in_days=150, supplier=supplier)
        notice["tender"]["classification"]["id"] = cpv
        body = body_by_code(code)
        ocds_import(actor=None, body=body, file_name=f"{ocid}.json", content=package(notice))

    mine = "Residential care home placements for older people"
    alike = "Care home placements for older people living with dementia"
    unlike = "Transport to day centres for older people"
    load(CAERPHILLY, "ocds-s-1", mine, "85311000", "Gofal Da Cyf")
    load(NEWPORT, "ocds-s-2", alike, "98000000", "Cartref Ltd")
    load("W06000020", "ocds-s-3", unlike, "60100000", "Bws Bach Ltd")
    scores = similar_pairs(
        [normalised_text(mine, "")], [normalised_text(alike, ""), normalised_text(unlike, "")]
    )
    assert [index for index, _score in scores[0]] == [0]  # "older people" alone is not enough

    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    page = client.get(reverse("procurement:contracts"), {"q": "residential"}).content.decode()
    assert "a similar description" in page and f"in “{alike}”" in page
    assert unlike not in page
