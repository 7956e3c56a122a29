from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from . import selectors

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


def _body_out(body: object) -> BodyOut:
    region = getattr(body, "region", None)
    return BodyOut(
        code=body.code,  # type: ignore[attr-defined]
        name_en=body.name_en,  # type: ignore[attr-defined]
        name_cy=body.name_cy,  # type: ignore[attr-defined]
        kind=body.kind,  # type: ignore[attr-defined]
        region=region.code if region else None,
        nation=body.nation,  # type: ignore[attr-defined]
        programme_member=body.programme_member,  # type: ignore[attr-defined]
        lead=body.lead,  # type: ignore[attr-defined]
        source=body.source,  # type: ignore[attr-defined]
    )


@router.get("/bodies", response=list[BodyOut], summary="Public bodies")
def list_bodies(request: HttpRequest, programme_only: bool = False) -> list[BodyOut]:
    """Every public body Infuse knows, or only the programme's members."""
    bodies = selectors.programme_bodies() if programme_only else selectors.bodies()
    return [_body_out(b) for b in bodies]


@router.get("/bodies/{code}", response=BodyOut, summary="One public body")
def get_body(request: HttpRequest, code: str) -> BodyOut:
    body = selectors.body_by_code(code)
    if body is None:
        raise HttpError(404, "No public body has that code.")
    return _body_out(body)


@router.get("/themes", response=list[NamedOut], summary="The programme's themes")
def list_themes(request: HttpRequest) -> list[NamedOut]:
    return [NamedOut.model_validate(t) for t in selectors.themes()]


@router.get("/labs", response=list[LabOut], summary="The three labs")
def list_labs(request: HttpRequest) -> list[LabOut]:
    return [LabOut.model_validate(lab) for lab in selectors.labs()]


@router.get("/wellbeing-goals", response=list[GoalOut], summary="The seven well-being goals")
def list_goals(request: HttpRequest) -> list[GoalOut]:
    return [GoalOut.model_validate(g) for g in selectors.wellbeing_goals()]


@router.get("/ways-of-working", response=list[NamedOut], summary="The five ways of working")
def list_ways(request: HttpRequest) -> list[NamedOut]:
    return [NamedOut.model_validate(w) for w in selectors.ways_of_working()]
