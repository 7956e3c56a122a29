"""The strict Content-Security-Policy (no inline scripts) does not break the pages' own scripts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import CAERPHILLY

pytestmark = pytest.mark.browser

# Records every CSP violation the page reports, whatever the console says about it.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.mark.parametrize("signed_in", [False, True], ids=["signed-out", "signed-in"])
def test_home_page_scripts_run_under_the_csp(
    page: Any, context: Any, make_user: Any, sign_in_as: Any, signed_in: bool
) -> None:
    if signed_in:
        sign_in_as(context, make_user("participant", CAERPHILLY))
    else:
        make_user("participant", CAERPHILLY)  # loads reference data for the welcome page
    console: list[str] = []
    errors: list[str] = []
    failed: list[str] = []
    page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: failed.append(f"{request.url} {request.failure}"))
    page.add_init_script(RECORD_CSP_VIOLATIONS)

    response = page.goto("/en/")
    assert response is not None and response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy

    # Our external module script ran: it marks the body and starts GOV.UK Frontend.
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert page.evaluate("document.body.classList.contains('js-enabled')")
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load"

    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.__cspViolations") == []
    csp_messages = [
        m for m in console if "Content Security Policy" in m or "Content-Security-Policy" in m
    ]
    assert not csp_messages, csp_messages
    assert not errors, errors
    assert not [m for m in console if m.startswith("error:")], console
    assert not failed, failed
