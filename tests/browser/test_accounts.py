"""Signing in and out, the language toggle, lock-out after failures, and API tokens."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.conftest import CAERPHILLY

from .support import PASSWORD, sign_in_with_form

pytestmark = pytest.mark.browser

WELSH_SKIP_LINK = "Neidio i'r prif gynnwys"


def path_of(page: Any) -> str:
    return urlsplit(page.url).path


def test_demo_officer_signs_in_and_sees_their_authority_labs_and_themes(
    page: Any, reference: Any
) -> None:
    from infuse.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_build
    from infuse.reference.models import Body, Lab, Theme

    demo_build(ledger_months=0)
    officer = next(p for p in DEMO_PEOPLE if p.role == "participant" and p.body_code == CAERPHILLY)

    sign_in_with_form(page, officer.username, DEMO_PASSWORD)

    # The officer lands on the home page, in the language they chose before.
    lang = officer.language
    assert path_of(page) == f"/{lang}/"
    expect(page.locator("html")).to_have_attribute("lang", lang)
    main = page.locator("main")

    def shown(record: Any) -> str:
        return getattr(record, f"name_{lang}") or record.name_en

    caerphilly = Body.objects.get(code=CAERPHILLY)
    expect(main.locator(".govuk-caption-l")).to_have_text(shown(caerphilly))
    expect(main.locator("h1")).to_contain_text(officer.first_name)
    labs = [shown(lab) for lab in Lab.objects.order_by("order")]
    themes = [shown(theme) for theme in Theme.objects.order_by("order")]
    assert len(labs) == 3 and len(themes) == 2
    expect(main.locator(".infuse-card h3")).to_have_text(labs + themes)
    expect(page.locator("header")).to_contain_text(officer.first_name)


def test_language_toggle_keeps_the_page_and_is_remembered_at_next_sign_in(
    page: Any, context: Any, make_user: Any
) -> None:
    user = make_user("participant", CAERPHILLY, first_name="Eleri", last_name="Hughes")
    sign_in_with_form(
        page, user.username, PASSWORD, "/en/accounts/sign-in/?next=/en/accounts/profile/"
    )
    assert path_of(page) == "/en/accounts/profile/"
    expect(page.locator("html")).to_have_attribute("lang", "en")
    language_nav = page.locator("nav.govuk-language-navigation")
    expect(language_nav.locator("[aria-current=true]")).to_have_text("English")

    # To Welsh: the same page under /cy/.
    language_nav.get_by_role("link", name="Cymraeg").click()
    expect(page).to_have_url(re.compile(r"/cy/accounts/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(language_nav.locator("[aria-current=true]")).to_have_text("Cymraeg")
    expect(page.locator(".govuk-skip-link")).to_have_text(WELSH_SKIP_LINK)
    expect(page.locator("header")).to_contain_text("Eleri")  # still signed in

    # And back to English, still on the same page.
    language_nav.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/accounts/profile/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".govuk-skip-link")).to_have_text("Skip to main content")

    # The last choice (Welsh) is kept on the account, not only in a cookie: sign out, forget
    # every cookie, sign in through the English form and land in Welsh.
    language_nav.get_by_role("link", name="Cymraeg").click()
    expect(page).to_have_url(re.compile(r"/cy/accounts/profile/$"))
    with page.expect_navigation():
        page.locator("header form button[type=submit]").click()
    context.clear_cookies()
    sign_in_with_form(page, user.username, PASSWORD)
    assert path_of(page) == "/cy/"
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".govuk-skip-link")).to_have_text(WELSH_SKIP_LINK)


def test_welsh_sign_in_page_is_in_welsh(page: Any, reference: Any) -> None:
    page.goto("/cy/accounts/sign-in/")
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator("main h1")).to_have_text("Mewngofnodi i Infuse")
    expect(page.locator(".govuk-skip-link")).to_have_text(WELSH_SKIP_LINK)
    expect(
        page.locator("nav.govuk-language-navigation").get_by_role("link", name="English")
    ).to_have_attribute("hreflang", "en")


def test_sign_out_then_protected_pages_ask_to_sign_in(
    page: Any, context: Any, make_user: Any, sign_in_as: Any
) -> None:
    user = make_user("participant", CAERPHILLY, first_name="Gwen")
    sign_in_as(context, user)
    page.goto("/en/accounts/profile/")
    expect(page.locator("main h1")).to_have_text("Your profile")

    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    assert path_of(page) == "/en/"
    header = page.locator("header")
    expect(header.get_by_role("link", name="Sign in")).to_be_visible()
    expect(header).not_to_contain_text("Gwen")

    page.goto("/en/accounts/profile/")
    assert path_of(page) == "/en/accounts/sign-in/"
    assert "next=/en/accounts/profile/" in page.url.replace("%2F", "/")
    expect(page.locator("main h1")).to_have_text("Sign in to Infuse")


def test_repeated_wrong_passwords_lock_sign_in(page: Any, make_user: Any) -> None:
    user = make_user("participant", CAERPHILLY)
    summary = page.locator(".govuk-error-summary")
    page.goto("/en/accounts/sign-in/")
    for attempt in range(1, 7):
        # The sixth attempt has the right password, but the account name is locked by then.
        password = PASSWORD if attempt == 6 else "not the password at all"
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(password)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        if attempt < 6:
            assert path_of(page) == "/en/accounts/sign-in/"
            expect(summary).to_contain_text("Enter a correct username and password")
            expect(summary).not_to_contain_text("Too many failed attempts")

    assert path_of(page) == "/en/accounts/sign-in/"
    expect(summary).to_contain_text("Too many failed attempts")
    expect(page.locator("header").get_by_role("link", name="Sign in")).to_be_visible()


def test_api_token_is_shown_once_works_and_stops_working_when_revoked(
    page: Any, context: Any, make_user: Any, sign_in_as: Any, api_request: Any
) -> None:
    user = make_user("participant", CAERPHILLY)
    sign_in_as(context, user)
    page.goto("/en/accounts/api-tokens/")
    expect(page.locator("main")).to_contain_text("You have no tokens.")

    page.get_by_label("Token name").fill("monthly spend import script")
    with page.expect_navigation():
        page.get_by_role("button", name="Create a token").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Token created")
    secret = page.locator("#new-token").inner_text().strip()
    assert secret.startswith("inf_")
    row = page.locator("tbody tr", has_text="monthly spend import script")
    expect(row).to_contain_text(secret[:12])

    # Shown once: opening the page again shows only its first characters.
    page.goto("/en/accounts/api-tokens/")
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()
    expect(row).to_contain_text(secret[:12])

    bearer = {"Authorization": f"Bearer {secret}"}
    response = api_request.get("/api/me", headers=bearer)
    assert response.status == 200, response.text()
    assert response.json()["username"] == user.username
    assert api_request.get("/api/me").status == 401  # no cookies: only the token counts

    questions: list[str] = []

    def accept(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    with page.expect_navigation():
        row.get_by_role("button", name="Revoke").click()
    assert questions == ["Revoke this token? Scripts using it will stop working."]
    expect(page.locator(".govuk-notification-banner")).to_contain_text("has been revoked")
    expect(row).to_contain_text("Revoked")

    assert api_request.get("/api/me", headers=bearer).status == 401
