"""An officer writes a data question in the browser; a facilitator comments and marks it ready."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from infuse.datalab.models import DataQuestion
from tests.conftest import CAERPHILLY

pytestmark = pytest.mark.browser


def test_officer_writes_a_question_and_a_facilitator_marks_it_ready(
    page: Any,
    context: Any,
    new_context: Callable[..., Any],
    make_user: Any,
    sign_in_as: Any,
) -> None:
    officer = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    sign_in_as(context, officer)
    page.goto("/en/adaption/")
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Data Lab").click()
    page.get_by_role("link", name="Start a data question").click()
    page.get_by_label("Short title").fill("Energy advice targeting")
    page.get_by_label("The decision to be made").fill("Which wards the advice team visits first.")
    page.get_by_label("Who makes the decision").fill("Head of Housing")
    page.get_by_label("The question", exact=True).fill("Where is energy use highest?")
    page.get_by_label("What data would answer it").fill("Gas and electricity use by area.")
    page.get_by_label("The measure").fill("Median kWh per household per year")
    page.get_by_role("radio", name="Shared: available to some organisations").check()
    page.get_by_role("radio", name="Administrative: records kept").check()
    page.get_by_role("checkbox", name="Accelerating Decarbonisation").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Data question saved.")
    expect(page.locator("main")).to_contain_text("Draft")
    expect(page.get_by_role("button", name="Mark as ready")).to_have_count(0)
    question = DataQuestion.objects.get()

    facilitator = make_user("facilitator", None, first_name="Rhian", last_name="Evans")
    review_context = new_context()
    sign_in_as(review_context, facilitator)
    review = review_context.new_page()
    review.goto("/en/datalab/")
    review.get_by_role("link", name="Energy advice targeting").click()
    review.get_by_label("Your comment").fill("Say which board decides.")
    review.get_by_role("button", name="Add comment").click()
    expect(review.locator(".govuk-notification-banner")).to_contain_text("Comment added.")
    review.get_by_role("button", name="Mark as ready").click()
    expect(review.locator(".govuk-notification-banner")).to_contain_text("Marked ready.")
    expect(review.locator("main")).to_contain_text("Marked ready by Rhian Evans")

    page.reload()
    expect(page.locator("main")).to_contain_text("Ready")
    expect(page.locator("main")).to_contain_text("Say which board decides.")
    question.refresh_from_db()
    assert question.status == "ready" and question.ready_by == facilitator
