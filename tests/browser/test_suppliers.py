"""An analyst merges two spellings of one supplier in a real browser, then undoes it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import CAERPHILLY

pytestmark = pytest.mark.browser

LEDGER = (
    "Date,Supplier,Amount,Department\n"
    "01/04/2025,Gwent Fleet Services Ltd,800.00,Fleet\n"
    "02/04/2025,Gwent Fleet Svcs,200.00,Fleet\n"
    "03/04/2025,Dragon Office Supplies,90.00,Corporate\n"
)


def test_analyst_merges_two_spellings_and_undoes_it(
    page: Any, context: Any, make_user: Any, sign_in_as: Any
) -> None:
    from infuse.procurement.services import spend_import_run, spend_upload

    analyst = make_user("analyst", CAERPHILLY, first_name="Dafydd", last_name="Jenkins")
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name="april.csv", content=LEDGER.encode()
    )
    spend_import_run(actor=analyst, batch=batch)
    sign_in_as(context, analyst)

    page.goto("/en/procurement/spend/")
    page.get_by_role("link", name="Suppliers", exact=True).click()
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("Suppliers")
    table = main.locator("table").first
    expect(table).to_contain_text("Gwent Fleet Svcs")
    # Two rows before the merge: the engine does not join an abbreviation by itself.
    expect(table.locator("tbody tr")).to_have_count(3)

    page.get_by_label("Choose Gwent Fleet Services Ltd to merge").check()
    page.get_by_label("Choose Gwent Fleet Svcs to merge").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Merge the chosen suppliers").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "1 supplier was merged into Gwent Fleet Services Ltd"
    )
    expect(main.locator("h1")).to_have_text("Gwent Fleet Services Ltd")
    spellings = main.get_by_role("table").filter(has_text="Spellings in the spend files")
    expect(spellings).to_contain_text("Gwent Fleet Svcs")
    expect(spellings).to_contain_text("Analyst's decision")
    expect(main.locator(".govuk-summary-list")).to_contain_text("1,000.00")

    # The decision is listed on the supplier's page, and undoing it restores both suppliers.
    with page.expect_navigation():
        main.get_by_role("button", name="Undo").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("The decision was undone.")
    page.goto(f"/en/procurement/suppliers/?body={CAERPHILLY}")
    expect(page.locator("main table").first.locator("tbody tr")).to_have_count(3)
