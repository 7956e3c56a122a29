"""The REST API root. Each app adds a router; all share one token scheme and one policy."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import APIKeyCookie, HttpBearer

from infuse.accounts.api import router as accounts_router
from infuse.accounts.services import api_token_authenticate
from infuse.adaption.api import router as adaption_router
from infuse.challenges.api import router as challenges_router
from infuse.datalab.dataset_api import router as datalab_datasets_router
from infuse.datalab.indicator_api import router as indicators_router
from infuse.procurement.api import router as procurement_router
from infuse.programme.api import router as programme_router
from infuse.reference.api import router as reference_router
from infuse.tenders.api import router as tenders_router


class TokenAuth(HttpBearer):
    """``Authorization: Bearer inf_…`` with a token made on the API tokens page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session, so pages can call the API with the user's own rights."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


# No text a user can store or look up holds the NUL character (PostgreSQL refuses it), and
# ``web.middleware.ApiRefusesNulMiddleware`` answers 422 to a path or query that has one; the
# description says so, as a pattern on every free-text parameter.
NO_NUL_PATTERN = "^[^\\u0000]*$"


def _string_schemas(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The free-text string schemas in a parameter's schema (itself or its ``anyOf``)."""
    found = [schema, *schema.get("anyOf", [])]
    return [
        part
        for part in found
        if part.get("type") == "string" and not {"format", "enum", "pattern"} & part.keys()
    ]


class InfuseAPI(NinjaAPI):
    """The API, whose description states that path and query text may not hold NUL."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") in ("path", "query"):
                        for part in _string_schemas(parameter.get("schema", {})):
                            part["pattern"] = NO_NUL_PATTERN
        return schema


api = InfuseAPI(
    title="Infuse API",
    version="1",
    description=(
        "Reference data, the signed-in user, and (as the labs arrive) their engines. "
        "Authenticate with a personal token: Authorization: Bearer <token>. "
        "Records follow the same permission policy as the pages."
    ),
    auth=[TokenAuth(), SessionAuth()],
    docs_url=None,
    urls_namespace="api",
)
api.add_router("/reference/", reference_router)
api.add_router("/", accounts_router)
api.add_router("/procurement/", procurement_router)
api.add_router("/adaption/", adaption_router)
api.add_router("/challenge-fund/", challenges_router)
api.add_router("/programme/", programme_router)
api.add_router("/datalab/", datalab_datasets_router)
api.add_router("/datalab/indicators", indicators_router)
api.add_router("/tenders/", tenders_router)
