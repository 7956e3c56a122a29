"""A body's workspace is for its own members: others get the designed 403 page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.conftest import CAERPHILLY, NEWPORT

pytestmark = pytest.mark.browser


def test_participant_is_refused_another_authoritys_workspace(
    page: Any, context: Any, make_user: Any, sign_in_as: Any
) -> None:
    caerphilly_officer = make_user("participant", CAERPHILLY, first_name="Carwyn", last_name="Rees")
    make_user("participant", NEWPORT, first_name="Nerys", last_name="Pugh")
    sign_in_as(context, caerphilly_officer)

    response = page.goto(f"/en/bodies/{NEWPORT}/workspace/")
    assert response is not None and response.status == 403
    main = page.locator("main")
    expect(main.locator("h1")).to_have_text("You do not have permission to see this page")
    expect(page).to_have_title("You do not have permission to see this page – Infuse")
    expect(main).to_contain_text("Error code: 403")
    expect(main.get_by_role("link", name="Go to the Infuse home page")).to_be_visible()
    # Nothing of Newport's workspace leaks into the refusal.
    body_text = page.locator("body").inner_text()
    for leaked in ("Newport", "Casnewydd", "Nerys", "Pugh", "People", "Recent activity"):
        assert leaked not in body_text, f"{leaked!r} shown on the 403 page"

    response = page.goto(f"/en/bodies/{CAERPHILLY}/workspace/")
    assert response is not None and response.status == 200
    expect(main.locator("h1")).to_have_text("Caerphilly workspace")
    expect(main.locator("table")).to_contain_text("Carwyn Rees")
