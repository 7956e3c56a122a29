"""Supplier cleaning through the services and selectors, on a real database and store."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from infuse.accounts.models import User
from infuse.audit.models import AuditEntry
from infuse.procurement import selectors
from infuse.procurement.models import SupplierDecision, SupplierList
from infuse.procurement.services import (
    SupplierDecisionError,
    SupplierListRefused,
    spend_import_run,
    spend_upload,
    supplier_confirm,
    supplier_decision_undo,
    supplier_list_upload,
    supplier_list_withdraw,
    supplier_merge,
    supplier_split,
)
from tests.conftest import CAERPHILLY, NEWPORT

LEDGER = (
    "Date,Supplier,Amount,Department,Company Number\n"
    "01/04/2025,Cwm Civils Ltd,1000.00,Highways,\n"
    "02/04/2025,CWM CIVILS LIMITED,500.00,Highways,\n"
    "03/04/2025,Cwm Civil Engineering,250.00,Highways,\n"
    "04/04/2025,Gwent Fleet Services Ltd,800.00,Fleet,01234567\n"
    "05/04/2025,GFS Vehicle Maintenance,200.00,Fleet,01234567\n"
    "06/04/2025,Dragon Office Supplies,90.00,Corporate,\n"
    "07/04/2025,Mr John Smith,300.00,Social Care,\n"
    "08/04/2025,REDACTED PERSONAL DATA,700.00,Social Care,\n"
)


@pytest.fixture
def analyst(make_user: Any) -> User:
    return make_user("analyst", CAERPHILLY, username="dafydd")


def imported(analyst: User, content: str, name: str = "april.csv", **options: Any) -> Any:
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name=name, content=content.encode(), **options
    )
    return spend_import_run(actor=analyst, batch=batch)


def cluster_named(overview: Any, spelling: str) -> dict[str, Any]:
    for row in overview.profiles.iter_rows(named=True):
        if spelling in row["spellings"]:
            return row
    raise AssertionError(f"{spelling} is in no cluster")


def test_spellings_cluster_with_evidence_and_withheld_payees_apart(analyst: User) -> None:
    imported(analyst, LEDGER)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")
    assert set(cwm["spellings"]) == {"Cwm Civils Ltd", "CWM CIVILS LIMITED"}
    assert cwm["amount"] == Decimal("1500.00") and cwm["evidence"] == ["normalised_name"]
    fleet = cluster_named(overview, "Gwent Fleet Services Ltd")
    assert "GFS Vehicle Maintenance" in fleet["spellings"]
    assert fleet["evidence"] == ["company_number"] and fleet["confidence"] == 1.0
    # The body's own analyst sees the withheld payees, flagged.
    smith = cluster_named(overview, "Mr John Smith")
    assert smith["is_excluded"] and smith["is_personal"]
    assert overview.withheld["amount"] == Decimal("1000.00")
    assert overview.withheld["payees"] == 2


def test_other_bodies_never_see_withheld_payees_by_name(analyst: User, make_user: Any) -> None:
    imported(analyst, LEDGER)
    newport = make_user("analyst", NEWPORT)
    overview = selectors.supplier_overview(newport, analyst.body)
    assert overview is not None
    names = {n for spellings in overview.profiles["spellings"] for n in spellings}
    assert "Mr John Smith" not in names and not overview.profiles["is_excluded"].any()
    # The total is still whole: the withheld spend is counted, not listed.
    assert overview.withheld["amount"] == Decimal("1000.00")
    assert overview.sme.total == Decimal("3840.00")
    assert not overview.may_change


def test_merge_split_undo_replay_and_audit(analyst: User) -> None:
    imported(analyst, LEDGER)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")
    engineering = cluster_named(overview, "Cwm Civil Engineering")
    assert cwm["cluster_id"] != engineering["cluster_id"]

    merge = supplier_merge(
        actor=analyst,
        body=analyst.body,
        cluster_ids=[cwm["cluster_id"], engineering["cluster_id"]],
    )
    merged = selectors.supplier_overview(analyst, analyst.body)
    assert merged is not None
    row = cluster_named(merged, "Cwm Civil Engineering")
    assert row["cluster_id"] == cwm["cluster_id"]
    assert row["amount"] == Decimal("1750.00") and row["evidence"] == ["analyst"]

    split = supplier_split(actor=analyst, body=analyst.body, raw_name="CWM CIVILS LIMITED")
    after_split = selectors.supplier_overview(analyst, analyst.body)
    assert after_split is not None
    assert cluster_named(after_split, "CWM CIVILS LIMITED")["spellings"] == ["CWM CIVILS LIMITED"]
    assert cluster_named(after_split, "Cwm Civils Ltd")["amount"] == Decimal("1250.00")

    # Undo the merge: the split still stands, the engineering spelling is on its own again.
    supplier_decision_undo(actor=analyst, decision=merge)
    undone = selectors.supplier_overview(analyst, analyst.body)
    assert undone is not None
    assert cluster_named(undone, "Cwm Civil Engineering")["spellings"] == ["Cwm Civil Engineering"]
    assert cluster_named(undone, "CWM CIVILS LIMITED")["spellings"] == ["CWM CIVILS LIMITED"]
    # Undo the split too: the automatic clusters are back.
    supplier_decision_undo(actor=analyst, decision=split)
    back = selectors.supplier_overview(analyst, analyst.body)
    assert back is not None and back.profiles.equals(overview.profiles)

    # Nothing was deleted, and every step is in the audit trail.
    assert SupplierDecision.objects.count() == 2
    assert all(d.reverted_at is not None for d in SupplierDecision.objects.all())
    actions = list(
        AuditEntry.objects.filter(action__startswith="procurement.supplier").values_list(
            "action", flat=True
        )
    )
    assert actions.count("procurement.supplier_decision_undo") == 2
    assert "procurement.supplier_merge" in actions and "procurement.supplier_split" in actions
    with pytest.raises(SupplierDecisionError):
        supplier_decision_undo(actor=analyst, decision=merge)


def test_a_new_ledger_that_changes_cluster_ids_keeps_the_merge_on_its_supplier(
    analyst: User,
) -> None:
    imported(analyst, LEDGER)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    office = cluster_named(overview, "Dragon Office Supplies")["cluster_id"]
    fleet = cluster_named(overview, "Gwent Fleet Services Ltd")["cluster_id"]
    supplier_merge(actor=analyst, body=analyst.body, cluster_ids=[fleet, office])
    # May's file spells Dragon in capitals: that spelling sorts first, so the automatic
    # cluster's id changes. The merge must still find it by the spelling it was made on.
    may = (
        "Date,Supplier,Amount,Department,Company Number\n"
        "01/05/2025,DRAGON OFFICE SUPPLIES,10.00,Corporate,\n"
    )
    imported(analyst, may, name="may.csv")
    after = selectors.supplier_overview(analyst, analyst.body)
    assert after is not None
    dragon = cluster_named(after, "DRAGON OFFICE SUPPLIES")
    assert dragon["cluster_id"] == fleet
    assert "Dragon Office Supplies" in dragon["spellings"] and not after.not_applied


def test_decisions_on_spellings_no_longer_in_the_ledgers_are_reported_not_applied(
    analyst: User,
) -> None:
    batch = imported(analyst, LEDGER)
    split = supplier_split(actor=analyst, body=analyst.body, raw_name="CWM CIVILS LIMITED")
    # The April file is replaced by one without that spelling.
    corrected = LEDGER.replace("CWM CIVILS LIMITED", "Cwm Civils Ltd")
    replacement = spend_upload(
        actor=analyst, body=analyst.body, file_name="april-2.csv", content=corrected.encode()
    )
    spend_import_run(actor=analyst, batch=replacement, confirm_replace=True)
    batch.refresh_from_db()
    assert batch.status == "replaced"
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None and overview.not_applied == (split.pk,)
    assert cluster_named(overview, "Cwm Civils Ltd")["amount"] == Decimal("1500.00")


def test_confirming_twice_changes_nothing_and_refusals_change_nothing(analyst: User) -> None:
    imported(analyst, LEDGER)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    smith = cluster_named(overview, "Mr John Smith")["cluster_id"]
    first = supplier_confirm(actor=analyst, body=analyst.body, cluster_id=cwm)
    again = supplier_confirm(actor=analyst, body=analyst.body, cluster_id=cwm)
    assert first.pk == again.pk
    audits = AuditEntry.objects.count()
    for attempt in (
        lambda: supplier_merge(actor=analyst, body=analyst.body, cluster_ids=[cwm, smith]),
        lambda: supplier_merge(actor=analyst, body=analyst.body, cluster_ids=[cwm, cwm]),
        lambda: supplier_merge(actor=analyst, body=analyst.body, cluster_ids=[cwm, "Sdeadbeef"]),
        lambda: supplier_split(actor=analyst, body=analyst.body, raw_name="Mr John Smith"),
        lambda: supplier_split(actor=analyst, body=analyst.body, raw_name="Dragon Office Supplies"),
        lambda: supplier_split(actor=analyst, body=analyst.body, raw_name="Nobody Ltd"),
        lambda: supplier_confirm(actor=analyst, body=analyst.body, cluster_id=smith),
    ):
        with pytest.raises(SupplierDecisionError):
            attempt()
    assert SupplierDecision.objects.count() == 1 and AuditEntry.objects.count() == audits


def test_other_bodies_and_assessors_may_not_decide(analyst: User, make_user: Any) -> None:
    imported(analyst, LEDGER)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    decision = supplier_confirm(actor=analyst, body=analyst.body, cluster_id=cwm)
    for outsider in (
        make_user("analyst", NEWPORT),
        make_user("assessor", CAERPHILLY),
        make_user("programme_manager", None),
    ):
        with pytest.raises(PermissionDenied):
            supplier_confirm(actor=outsider, body=analyst.body, cluster_id=cwm)
        with pytest.raises(PermissionDenied):
            supplier_decision_undo(actor=outsider, decision=decision)
        with pytest.raises(PermissionDenied):
            supplier_list_upload(
                actor=outsider,
                body=analyst.body,
                file_name="s.csv",
                content=b"Supplier,SME\nAcme,yes\n",
            )
    # A participant of the body may; so may the programme's administrators.
    supplier_decision_undo(actor=make_user("participant", CAERPHILLY), decision=decision)
    supplier_confirm(actor=make_user("administrator", None), body=analyst.body, cluster_id=cwm)


def test_supplier_lists_newest_wins_withdrawal_restores_and_private_lists_stay_private(
    analyst: User, make_user: Any
) -> None:
    imported(analyst, LEDGER)
    older = supplier_list_upload(
        actor=analyst,
        body=analyst.body,
        file_name="old.csv",
        content=b"Supplier name,SME,Postcode\nCwm Civils Ltd,no,CF10 1AA\n",
    )
    again = supplier_list_upload(
        actor=analyst,
        body=analyst.body,
        file_name="old-copy.csv",
        content=b"Supplier name,SME,Postcode\nCwm Civils Ltd,no,CF10 1AA\n",
    )
    assert again.pk == older.pk and SupplierList.objects.count() == 1
    newer = supplier_list_upload(
        actor=analyst,
        body=analyst.body,
        file_name="new.csv",
        content=b"Supplier name,Size\nCWM CIVILS LIMITED,Small\n",
        visibility="private",
    )
    mine = selectors.supplier_overview(analyst, analyst.body)
    assert mine is not None
    cwm = cluster_named(mine, "Cwm Civils Ltd")
    assert cwm["size"] == "sme" and cwm["list_id"] == newer.pk
    # The postcode comes from the list that gives one; size from the newest.
    assert mine.sme.sme == Decimal("1500.00")
    # Newport sees Caerphilly's spend but not its private list: the older one applies.
    theirs = selectors.supplier_overview(make_user("analyst", NEWPORT), analyst.body)
    assert theirs is not None
    assert cluster_named(theirs, "Cwm Civils Ltd")["size"] == "large"
    supplier_list_withdraw(actor=analyst, supplier_list=newer)
    back = selectors.supplier_overview(analyst, analyst.body)
    assert back is not None and cluster_named(back, "Cwm Civils Ltd")["size"] == "large"
    assert AuditEntry.objects.filter(action="procurement.supplier_list_withdraw").exists()


def test_a_bad_supplier_list_is_refused_and_changes_nothing(analyst: User) -> None:
    with pytest.raises(SupplierListRefused, match="No column of supplier names"):
        supplier_list_upload(
            actor=analyst, body=analyst.body, file_name="x.csv", content=b"a,b\n1,2\n"
        )
    assert SupplierList.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_command_line_lists_suppliers_without_withheld_names(reference: Any, tmp_path: Any) -> None:
    import json

    from typer.testing import CliRunner

    from infuse.cli import app

    runner = CliRunner()
    ledger = tmp_path / "april.csv"
    ledger.write_text(LEDGER)
    assert runner.invoke(app, ["import-spend", str(ledger), "--body", CAERPHILLY]).exit_code == 0
    result = runner.invoke(app, ["suppliers", "--body", CAERPHILLY, "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    names = [c["name"] for c in payload["clusters"]]
    assert names[0] == "Cwm Civils Ltd" and "Mr John Smith" not in result.stdout
    assert payload["withheld"]["payees"] == 2
    assert Decimal(payload["sme_share"]["total"]) == Decimal("3840.00")
    human = runner.invoke(app, ["suppliers", "--body", CAERPHILLY, "--limit", "3"])
    assert human.exit_code == 0 and "size unknown" in human.output
    missing = runner.invoke(app, ["suppliers", "--body", NEWPORT, "--json"])
    assert missing.exit_code == 1 and "No spend" in json.loads(missing.stdout)["error"]
