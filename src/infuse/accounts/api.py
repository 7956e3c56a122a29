from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Router, Schema

from infuse.api_schemas import AUTH_ERRORS

from .policy import signed_in_user

router = Router(tags=["accounts"])


class BodyRef(Schema):
    code: str
    name_en: str
    name_cy: str


class MeOut(Schema):
    username: str
    display_name: str
    email: str
    role: str
    body: BodyRef | None
    delivery_team: bool
    preferred_language: str


@router.get(
    "/me",
    response={200: MeOut, **AUTH_ERRORS},
    summary=gettext_noop("The signed-in user"),
    description=gettext_noop("Who the token (or session) belongs to: role, body and language."),
)
def me(request: HttpRequest) -> MeOut:
    user = signed_in_user(request)
    body = user.body
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        email=user.email,
        role=user.role,
        body=BodyRef(code=body.code, name_en=body.name_en, name_cy=body.name_cy) if body else None,
        delivery_team=user.on_delivery_team,
        preferred_language=user.preferred_language,
    )
