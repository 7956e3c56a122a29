"""Fixtures for the browser tests: Debian's Chromium driven by Playwright against ``live_server``.

The whole suite skips cleanly when ``chromium`` is not on PATH (``make test`` installs it).
Playwright's own browser downloads are never used.

* ``browser`` is shared by the package's tests; every test gets a fresh ``context`` and ``page``.
* The ``sign_in_as`` fixture, ``sign_in_as(context, user)``, gives a context a signed-in
  session without the form (tests of the form itself use ``sign_in_with_form``).
* Plain helpers (the sign-in form, axe-core) are in ``support.py``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Generous, because these tests check behaviour, not speed (benchmarks/ measure that): on a
# two-core machine the other test worker can be building a demo workspace while a page loads
# its first styles and scripts from the single live server.
TIMEOUT_MS = 30_000
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = shutil.which("chromium")
    if path is None:
        pytest.skip("chromium is not on PATH (apt-get install chromium); browser tests skipped")
    return path


@pytest.fixture(scope="package")
def playwright(chromium_path: str) -> Iterator[Any]:
    """Playwright's sync API, for the browser tests only.

    Between calls the sync API marks an asyncio loop as running in the main thread, and Django
    then refuses database access "from an async context". Nothing here is async, so the check
    is turned off while Playwright runs, and this fixture is package-scoped so that the tests
    outside ``tests/browser`` run with neither the loop nor the relaxed check.
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


@pytest.fixture(scope="package")
def browser(playwright: Any, chromium_path: str) -> Iterator[Any]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True
    )
    try:
        yield browser
    finally:
        browser.close()


def context_open(browser: Any, live_server: Any, **options: Any) -> Any:
    options.setdefault("base_url", live_server.url)
    options.setdefault("locale", "en-GB")
    options.setdefault("viewport", {"width": 1280, "height": 900})
    context = browser.new_context(**options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def new_context(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """Make more browser contexts on the live server, closed after the test."""
    made: list[Any] = []

    def make(**options: Any) -> Any:
        context = context_open(browser, live_server, **options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


@pytest.fixture(scope="module")
def axe_context_shared(browser: Any, live_server: Any) -> Iterator[Any]:
    context = context_open(browser, live_server, bypass_csp=True)
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def axe_context(axe_context_shared: Any) -> Iterator[Any]:
    """A context for injecting axe-core, whose inline script the CSP would block.

    It is shared by a module's tests to keep its cache warm (a new context costs about half a
    second): each test starts with no cookies, and its pages are closed after it.
    """
    axe_context_shared.clear_cookies()
    yield axe_context_shared
    for page in axe_context_shared.pages:
        page.close()
    axe_context_shared.clear_cookies()


@pytest.fixture
def context(new_context: Callable[..., Any]) -> Any:
    return new_context()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def api_request(playwright: Any, live_server: Any) -> Iterator[Any]:
    """An HTTP client with no cookies: it is authenticated only by what a test sends."""
    request = playwright.request.new_context(base_url=live_server.url)
    try:
        yield request
    finally:
        request.dispose()


@pytest.fixture
def sign_in_as(live_server: Any) -> Callable[[Any, Any], None]:
    """``sign_in_as(context, user)``: a signed-in session without filling in the form."""
    from django.conf import settings
    from django.test import Client

    def sign_in(context: Any, user: Any) -> None:
        client = Client()
        client.force_login(user)
        session_cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": session_cookie.value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Lax",
                }
            ]
        )

    return sign_in
