from __future__ import annotations

from typing import Any

from django.test import Client

from infuse.accounts.services import api_token_create, api_token_revoke
from tests.conftest import CAERPHILLY


def test_openapi_description_lists_the_endpoints(reference: Any) -> None:
    schema = Client().get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/reference/bodies", "/api/me", "/api/reference/wellbeing-goals"} <= set(
        schema["paths"]
    )


def test_reference_endpoints_are_public_and_bilingual(reference: Any) -> None:
    bodies = Client().get("/api/reference/bodies?programme_only=true").json()
    assert len(bodies) == 10
    caerphilly = next(b for b in bodies if b["code"] == CAERPHILLY)
    assert caerphilly["name_cy"] == "Caerffili" and caerphilly["region"] == "CCR"
    goals = Client().get("/api/reference/wellbeing-goals").json()
    assert [g["number"] for g in goals] == [1, 2, 3, 4, 5, 6, 7]
    assert Client().get("/api/reference/bodies/NOPE").status_code == 404


def test_me_needs_a_valid_token(make_user: Any) -> None:
    user = make_user("analyst", CAERPHILLY)
    token, secret = api_token_create(actor=user, user=user, name="t")
    client = Client()
    assert client.get("/api/me").status_code == 401
    assert client.get("/api/me", headers={"authorization": "Bearer inf_wrong"}).status_code == 401
    me = client.get("/api/me", headers={"authorization": f"Bearer {secret}"}).json()
    assert me["username"] == user.username and me["role"] == "analyst"
    assert me["body"]["code"] == CAERPHILLY and me["delivery_team"] is False
    api_token_revoke(actor=user, token=token)
    assert client.get("/api/me", headers={"authorization": f"Bearer {secret}"}).status_code == 401


def test_me_works_with_the_browser_session(make_user: Any) -> None:
    client = Client()
    client.force_login(make_user("facilitator", None))
    me = client.get("/api/me").json()
    assert me["delivery_team"] is True and me["body"] is None


def test_text_with_a_nul_character_is_refused_as_bad_input_not_a_server_error(
    make_user: Any,
) -> None:
    # PostgreSQL refuses NUL in any text comparison; Schemathesis sent it to two endpoints.
    client = Client()
    client.force_login(make_user("analyst", CAERPHILLY))
    for path, query in [
        ("/api/procurement/carbon/return", {"body": "W06\x00"}),
        ("/api/datalab/indicators", {"theme": "a\x00"}),
    ]:
        response = client.get(path, query)
        assert response.status_code == 422, path
        assert response.json()["detail"][0]["loc"] == ["query", next(iter(query))]
    welsh = client.get("/api/datalab/indicators", {"theme": "\x00"}, HTTP_ACCEPT_LANGUAGE="cy")
    assert welsh.status_code == 422 and "Ni chaiff" in welsh.json()["detail"][0]["msg"]
    # The description says so, so clients (and Schemathesis) know NUL is not valid text.
    described = client.get("/api/openapi.json").json()
    theme = next(
        p
        for p in described["paths"]["/api/datalab/indicators"]["get"]["parameters"]
        if p["name"] == "theme"
    )
    patterns = [
        part.get("pattern") for part in [theme["schema"], *theme["schema"].get("anyOf", [])]
    ]
    assert "^[^\\u0000]*$" in patterns
