"""Spend files through the services, pages and command line, on a real database and store."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.cli import app
from infuse.procurement import spend_queries
from infuse.procurement.models import ColumnMapping, SpendBatch
from infuse.procurement.services import (
    spend_import_or_fail,
    spend_import_run,
    spend_mapping_confirm,
    spend_upload,
)
from infuse.warehouse.store import Store, default_store
from tests.conftest import CAERPHILLY, NEWPORT

LEDGER = (
    "Date,Supplier,Amount,Department,Invoice Number\n"
    "01/04/2025,Acme Ltd,1200.00,Highways,INV-1\n"
    "03/04/2025,Acme Ltd,1200.00,Highways,INV-2\n"
    "10/04/2025,Cwmni Cyf,560.50,Education,C-9\n"
    "12/04/2025,Cwmni Cyf,-60.50,Education,C-9\n"
    "28/04/2025,REDACTED PERSONAL DATA,700.00,Social Care,\n"
)


@pytest.fixture
def analyst(make_user: Any) -> User:
    return make_user("analyst", CAERPHILLY, username="dafydd")


def imported(
    analyst: User, content: str | bytes, name: str = "april.csv", **options: Any
) -> SpendBatch:
    data = content.encode() if isinstance(content, str) else content
    batch = spend_upload(actor=analyst, body=analyst.body, file_name=name, content=data)
    return spend_import_run(actor=analyst, batch=batch, **options)


def test_a_ledger_becomes_live_with_its_figures_in_the_store(analyst: User) -> None:
    batch = imported(analyst, LEDGER)
    assert batch.status == SpendBatch.Status.LIVE
    assert batch.rows_imported == 5 and batch.rows_rejected == 0
    assert batch.total_amount == Decimal("3600.00")
    totals = spend_queries.totals(
        default_store(), [batch.parquet_path], spend_queries.SpendFilter()
    )
    assert totals.total == Decimal("3600.00") and totals.credit_notes == 1


def test_importing_the_same_file_again_changes_nothing(analyst: User) -> None:
    first = imported(analyst, LEDGER)
    files_before = default_store().fingerprint()
    again = spend_upload(
        actor=analyst, body=analyst.body, file_name="copy.csv", content=LEDGER.encode()
    )
    assert again.pk == first.pk and SpendBatch.objects.count() == 1
    assert default_store().fingerprint() == files_before


def test_the_same_payments_in_another_layout_are_recognised(analyst: User) -> None:
    imported(analyst, LEDGER)
    reordered = "\ufeff" + LEDGER.replace("\n", "\r\n")
    duplicate = imported(analyst, reordered, name="april-windows.csv")
    assert duplicate.status == SpendBatch.Status.DUPLICATE
    assert "april.csv" in duplicate.error


def test_a_corrected_file_for_the_same_months_replaces_the_old_one_after_confirmation(
    analyst: User,
) -> None:
    original = imported(analyst, LEDGER)
    corrected_text = LEDGER.replace("560.50", "565.50")
    corrected = imported(analyst, corrected_text, name="april-corrected.csv")
    assert corrected.status == SpendBatch.Status.NEEDS_CONFIRMATION
    assert corrected.replaces == original
    corrected = spend_import_run(actor=analyst, batch=corrected, confirm_replace=True)
    original.refresh_from_db()
    assert (
        corrected.status == SpendBatch.Status.LIVE and original.status == SpendBatch.Status.REPLACED
    )
    live = SpendBatch.objects.filter(status="live").values_list("parquet_path", flat=True)
    totals = spend_queries.totals(default_store(), list(live), spend_queries.SpendFilter())
    assert totals.total == Decimal("3605.00")


def test_a_summary_table_is_refused_with_the_reason(analyst: User, shared_data: Path) -> None:
    lambeth = (shared_data / "spend/lambeth-council/2011-02-payments-summary.csv").read_bytes()
    batch = imported(analyst, lambeth, name="lambeth.csv")
    assert batch.status == SpendBatch.Status.FAILED
    assert "summary table" in batch.error
    assert default_store().fingerprint() == {}


def test_uncertain_columns_are_confirmed_once_and_remembered_for_the_bodys_next_file(
    analyst: User,
) -> None:
    text = "Date,Supplier,Amount,Date Paid\n01/04/2025,Acme Ltd,100.00,02/04/2025\n"
    batch = imported(analyst, text)
    assert batch.status == SpendBatch.Status.NEEDS_MAPPING
    columns = {c["label"]: c["position"] for c in batch.inspection["columns"]}
    assert set(columns) == {"Date", "Supplier", "Amount", "Date Paid"}
    spend_mapping_confirm(
        actor=analyst,
        batch=batch,
        mapping={"payment_date": columns["Date Paid"], "supplier_name": 1, "amount": 2},
    )
    batch = spend_import_run(actor=analyst, batch=batch, mapping=batch.mapping)
    assert batch.status == SpendBatch.Status.LIVE
    assert batch.first_payment_date.isoformat() == "2025-04-02"
    assert ColumnMapping.objects.filter(owner_body=analyst.body).count() == 1
    next_month = imported(
        analyst,
        "Date,Supplier,Amount,Date Paid\n01/05/2025,Beta,50.00,03/05/2025\n",
        name="may.csv",
    )
    assert next_month.status == SpendBatch.Status.LIVE
    assert next_month.first_payment_date.isoformat() == "2025-05-03"


class Broken(Store):
    def stage(self, table: Any, dataset: str) -> Any:
        raise OSError("disk full (injected)")


def test_a_failure_writing_the_store_changes_nothing_and_the_next_import_works(
    analyst: User,
) -> None:
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    with pytest.raises(OSError):
        spend_import_or_fail(actor=analyst, batch=batch, store=Broken(default_store().root))
    batch.refresh_from_db()
    assert batch.status == SpendBatch.Status.FAILED and "Nothing was changed" in batch.error
    assert default_store().fingerprint() == {}
    retry = spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    assert spend_import_run(actor=analyst, batch=retry).status == SpendBatch.Status.LIVE


def test_a_failure_recording_the_batch_removes_the_published_file(
    analyst: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infuse.procurement import services

    def fail(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away (injected)")

    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    monkeypatch.setattr(services, "_make_live", fail)
    with pytest.raises(RuntimeError):
        spend_import_or_fail(actor=analyst, batch=batch)
    assert default_store().fingerprint() == {}
    batch.refresh_from_db()
    assert batch.status == SpendBatch.Status.FAILED


def test_analytics_add_up_and_withhold_names_of_individuals(analyst: User) -> None:
    batch = imported(analyst, LEDGER)
    files, everything = [batch.parquet_path], spend_queries.SpendFilter()
    overview = spend_queries.overview(default_store(), files, everything)
    for shares in (
        overview.by_month,
        overview.by_department,
        overview.by_category,
        overview.top_suppliers,
    ):
        assert sum(s.amount for s in shares) == overview.totals.total
    suppliers = {s.label: s.amount for s in overview.top_suppliers}
    assert suppliers[spend_queries.WITHHELD] == Decimal("700.00")
    assert not any("REDACTED" in label for label in suppliers)
    # HHI over named suppliers: Acme 2400, Cwmni 500 -> shares 0.8276, 0.1724.
    assert overview.concentration is not None
    assert overview.concentration.hhi == pytest.approx(
        (2400 / 2900 * 100) ** 2 + (500 / 2900 * 100) ** 2
    )
    assert overview.concentration.top10_share == pytest.approx(1.0)
    pairs = spend_queries.possible_duplicates(default_store(), files, everything)
    reasons = {(p.supplier, p.reason) for p in pairs}
    assert ("Acme Ltd", "same_supplier_amount") in reasons
    assert ("Cwmni Cyf", "same_invoice") in reasons


def test_filters_narrow_every_figure(analyst: User) -> None:
    batch = imported(analyst, LEDGER)
    highways = spend_queries.SpendFilter(department="Highways")
    assert spend_queries.totals(default_store(), [batch.parquet_path], highways).total == Decimal(
        "2400.00"
    )
    lines = spend_queries.lines(default_store(), [batch.parquet_path], highways)
    assert [line["line_number"] for line in sorted(lines, key=lambda r: r["line_number"])] == [2, 3]


def test_upload_page_imports_several_files_in_the_background(
    analyst: User, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(analyst)
    may = LEDGER.replace("/04/2025", "/05/2025")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/procurement/spend/files/",
            {
                "spend_files": [
                    SimpleUploadedFile("april.csv", LEDGER.encode()),
                    SimpleUploadedFile("may.csv", may.encode()),
                ],
                "visibility": "regional",
            },
        )
    assert response.status_code == 302
    assert list(SpendBatch.objects.order_by("file_name").values_list("status", flat=True)) == [
        "live",
        "live",
    ]
    page = client.get("/en/procurement/spend/").content.decode()
    assert "7,200" in page or "7200" in page


def test_other_bodies_see_regional_spend_but_not_private_files(
    analyst: User, make_user: Any
) -> None:
    shared = imported(analyst, LEDGER)
    private = spend_upload(
        actor=analyst,
        body=analyst.body,
        file_name="private.csv",
        content=LEDGER.replace("/04/", "/06/").encode(),
        visibility="private",
    )
    spend_import_run(actor=analyst, batch=private)
    newport = Client()
    newport.force_login(make_user("analyst", NEWPORT))
    assert newport.get(f"/en/procurement/spend/files/{shared.pk}/").status_code == 200
    assert newport.get(f"/en/procurement/spend/files/{private.pk}/").status_code == 404
    listing = newport.get("/en/procurement/spend/files/").content.decode()
    assert "april.csv" in listing and "private.csv" not in listing


def test_export_neutralises_spreadsheet_formulas(analyst: User) -> None:
    imported(analyst, LEDGER.replace("Acme Ltd", "=HYPERLINK(evil)"))
    client = Client()
    client.force_login(analyst)
    csv_text = client.get("/en/procurement/spend/lines/?export=csv").content.decode()
    assert "'=HYPERLINK(evil)" in csv_text


@pytest.mark.django_db(transaction=True)
def test_command_line_import_and_summary(reference: Any, tmp_path: Path) -> None:
    runner = CliRunner()
    ledger = tmp_path / "april.csv"
    ledger.write_text(LEDGER)
    result = runner.invoke(app, ["import-spend", str(ledger), "--body", CAERPHILLY, "--json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    entry = output["files"][0]
    assert (
        entry["status"] == "live"
        and entry["rows_imported"] == 5
        and entry["total_amount"] == "3600.00"
    )
    # The new lines were categorised, as an upload on the page would be; every line counted.
    assert output["categorised"]["lines"] == 5
    assert sum(output["categorised"]["by_source"].values()) == 5
    again = json.loads(
        runner.invoke(app, ["import-spend", str(ledger), "--body", CAERPHILLY, "--json"]).stdout
    )
    assert again["files"][0]["status"] == "already_imported" and again["categorised"] is None
    summary = json.loads(
        runner.invoke(app, ["spend-summary", "--body", CAERPHILLY, "--json"]).stdout
    )
    assert Decimal(str(summary["totals"]["total"])) == Decimal("3600.00")
    missing = runner.invoke(
        app, ["import-spend", str(tmp_path / "nope.csv"), "--body", CAERPHILLY, "--json"]
    )
    assert missing.exit_code == 1 and json.loads(missing.stdout)["files"][0]["status"] == "failed"


def test_the_api_gives_the_same_figures_under_the_same_policy(
    analyst: User, make_user: Any
) -> None:
    from infuse.accounts.services import api_token_create

    shared = imported(analyst, LEDGER)
    private = spend_upload(
        actor=analyst,
        body=analyst.body,
        file_name="private.csv",
        content=LEDGER.replace("/04/", "/06/").encode(),
        visibility="private",
    )
    spend_import_run(actor=analyst, batch=private)
    _token, own = api_token_create(actor=analyst, user=analyst, name="t")
    newport_user = make_user("analyst", NEWPORT)
    _token, other = api_token_create(actor=newport_user, user=newport_user, name="t")
    client = Client()

    mine = client.get(
        f"/api/procurement/spend/summary?body={CAERPHILLY}",
        headers={"authorization": f"Bearer {own}"},
    ).json()
    assert Decimal(mine["totals"]["total"]) == Decimal("7200.00")
    theirs = client.get(
        f"/api/procurement/spend/summary?body={CAERPHILLY}",
        headers={"authorization": f"Bearer {other}"},
    ).json()
    assert Decimal(theirs["totals"]["total"]) == Decimal("3600.00")  # the regional file only
    assert (
        client.get(
            f"/api/procurement/spend/files/{private.pk}",
            headers={"authorization": f"Bearer {other}"},
        ).status_code
        == 404
    )
    detail = client.get(
        f"/api/procurement/spend/files/{shared.pk}", headers={"authorization": f"Bearer {other}"}
    ).json()
    assert detail["rows_imported"] == 5 and detail["rejected"] == []
    lines = client.get(
        "/api/procurement/spend/lines?department=Highways",
        headers={"authorization": f"Bearer {own}"},
    ).json()
    assert len(lines) == 4 and {line["supplier"] for line in lines} == {"Acme Ltd"}
    assert client.get("/api/procurement/spend/summary").status_code == 401


def test_home_page_shows_files_waiting_for_the_officer(analyst: User, make_user: Any) -> None:
    batch = imported(
        analyst, "Date,Supplier,Amount,Date Paid\n01/04/2025,Acme Ltd,100.00,02/04/2025\n"
    )
    assert batch.status == SpendBatch.Status.NEEDS_MAPPING
    client = Client()
    client.force_login(make_user("participant", CAERPHILLY))
    html = client.get("/en/").content.decode()
    assert "april.csv" in html and "check which columns hold" in html
    newport = Client()
    newport.force_login(make_user("participant", NEWPORT))
    assert "april.csv" not in newport.get("/en/").content.decode()
