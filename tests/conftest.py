"""Fixtures shared by every test: reference data, users of each role, the shared data folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"

CAERPHILLY = "W06000018"
NEWPORT = "W06000022"
TORFAEN = "W06000020"


@pytest.fixture
def shared_data() -> Path:
    """The real public data in ../shared/data; tests that need it skip cleanly without it."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


@pytest.fixture
def reference(db: Any) -> dict[str, dict[str, int]]:
    from infuse.reference.services import reference_load

    return reference_load(actor=None)


@pytest.fixture
def make_user(reference: Any) -> Callable[..., Any]:
    """Create a user: ``make_user("analyst", CAERPHILLY)``; ``body=None`` is the delivery team."""
    from infuse.accounts.services import user_create
    from infuse.reference.models import Body

    counter = {"n": 0}

    def make(role: str = "participant", body: str | None = CAERPHILLY, **extra: Any) -> Any:
        counter["n"] += 1
        username = extra.pop("username", f"{role}-{body or 'team'}-{counter['n']}")
        return user_create(
            actor=None,
            username=username,
            password=extra.pop("password", "correct horse battery staple"),
            role=role,
            body=Body.objects.get(code=body) if body else None,
            email=extra.pop("email", f"{username}@example.org"),
            **extra,
        )

    return make


@pytest.fixture(autouse=True)
def isolated_files(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Each test writes the analytical store and uploads in folders of its own.

    The database rolls back after every test; files do not, so they must not be shared.
    (pytest-django's ``settings`` fixture announces the change, so storages pick it up.)
    """
    from django.core.cache import cache

    cache.clear()  # cached figures are keyed by file paths, which tests reuse
    root = tmp_path_factory.mktemp("data")
    settings.WAREHOUSE_DIR = root / "warehouse"
    settings.MEDIA_ROOT = root / "uploads"
    return root


@pytest.fixture(autouse=True)
def language_reset() -> Any:
    """Each test starts in the default language: a request to a ``/cy/`` page leaves Welsh
    active in the thread (LocaleMiddleware activates it and nothing deactivates it), which
    would otherwise change the messages later tests in the same worker see."""
    from django.utils import translation

    yield
    translation.deactivate()
