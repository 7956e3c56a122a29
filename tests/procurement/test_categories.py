"""Categories on every spend line: runs, rules, corrections, the model, pages, command line.

Small ledgers made here for most tests; Trafford's real ProClass-coded ledger (read in place
from ``shared/data/spend``) for the model, skipping cleanly when it is absent.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.audit.models import AuditEntry
from infuse.cli import app
from infuse.procurement import categories, selectors, spend_queries
from infuse.procurement.category_services import (
    CategoryError,
    category_correct,
    category_correction_undo,
    category_rule_save,
    category_run,
)
from infuse.procurement.models import CategoryCorrection, CategoryRule, SpendBatch
from infuse.procurement.services import spend_import_run, spend_upload
from infuse.procurement.spend_queries import SpendFilter
from tests.conftest import CAERPHILLY, NEWPORT

# Line 2: a ProClass code; line 3: a CPV code; line 4: the body's own code and words the
# standard rules know (agency staff); lines 5-6: nothing to go on.
LEDGER = (
    "Date,Supplier,Amount,Department,Expense Type,Transaction Description,Expense Code\n"
    "01/04/2025,Acme Ltd,1200.00,Highways,Repairs,Pothole repairs,390000\n"
    "03/04/2025,Print Co,300.00,Corporate,Printing,Leaflets,22000000-0\n"
    "10/04/2025,Staffline,560.50,Education,Agency Staff,Cover teacher,AG01\n"
    "12/04/2025,Cwmni Cyf,-60.50,Education,Sundries,Credit note,SU09\n"
    "28/04/2025,Blue Widgets Ltd,700.00,Social Care,Sundries,Widgets,SU09\n"
)
TOTAL = Decimal("2700.00")


@pytest.fixture
def analyst(make_user: Any) -> User:
    return make_user("analyst", CAERPHILLY, username="dafydd")


@pytest.fixture
def batch(analyst: User) -> SpendBatch:
    upload = spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    batch = spend_import_run(actor=analyst, batch=upload)
    assert batch.status == SpendBatch.Status.LIVE
    return batch


def lines_of(user: User) -> dict[int, dict[str, Any]]:
    rows = selectors.spend_lines(user, SpendFilter(bodies=(CAERPHILLY,)))
    return {row["line_number"]: row for row in rows}


def test_every_line_gets_a_category_and_reason_and_totals_do_not_change(
    analyst: User, batch: SpendBatch
) -> None:
    spend = SpendFilter(bodies=(CAERPHILLY,))
    before = selectors.spend_overview(analyst, spend).totals
    run = category_run(actor=analyst, body=analyst.body, train=False)
    after = selectors.spend_overview(analyst, spend)
    assert before.total == after.totals.total == TOTAL
    assert before.lines == after.totals.lines == 5
    assert sum(s.amount for s in after.by_category) == TOTAL
    by_label = {s.label: s for s in after.by_category}
    assert by_label["Works - Construction, Repair & Maintenance"].amount == Decimal("1200.00")
    assert by_label["Stationery"].amount == Decimal("300.00")  # CPV 22 through the cross-walk
    assert by_label["Human Resources"].amount == Decimal("560.50")  # a standard rule
    assert by_label["Unclassified"].lines == 2  # kept in the total, never dropped
    assert run.counts["code"] == 2 and run.counts["rule"] == 1
    assert run.counts["unclassified"] == 2 and run.share_classified == pytest.approx(0.6)
    rows = lines_of(analyst)
    assert rows[2]["category_reason"] == "code in file"
    assert rows[4]["category_reason"].startswith("rule: ")
    assert rows[6]["category_source"] == "unclassified"
    # The category filter and drill-down follow the assigned category.
    unclassified = selectors.spend_lines(
        analyst, SpendFilter(bodies=(CAERPHILLY,), category="Unclassified")
    )
    assert sorted(r["line_number"] for r in unclassified) == [5, 6]


def test_unclassified_is_always_a_row(analyst: User, batch: SpendBatch) -> None:
    category_correct(
        actor=analyst, body=analyst.body, scope="expense_type", value="sundries",
        category_code="410000",
    )  # fmt: skip
    category_run(actor=analyst, body=analyst.body, train=False)
    shares = selectors.spend_overview(analyst, SpendFilter(bodies=(CAERPHILLY,))).by_category
    assert {s.label: s.lines for s in shares}["Unclassified"] == 0


def test_a_rule_an_analyst_adds_then_edits_changes_the_category(
    analyst: User, batch: SpendBatch
) -> None:
    rule = category_rule_save(
        actor=analyst, body=analyst.body, name="Widgets", field="description",
        pattern="widget", category_code="100000",
    )  # fmt: skip
    category_run(actor=analyst, body=analyst.body, train=False)
    row = lines_of(analyst)[6]
    assert row["category"] == "Building Construction Materials"
    assert row["category_reason"] == "rule: Widgets"
    category_rule_save(
        actor=analyst, body=analyst.body, rule=rule, name="Widgets", field="description",
        pattern="widget", category_code="340000",
    )  # fmt: skip
    category_run(actor=analyst, body=analyst.body, train=False)
    assert lines_of(analyst)[6]["category"] == "Stationery"
    assert AuditEntry.objects.filter(action="procurement.category_rule_save").count() == 2


def test_a_bad_pattern_or_unknown_category_is_refused_with_a_message(
    analyst: User, batch: SpendBatch
) -> None:
    with pytest.raises(CategoryError, match="not a valid regular expression"):
        category_rule_save(
            actor=analyst, body=analyst.body, name="Broken", field="description",
            pattern="(unclosed", category_code="100000",
        )  # fmt: skip
    with pytest.raises(CategoryError, match="Choose a category"):
        category_rule_save(
            actor=analyst, body=analyst.body, name="Nowhere", field="description",
            pattern="x", category_code="999999",
        )  # fmt: skip
    assert not CategoryRule.objects.exists()


def test_a_correction_survives_every_run_and_can_be_undone(
    analyst: User, batch: SpendBatch
) -> None:
    correction = category_correct(
        actor=analyst, body=analyst.body, scope="line", batch=batch, line_number=2,
        category_code="150000",
    )  # fmt: skip
    for _ in range(2):
        category_run(actor=analyst, body=analyst.body, train=False)
        row = lines_of(analyst)[2]
        assert (row["category"], row["category_reason"]) == ("Consultancy", "correction")
    category_correction_undo(actor=analyst, correction=correction)
    category_run(actor=analyst, body=analyst.body, train=False)
    assert lines_of(analyst)[2]["category_reason"] == "code in file"
    correction.refresh_from_db()
    assert correction.reverted_by == analyst  # kept in the history


def test_a_supplier_correction_reaches_every_spelling_of_that_supplier(
    analyst: User,
) -> None:
    # Two spellings of one supplier (the same once normalised) and one of another.
    ledger = (
        "Date,Supplier,Amount,Department,Expense Type\n"
        "01/04/2025,Acme Ltd,100.00,Highways,Sundries\n"
        "02/04/2025,ACME LIMITED,200.00,Highways,Sundries\n"
        "03/04/2025,Acme Lighting Ltd,50.00,Highways,Sundries\n"
    )
    upload = spend_upload(
        actor=analyst, body=analyst.body, file_name="a.csv", content=ledger.encode()
    )
    spend_import_run(actor=analyst, batch=upload)
    category_correct(
        actor=analyst, body=analyst.body, scope="supplier", value="Acme Ltd",
        category_code="150000",
    )  # fmt: skip
    category_run(actor=analyst, body=analyst.body, train=False)
    rows = lines_of(analyst)
    assert [rows[n]["category"] for n in (2, 3)] == ["Consultancy", "Consultancy"]
    assert rows[2]["category_reason"] == rows[3]["category_reason"] == "correction"
    assert rows[4]["category"] != "Consultancy"  # another supplier, however alike the name
    # Once an analyst splits the spelling off, the correction no longer reaches it.
    from infuse.procurement.services import supplier_split

    supplier_split(actor=analyst, body=analyst.body, raw_name="ACME LIMITED")
    category_run(actor=analyst, body=analyst.body, train=False)
    rows = lines_of(analyst)
    assert rows[2]["category"] == "Consultancy" and rows[3]["category"] != "Consultancy"


def test_the_latest_correction_of_any_spelling_of_a_supplier_wins() -> None:
    import polars as pl

    lines = pl.DataFrame(
        {
            "batch_id": [1, 1, 1, 1],
            "line_number": [2, 3, 4, 5],
            "supplier_name": ["Acme Ltd", "ACME LIMITED", "Gone Ltd", None],
            "expense_type": ["x", "x", "x", "x"],
        }
    )
    corrections = pl.DataFrame(
        [
            ("supplier", None, None, " acme ltd ", "150000"),
            ("supplier", None, None, "ACME LIMITED", "200000"),
            ("supplier", None, None, "gone ltd", "340000"),
        ],
        schema=categories.CORRECTION_SCHEMA,
        orient="row",
    )
    clusters = pl.DataFrame(
        {"name": ["Acme Ltd", "ACME LIMITED"], "cluster_id": ["c1", "c1"]},
        schema=categories.SUPPLIER_CLUSTER_SCHEMA,
    )
    with_clusters = categories.corrected_codes(lines, corrections, clusters).to_list()
    assert with_clusters == ["200000", "200000", "340000", None]
    # Without clusters each spelling keeps its own correction, as written.
    assert categories.corrected_codes(lines, corrections).to_list() == [
        "150000", "200000", "340000", None,
    ]  # fmt: skip
    # A case variant split off into a supplier of its own is not reached by a correction of
    # the spelling it was split from; a correction of no spelling as written reaches both.
    split = pl.DataFrame(
        {"name": ["Acme Ltd", "ACME LTD"], "cluster_id": ["c1", "c2"]},
        schema=categories.SUPPLIER_CLUSTER_SCHEMA,
    )
    variants = lines.with_columns(pl.Series("supplier_name", ["Acme Ltd", "ACME LTD", None, None]))
    one = corrections.head(1).with_columns(pl.lit("Acme Ltd").alias("value"))
    assert categories.corrected_codes(variants, one, split).to_list() == [
        "150000", None, None, None,
    ]  # fmt: skip
    loose = corrections.head(1).with_columns(pl.lit(" acme LTD ").alias("value"))
    assert categories.corrected_codes(variants, loose, split).to_list() == [
        "150000", "150000", None, None,
    ]  # fmt: skip


def test_carbon_chooses_each_line_sic_from_its_assigned_category(
    analyst: User, batch: SpendBatch
) -> None:
    from infuse.procurement import carbon
    from infuse.procurement.services import carbon_factor_set_builtin

    carbon_factor_set_builtin()
    bodies = [analyst.body]

    def carbon_by_line() -> dict[int, dict[str, Any]]:
        rows = selectors.carbon_lines(analyst, bodies, carbon.CarbonFilter())
        return {row["line_number"]: row for row in rows}

    before = carbon_by_line()
    assert before[3]["basis"] != "category" and before[6]["basis"] == "unclassified"
    # An analyst says the widgets are furniture (ProClass 210000, SIC 31 in the cross-walk),
    # and overrules the file's ProClass code on line 2 (Works) with Consultancy (SIC 70).
    for line, code in ((6, "210000"), (2, "150000")):
        category_correct(
            actor=analyst, body=analyst.body, scope="line", batch=batch, line_number=line,
            category_code=code,
        )  # fmt: skip
    category_run(actor=analyst, body=analyst.body, train=False)
    after = carbon_by_line()
    assert (after[6]["sic_code"], after[6]["basis"]) == ("31", "category")
    assert (after[2]["sic_code"], after[2]["category"]) == ("70", "Consultancy")
    # The CPV code (division 22, printed matter) reaches SIC 17 through ProClass Stationery.
    assert (after[3]["sic_code"], after[3]["basis"]) == ("17", "category")
    # Spend in scope is the same; only how it was classified changed.
    in_scope = [r for r in after.values() if not r["excluded_reason"]]
    assert sum(r["spend_gbp"] for r in in_scope) == pytest.approx(
        sum(r["spend_gbp"] for r in before.values() if not r["excluded_reason"])
    )


def test_another_authority_cannot_edit_rules_or_correct_lines(
    analyst: User, batch: SpendBatch, make_user: Any
) -> None:
    outsider = make_user("analyst", NEWPORT)
    with pytest.raises(PermissionDenied):
        category_rule_save(
            actor=outsider, body=analyst.body, name="X", field="description", pattern="x",
            category_code="100000",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        category_correct(
            actor=outsider, body=analyst.body, scope="line", batch=batch, line_number=2,
            category_code="150000",
        )  # fmt: skip
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/en/procurement/spend/categories/{CAERPHILLY}/").status_code == 404
    assert (
        client.get(f"/en/procurement/spend/categories/{CAERPHILLY}/rules/add/").status_code == 404
    )


def test_pages_rules_preview_and_correction(analyst: User, batch: SpendBatch) -> None:
    category_run(actor=analyst, body=analyst.body, train=False)
    client = Client()
    client.force_login(analyst)
    base = f"/en/procurement/spend/categories/{CAERPHILLY}/"
    page = client.get(base)
    assert page.status_code == 200
    assert "Code in the file" in page.content.decode()
    # A bad pattern: a clear message, nothing saved.
    form = {
        "name": "Widgets", "field": "description", "pattern": "(", "category_code": "100000",
        "position": "10", "enabled": "on",
    }  # fmt: skip
    bad = client.post(base + "rules/add/", {**form, "action": "save"})
    assert bad.status_code == 200 and "not a valid regular expression" in bad.content.decode()
    preview = client.post(base + "rules/add/", {**form, "pattern": "widget", "action": "preview"})
    assert "change the category of 1 lines (£700.00)" in preview.content.decode()
    assert not CategoryRule.objects.exists()
    saved = client.post(base + "rules/add/", {**form, "pattern": "widget", "action": "save"})
    assert saved.status_code == 302 and CategoryRule.objects.count() == 1
    # The lines page offers a correction; the correction page keeps it.
    lines_page = client.get(f"/en/procurement/spend/lines/?body={CAERPHILLY}")
    assert "Correct the category" in lines_page.content.decode()
    url = base + f"correct/?batch={batch.pk}&line=5"
    assert client.get(url).status_code == 200
    done = client.post(url, {"scope": "supplier", "category_code": "200000"})
    assert done.status_code == 302
    kept = CategoryCorrection.objects.get()
    assert (kept.scope, kept.value) == ("supplier", "Cwmni Cyf")


def test_the_import_job_categorises_and_the_command_line_reports(
    analyst: User, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    client.force_login(analyst)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("april.csv", LEDGER.encode(), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/procurement/spend/files/", {"spend_files": [upload], "visibility": "regional"}
        )
    assert response.status_code == 302
    assert SpendBatch.objects.get().status == SpendBatch.Status.LIVE
    assert lines_of(analyst)[2]["category_reason"] == "code in file"  # categorised by the job
    result = CliRunner().invoke(app, ["categorise", "--body", CAERPHILLY, "--no-train", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["lines"] == 5 and payload["by_source"]["code"] == 2
    assert payload["share_classified"] == pytest.approx(0.6)
    summary = CliRunner().invoke(app, ["spend-summary", "--body", CAERPHILLY, "--json"])
    labels = [share["label"] for share in json.loads(summary.output)["by_category"]]
    assert "Stationery" in labels and "Unclassified" in labels
    from infuse.accounts.services import api_token_create

    _token, secret = api_token_create(actor=analyst, user=analyst, name="t")
    api = Client().get(
        f"/api/procurement/spend/summary?body={CAERPHILLY}",
        headers={"authorization": f"Bearer {secret}"},
    )
    assert api.status_code == 200
    by_source = {row["source"]: row["lines"] for row in api.json()["categorised_by"]}
    assert by_source == {"code": 2, "rule": 1, "unclassified": 2}
    api_labels = {share["label"] for share in api.json()["by_category"]}
    assert {"Stationery", "Unclassified"} <= api_labels


def test_crosswalk_names_every_proclass_heading_and_cpv_division() -> None:
    table = categories.crosswalk()
    assert table.filter(table["direction"] == "both").height == 45
    assert table["proclass_code"].n_unique() == 32
    assert categories.cpv_divisions_of("370000") == ["09", "41", "65", "76"]


@pytest.mark.needs_shared
def test_trafford_ledger_trains_a_model_that_categorises_uncoded_lines(
    shared_data: Any, analyst: User
) -> None:
    ledger = shared_data / "spend" / "trafford-council" / "trafford-supplier-spend-2025-03.csv.gz"
    if not ledger.is_file():
        pytest.skip("Trafford's ledger is not in shared/data/spend")
    upload = spend_upload(
        actor=analyst, body=analyst.body, file_name=ledger.name, content=ledger.read_bytes()
    )
    batch = spend_import_run(actor=analyst, batch=upload)
    run = category_run(actor=analyst, body=analyst.body)
    assert run.lines == batch.rows_imported
    assert run.model is not None and run.model.body_id == analyst.body.pk
    assert run.model.held_out_accuracy > 0.9  # measured 0.98 (in-distribution)
    assert run.counts["code"] > 0.6 * run.lines  # codes in a later ProClass release go on
    totals = selectors.spend_overview(analyst, SpendFilter(bodies=(CAERPHILLY,))).totals
    assert totals.total == batch.total_amount
    # A second ledger without codes: the body's model decides most of its lines.
    uncoded = (
        "Date,Supplier,Amount,Expense Type,Transaction Description\n"
        "01/05/2025,Acme Homecare Ltd,900.00,Domiciliary Care,Home care package\n"
        "02/05/2025,Blue Widgets Ltd,80.00,Stationery,Paper\n"
    )
    other = spend_upload(
        actor=analyst, body=analyst.body, file_name="may.csv", content=uncoded.encode()
    )
    spend_import_run(actor=analyst, batch=other)
    run = category_run(actor=analyst, body=analyst.body, train=False)
    decided = spend_queries.lines(
        __import__("infuse.warehouse.store", fromlist=["default_store"]).default_store(),
        selectors.live_files(analyst, (CAERPHILLY,)),
        SpendFilter(bodies=(CAERPHILLY,), date_from=__import__("datetime").date(2025, 5, 1)),
        category_detail=True,
    )
    assert {row["category_source"] for row in decided} <= {"model", "rule"}
    assert all(row["category"] != "Unclassified" for row in decided)
