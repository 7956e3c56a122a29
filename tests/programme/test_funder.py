"""Funder reporting: ESF-style participant records, special-category data only with recorded
consent and only for programme managers, left out of exports unless asked for (and audited)."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from infuse.audit.models import AuditEntry
from infuse.programme import services
from infuse.programme.models import SpecialCategoryConsent, SpecialCategoryRecord
from infuse.programme.services import ProgrammeError

from .support import programme_world

RECORD = {
    "form": "record",
    "entry_date": "2026-03-03",
    "exit_date": "2026-04-13",
    "employment_status": "employed_full_time",
    "age_band": "35_44",
    "education_level": "isced_5_8",
    "job_title": '=HYPERLINK("http://evil")',
}


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    world = programme_world(make_user)
    world["admin"] = make_user("administrator", None)
    return world


def test_records_consent_and_special_category_data(world: dict[str, Any]) -> None:
    carys = world["carys"]
    manager = client_for(world["manager"])
    url = f"/en/programme/funder/{carys.pk}/"
    manager.post(url, RECORD)
    assert carys.funder_record.age_band == "35_44"
    bad = manager.post(url, {**RECORD, "exit_date": "2026-01-01"})
    assert "The exit date cannot be before the entry date." in bad.content.decode()
    # No special-category data without consent, even through the service.
    with pytest.raises(ProgrammeError):
        services.special_category_save(
            actor=world["manager"], participant=carys, disability="no", ethnicity="white"
        )
    page = manager.get(url).content.decode()
    assert "No consent is in force" in page and "I agree that the InFuSe programme" in page
    manager.post(url, {"form": "consent", "agreed": "on"})
    consent = SpecialCategoryConsent.objects.get()
    assert consent.recorded_by == world["manager"] and "withdraw" in consent.wording
    manager.post(url, {"form": "special", "disability": "yes", "ethnicity": "mixed"})
    assert SpecialCategoryRecord.objects.get().disability == "yes"
    entry = AuditEntry.objects.get(action="programme.special_category_saved")
    assert "mixed" not in str(entry.after) and "yes" not in str(entry.after)
    # Administrators keep funder records but never see or change special-category data.
    admin = client_for(world["admin"])
    assert "Special-category data" not in admin.get(url).content.decode()
    assert (
        admin.post(url, {"form": "special", "disability": "no", "ethnicity": "white"}).status_code
        == 403
    )
    with pytest.raises(PermissionDenied):
        services.special_category_consent_record(
            actor=world["admin"], participant=carys, wording="x"
        )
    for who in ("facilitator", "carys"):
        assert client_for(world[who]).get(url).status_code == 403
    manager.post(url, {"form": "withdraw"})
    assert not SpecialCategoryRecord.objects.exists()
    assert SpecialCategoryConsent.objects.get().withdrawn_at is not None


def test_the_export_leaves_special_data_out_unless_asked(world: dict[str, Any]) -> None:
    carys = world["carys"]
    services.funder_record_save(
        actor=world["manager"],
        participant=carys,
        values={k: v for k, v in RECORD.items() if k != "form"},
    )
    services.special_category_consent_record(
        actor=world["manager"], participant=carys, wording="I agree."
    )
    services.special_category_save(
        actor=world["manager"], participant=carys, disability="no", ethnicity="asian"
    )
    manager = client_for(world["manager"])
    period = {"date_from": "2026-01-01", "date_to": "2026-12-31", "file_format": "csv"}
    plain = manager.get("/en/programme/funder/export/", period)
    rows = list(csv.DictReader(io.StringIO(plain.content.decode())))
    assert [r["username"] for r in rows] == [carys.username]
    assert rows[0]["organisation"] == "Caerphilly" and rows[0]["labs_enrolled"] == "Data Lab"
    assert rows[0]["job_title"].startswith("'=")  # formula neutralised
    assert "ethnicity" not in rows[0] and "asian" not in plain.content.decode()
    special = manager.get("/en/programme/funder/export/", {**period, "include_special": "on"})
    assert next(csv.DictReader(io.StringIO(special.content.decode())))["ethnicity"] == "asian"
    exports = AuditEntry.objects.filter(action="programme.funder_exported").order_by("pk")
    assert [e.after["special_category"] for e in exports] == [False, True]
    xlsx = manager.get("/en/programme/funder/export/", {**period, "file_format": "xlsx"})
    assert xlsx.content.startswith(b"PK")
    admin = client_for(world["admin"])
    refused = admin.get("/en/programme/funder/export/", {**period, "include_special": "on"})
    assert refused.status_code == 403
    outside = manager.get(
        "/en/programme/funder/export/",
        {**period, "date_from": "2027-01-01", "date_to": "2027-02-01"},
    )
    assert list(csv.DictReader(io.StringIO(outside.content.decode()))) == []
    backwards = manager.get("/en/programme/funder/export/", {**period, "date_to": "2025-01-01"})
    assert (
        backwards.status_code == 400 and "cannot be before its start" in backwards.content.decode()
    )
