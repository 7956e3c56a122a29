"""Fixtures shared by the Adaption Lab's tests."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.accounts.services import api_token_create
from tests.conftest import CAERPHILLY


@pytest.fixture
def api_client(make_user: Any) -> tuple[Client, dict[str, str]]:
    """A test client and the header that signs it in with an analyst's API token."""
    user = make_user("analyst", CAERPHILLY)
    _token, secret = api_token_create(actor=user, user=user, name="tests")
    return Client(), {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
