"""The dataset catalogue: pages, visibility, DCAT JSON-LD, profiling uploads and the API."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client

from infuse.accounts.services import api_token_create
from infuse.audit.models import AuditEntry
from infuse.datalab import services
from infuse.datalab.models import Dataset
from infuse.reference.models import Theme
from tests.conftest import CAERPHILLY, NEWPORT

from .support import data_question

DATASET_VALUES = {
    "title": "Housing repairs requests",
    "description": "Repairs reported by council tenants.",
    "publisher": "Caerphilly County Borough Council",
    "contact_name": "Data Lab team",
    "contact_email": "datalab@caerphilly.example",
    "licence": "OGL-UK-3.0",
    "access_rights": "NON_PUBLIC",
    "spatial": "Caerphilly",
    "temporal_start": "2023-04-01",
    "temporal_end": "2025-03-31",
    "frequency": "DAILY",
    "keywords": "housing, repairs, damp",
    "dcat_theme": "SOCI",
    "data_type": "personal",
    "data_kind": "administrative",
    "landing_page": "",
    "visibility": "private",
}
REPAIRS = (
    "job_id,tenant_name,email,cost\n"
    "R1,Megan Jones,megan@example.org,120.00\n"
    "R2,Rhys Evans,rhys@example.org,95.50\n"
    "R3,Siân Davies,sian@example.org,4000\n"
)


def private_dataset(officer: Any, **overrides: Any) -> Dataset:
    """A private catalogue entry with a profile of a small file with personal data (for the
    URL walker and the accessibility checks)."""
    import os
    import tempfile

    from infuse.datalab.profiling import profile_path

    dataset = services.dataset_save(
        actor=officer, body=officer.body, values={**DATASET_VALUES, **overrides}
    )
    with tempfile.TemporaryDirectory() as work:
        path = os.path.join(work, "repairs.csv")
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(REPAIRS)
        profile = profile_path(path)
    return services.dataset_profile_keep(
        actor=officer, dataset=dataset, profile=profile, file_name="repairs.csv"
    )


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def officer(make_user: Any) -> Any:
    return make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")


def upload(name: str, content: str | bytes) -> io.BytesIO:
    data = io.BytesIO(content.encode() if isinstance(content, str) else content)
    data.name = name
    return data


def test_an_officer_catalogues_profiles_and_exports_a_dataset(officer: Any) -> None:
    client = client_for(officer)
    question = data_question(officer)
    theme = Theme.objects.get(slug="decarbonisation")
    assert "Add a dataset" in client.get("/en/datalab/datasets/").content.decode()
    response = client.post(
        "/en/datalab/datasets/new/",
        {**DATASET_VALUES, "themes": [theme.pk], "questions": [question.pk]},
        follow=True,
    )
    assert "Dataset saved." in response.content.decode()
    dataset = Dataset.objects.get()
    assert dataset.owner_body == officer.body and list(dataset.questions.all()) == [question]
    assert AuditEntry.objects.filter(action="datalab.dataset_saved").count() == 1

    page = client.post(
        f"/en/datalab/datasets/{dataset.pk}/profile/",
        {"file": upload("repairs.csv", REPAIRS)},
        follow=True,
    ).content.decode()
    assert "seems to hold personal data" in page
    assert "tenant_name" in page and "email addresses" in page
    assert "megan@example.org" not in page and "Megan Jones" not in page
    assert "Completeness" in page and "Timeliness" in page
    dataset.refresh_from_db()
    assert dataset.profile["rows"] == 3 and dataset.profile_file == "repairs.csv"
    assert client.get(f"/en/datalab/datasets/{dataset.pk}/scorecard.svg").content.startswith(
        b"<svg"
    )

    welsh = client.get(f"/cy/datalab/datasets/{dataset.pk}/").content.decode()
    assert "Housing repairs requests" in welsh

    doc = client.get(f"/en/datalab/datasets/{dataset.pk}/dataset.jsonld").json()
    context = doc["@context"]
    assert context["dcat"] == "http://www.w3.org/ns/dcat#"
    assert context["dct"] == "http://purl.org/dc/terms/"
    assert context["vcard"] == "http://www.w3.org/2006/vcard/ns#"
    assert doc["@type"] == "dcat:Dataset" and doc["dct:title"] == "Housing repairs requests"
    assert doc["dct:publisher"]["@type"] == "foaf:Agent"
    assert doc["dcat:contactPoint"]["@type"] == "vcard:Kind"
    assert doc["dcat:contactPoint"]["vcard:hasEmail"]["@id"] == "mailto:datalab@caerphilly.example"
    assert doc["dct:license"]["@id"].startswith("https://www.nationalarchives.gov.uk/")
    assert doc["dct:accessRights"]["@id"].endswith("/access-right/NON_PUBLIC")
    assert doc["dct:accrualPeriodicity"]["@id"].endswith("/frequency/DAILY")
    assert doc["dct:temporal"]["dcat:startDate"]["@value"] == "2023-04-01"
    assert doc["dcat:keyword"] == ["housing", "repairs", "damp"]
    assert doc["dcat:theme"][0]["@id"].endswith("/data-theme/SOCI")
    assert doc["dct:isReferencedBy"][0]["@id"].endswith(f"/datalab/questions/{question.pk}/")

    catalogue = client.get("/en/datalab/datasets/catalogue.jsonld").json()
    assert catalogue["@type"] == "dcat:Catalog"
    assert [d["dct:title"] for d in catalogue["dcat:dataset"]] == ["Housing repairs requests"]


def test_a_private_dataset_is_hidden_from_other_bodies_and_filters_work(
    officer: Any, make_user: Any
) -> None:
    private = services.dataset_save(actor=officer, body=officer.body, values=DATASET_VALUES)
    services.dataset_save(
        actor=officer,
        body=officer.body,
        values={
            **DATASET_VALUES,
            "title": "Payments over £500",
            "data_type": "open",
            "visibility": "public",
            "dcat_theme": "GOVE",
        },
    )
    outsider = client_for(make_user("participant", NEWPORT))
    listing = outsider.get("/en/datalab/datasets/").content.decode()
    assert "Payments over £500" in listing and "Housing repairs requests" not in listing
    assert outsider.get(f"/en/datalab/datasets/{private.pk}/").status_code == 404
    assert outsider.get(f"/en/datalab/datasets/{private.pk}/dataset.jsonld").status_code == 404
    own = client_for(officer)
    filtered = own.get("/en/datalab/datasets/?data_type=personal").content.decode()
    assert "Housing repairs requests" in filtered and "Payments over £500" not in filtered


def test_bad_entries_and_bad_files_are_refused_in_the_users_language(officer: Any) -> None:
    client = client_for(officer)
    page = client.post(
        "/en/datalab/datasets/new/",
        {**DATASET_VALUES, "temporal_start": "2025-01-01", "temporal_end": "2024-01-01"},
    ).content.decode()
    assert "must not be before its start" in page
    dataset = services.dataset_save(actor=officer, body=officer.body, values=DATASET_VALUES)
    refused = client.post(
        f"/en/datalab/datasets/{dataset.pk}/profile/", {"file": upload("notes.pdf", b"%PDF")}
    ).content.decode()
    assert "must be a CSV file or an Excel workbook" in refused
    empty = client.post(
        f"/en/datalab/datasets/{dataset.pk}/profile/", {"file": upload("x.csv", "a,b\n")}
    ).content.decode()
    assert "no rows of data" in empty
    dataset.refresh_from_db()
    assert dataset.profile is None


def test_the_api_lists_details_exports_and_profiles(officer: Any, make_user: Any) -> None:
    dataset = services.dataset_save(actor=officer, body=officer.body, values=DATASET_VALUES)
    _token, secret = api_token_create(actor=officer, user=officer, name="tests")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    client = Client()
    listed = client.get("/api/datalab/datasets", **auth).json()
    assert [d["title"] for d in listed] == ["Housing repairs requests"]
    detail = client.get(f"/api/datalab/datasets/{dataset.pk}", **auth).json()
    assert detail["contact_email"] == "datalab@caerphilly.example" and detail["profile"] is None
    dcat = client.get(f"/api/datalab/datasets/{dataset.pk}/dcat", **auth).json()
    assert dcat["@type"] == "dcat:Dataset"
    assert client.get("/api/datalab/datasets.jsonld", **auth).json()["@type"] == "dcat:Catalog"
    profiled = client.post(
        "/api/datalab/profile", {"file": upload("repairs.csv", REPAIRS)}, **auth
    ).json()
    assert profiled["rows"] == 3
    assert {p["column"] for p in profiled["personal_data"]} == {"tenant_name", "email"}
    refused = client.post("/api/datalab/profile", {"file": upload("x.csv", "a,b\n")}, **auth)
    assert refused.status_code == 400 and "no rows" in refused.json()["detail"]
    assert client.get("/api/datalab/datasets").status_code == 401
    other = make_user("participant", NEWPORT)
    _t, other_secret = api_token_create(actor=other, user=other, name="tests")
    hidden = client.get(
        f"/api/datalab/datasets/{dataset.pk}", HTTP_AUTHORIZATION=f"Bearer {other_secret}"
    )
    assert hidden.status_code == 404
