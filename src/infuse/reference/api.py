from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Router, Schema
from ninja.errors import HttpError

from infuse.api_schemas import INPUT_ERRORS, NOT_FOUND

from . import selectors
from .models import Body

router = Router(tags=["reference"], auth=None)


class BodyOut(Schema):
    code: str
    name_en: str
    name_cy: str
    kind: str
    region: str | None
    nation: str
    programme_member: bool
    lead: bool
    source: str

    @staticmethod
    def resolve_region(body: Body) -> str | None:
        return body.region.code if body.region else None


class NamedOut(Schema):
    slug: str
    name_en: str
    name_cy: str
    summary_en: str
    summary_cy: str


class LabOut(NamedOut):
    weeks: int


class GoalOut(Schema):
    number: int
    name_en: str
    name_cy: str
    summary_en: str
    summary_cy: str


@router.get(
    "/bodies",
    response={200: list[BodyOut], **INPUT_ERRORS},
    summary=gettext_noop("Public bodies"),
    description=gettext_noop("Every public body Infuse knows, or only the programme's members."),
)
def list_bodies(request: HttpRequest, programme_only: bool = False) -> list[BodyOut]:
    bodies = selectors.programme_bodies() if programme_only else selectors.bodies()
    return list(bodies)  # type: ignore[arg-type]  # validated against BodyOut by Ninja


@router.get(
    "/bodies/{code}",
    response={200: BodyOut, **NOT_FOUND, **INPUT_ERRORS},
    summary=gettext_noop("One public body"),
)
def get_body(request: HttpRequest, code: str) -> BodyOut:
    body = selectors.body_by_code(code)
    if body is None:
        raise HttpError(404, _("No public body has that code."))
    return body  # type: ignore[return-value]  # validated against BodyOut by Ninja


@router.get("/themes", response=list[NamedOut], summary=gettext_noop("The programme's themes"))
def list_themes(request: HttpRequest) -> list[NamedOut]:
    return [NamedOut.model_validate(t) for t in selectors.themes()]


@router.get("/labs", response=list[LabOut], summary=gettext_noop("The three labs"))
def list_labs(request: HttpRequest) -> list[LabOut]:
    return [LabOut.model_validate(lab) for lab in selectors.labs()]


@router.get(
    "/wellbeing-goals", response=list[GoalOut], summary=gettext_noop("The seven well-being goals")
)
def list_goals(request: HttpRequest) -> list[GoalOut]:
    return [GoalOut.model_validate(g) for g in selectors.wellbeing_goals()]


@router.get(
    "/ways-of-working", response=list[NamedOut], summary=gettext_noop("The five ways of working")
)
def list_ways(request: HttpRequest) -> list[NamedOut]:
    return [NamedOut.model_validate(w) for w in selectors.ways_of_working()]
