"""The API tested from its own OpenAPI description with Schemathesis.

Every operation gets a bounded number of generated requests, sent as a signed-out caller and
with the tokens of several roles: no response may be a server error, and every response must
match the schema the API publishes.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from infuse.accounts.services import api_token_create
from tests.conftest import CAERPHILLY, NEWPORT

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

ROLES = [
    ("participant", CAERPHILLY),
    ("analyst", NEWPORT),
    ("programme_manager", None),
    ("administrator", None),
]


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:
    """Keep the test's database connection open across in-process WSGI requests.

    Django closes connections at the end of each request; its own test client switches that
    off, and so must we, or the test transaction (and PostgreSQL connection) ends mid-test.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(make_user: Any) -> list[dict[str, str]]:
    headers: list[dict[str, str]] = [{}]
    for role, body in ROLES:
        user = make_user(role, body)
        _token, secret = api_token_create(actor=user, user=user, name="schemathesis")
        headers.append({"Authorization": f"Bearer {secret}"})
    return headers


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_operations_never_fail_and_match_their_schema(
    case: Any, role_headers: list[dict[str, str]]
) -> None:
    for headers in role_headers:
        response = case.call_and_validate(headers=headers)
        assert response.status_code < 500
