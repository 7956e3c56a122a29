"""Spend on and off contract: a body's ledger set against its contracts, on the contract page,
the body's page (with its chart and CSV) and in the four parts that add up to the ledger."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from infuse.procurement import selectors as spend_selectors
from infuse.procurement.contract_selectors import contract_spend_of_body
from infuse.procurement.contract_services import register_import
from infuse.procurement.models import ContractRecord
from infuse.procurement.services import spend_import_run, spend_upload
from infuse.procurement.spend_queries import SpendFilter
from tests.conftest import CAERPHILLY, NEWPORT

pytestmark = pytest.mark.django_db

LEDGER = (
    "Date,Supplier,Amount,Department,Company Number\n"
    "01/04/2025,Cwm Civils Ltd,1000.00,Highways,\n"
    "02/04/2025,CWM CIVILS LIMITED,500.00,Highways,\n"
    "10/01/2026,Cwm Civils Ltd,400.00,Highways,\n"
    "04/04/2025,Gwent Fleet Services Ltd,800.00,Fleet,01234567\n"
    "05/04/2025,GFS Vehicle Maintenance,200.00,Fleet,01234567\n"
    "06/04/2025,Dragon Office Supplies,90.00,Corporate,\n"
    "07/04/2025,Mr John Smith,300.00,Social Care,\n"
    "08/04/2025,REDACTED PERSONAL DATA,700.00,Social Care,\n"
)
# Cwm Civils matches by its normalised name, Gwent Fleet by its company number (the contract
# spells it differently), and the third supplier is in no ledger.
REGISTER = (
    b"Contract Reference,Contract Title,Supplier,Company Number,Total Contract Value,"
    b"Start Date,End Date\n"
    b"R1,Highway repairs,Cwm Civils Ltd.,,50000,2025-01-01,2025-12-31\n"
    b"R2,Fleet maintenance,Gwent Fleet Ltd,1234567,20000,2025-04-01,2026-03-31\n"
    b"R3,Tree surveys,Derwen Arborists,,1000,2025-01-01,2025-12-31\n"
)


def loaded_analyst(make_user: Any) -> Any:
    """A Caerphilly analyst whose body has loaded :data:`LEDGER` and :data:`REGISTER`."""
    user = make_user("analyst", CAERPHILLY, username="eleri")
    batch = spend_upload(
        actor=user, body=user.body, file_name="ledger.csv", content=LEDGER.encode()
    )
    spend_import_run(actor=user, batch=batch)
    register_import(actor=user, body=user.body, file_name="register.csv", content=REGISTER)
    return user


@pytest.fixture
def analyst(make_user: Any) -> Any:
    return loaded_analyst(make_user)


def test_every_payment_is_in_one_part_and_the_parts_add_up(analyst: Any) -> None:
    found = contract_spend_of_body(analyst, analyst.body)
    assert found is not None
    parts = {key: part.amount for key, part in found.spend.parts.items()}
    assert parts == {
        "on_contract": Decimal("2500.00"),  # Cwm 1,500 in period + Gwent Fleet 1,000
        "outside_period": Decimal("400.00"),  # Cwm paid after its contract ended
        "off_contract": Decimal("90.00"),  # Dragon holds no contract
        "cannot_tell": Decimal("1000.00"),  # an individual and a redacted name
    }
    ledger = spend_selectors.spend_overview(analyst, SpendFilter(bodies=(CAERPHILLY,)))
    assert found.spend.total.amount == ledger.totals.total == sum(parts.values())
    assert found.spend.total.lines == ledger.totals.lines == 8
    by_ocid = {r.ocid: r.pk for r in ContractRecord.objects.all()}
    per_contract = found.spend.per_contract
    assert per_contract[by_ocid[f"register-{CAERPHILLY}-R1"]].amount == Decimal("1500.00")
    assert per_contract[by_ocid[f"register-{CAERPHILLY}-R2"]].amount == Decimal("1000.00")
    assert by_ocid[f"register-{CAERPHILLY}-R3"] not in per_contract
    matches = {m["name"]: m["match"] for rows in found.matches.values() for m in rows}
    assert matches == {
        "Cwm Civils Ltd.": "normalised_name",
        "Gwent Fleet Ltd": "company_number",
        "Derwen Arborists": None,
    }
    assert [row["name"] for row in found.off_contract] == ["Dragon Office Supplies"]


def test_pages_show_spend_on_a_contract_and_the_body_with_chart_and_csv(analyst: Any) -> None:
    client = Client()
    client.force_login(analyst)
    repairs = ContractRecord.objects.get(ocid=f"register-{CAERPHILLY}-R1")
    detail = client.get(reverse("procurement:contract", args=[repairs.pk])).content.decode()
    assert "£1,500.00 paid in 2 payments between the contract" in detail
    assert "matched by name" in detail

    url = reverse("procurement:contract-spend", args=[CAERPHILLY])
    page = client.get(url).content.decode()
    assert "Spend on and off contract" in page and "Dragon Office Supplies" in page
    assert "3,990.00" in page and "2,500.00" in page
    assert client.get(reverse("procurement:contracts")).content.decode().count(url) >= 1
    chart = client.get(url, {"format": "svg"})
    assert chart["Content-Type"] == "image/svg+xml" and b"<svg" in chart.content
    rows = list(csv.reader(io.StringIO(client.get(url, {"format": "csv"}).content.decode())))
    assert rows[0] == ["Part of the ledger", "Amount (£)", "Payments"]
    assert rows[5] == ["Total", "3990.00", "8"]
    assert [row[6] for row in rows if row and row[0].endswith("-R1")] == ["1500.00"]


def test_another_body_sees_neither_page_nor_section(analyst: Any, make_user: Any) -> None:
    # The ledger and the register are shared with the region, yet how much Caerphilly buys
    # off contract is its own management information.
    client = Client()
    client.force_login(make_user("participant", NEWPORT))
    url = reverse("procurement:contract-spend", args=[CAERPHILLY])
    assert client.get(url).status_code == 404
    assert client.get(url, {"format": "csv"}).status_code == 404
    repairs = ContractRecord.objects.get(ocid=f"register-{CAERPHILLY}-R1")
    detail = client.get(reverse("procurement:contract", args=[repairs.pk])).content.decode()
    assert "the spend on this contract cannot be shown" in detail and "1,500.00" not in detail
    assert (
        reverse("procurement:contract-spend", args=[CAERPHILLY])
        not in client.get(reverse("procurement:contracts")).content.decode()
    )


def test_the_api_gives_the_same_parts_to_the_body_and_nothing_to_others(
    analyst: Any, make_user: Any
) -> None:
    from infuse.accounts.services import api_token_create

    _token, own = api_token_create(actor=analyst, user=analyst, name="t")
    newport = make_user("analyst", NEWPORT)
    _token, other = api_token_create(actor=newport, user=newport, name="t")
    url = f"/api/procurement/contracts/spend?body={CAERPHILLY}"
    found = Client().get(url, headers={"authorization": f"Bearer {own}"}).json()
    assert Decimal(found["total_gbp"]) == Decimal("3990.00") and found["lines"] == 8
    parts = {part["part"]: Decimal(part["amount_gbp"]) for part in found["parts"]}
    assert parts["on_contract"] == Decimal("2500.00") and sum(parts.values()) == Decimal("3990")
    fleet = next(row for row in found["contracts"] if row["ocid"].endswith("-R2"))
    assert fleet["suppliers"][0]["matched_by"] == "company_number"
    assert Decimal(fleet["spend_in_period_gbp"]) == Decimal("1000.00")
    assert Client().get(url, headers={"authorization": f"Bearer {other}"}).status_code == 404
