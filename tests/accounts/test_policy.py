"""The permission policy as a matrix: every role × visibility × relation to the owning body.

The expected table is written out by hand from the rules in the policy's docstring, so a change
to the policy that nobody meant shows up here as a failing cell.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from infuse.accounts.policy import PAGE_RULES, Action, can, may_open, visible_filter
from infuse.reference.models import Body, Region
from tests.conftest import CAERPHILLY, NEWPORT
from tests.policy_app.models import Note

V, C, D, S = Action.VIEW, Action.CHANGE, Action.DELETE, Action.SHARE
LETTERS = {"V": V, "C": C, "D": D, "S": S}

# (actor, relation) -> allowed actions for (private, regional, public) records owned by Caerphilly.
EXPECTED: dict[tuple[str, str], tuple[str, str, str]] = {
    ("anonymous", "none"): ("", "", "V"),
    ("participant", "creator"): ("VCDS", "VCDS", "VCDS"),
    ("participant", "own body"): ("VC", "VC", "VC"),
    ("facilitator", "own body"): ("VC", "VC", "VC"),
    ("programme_manager", "own body"): ("VC", "VC", "VC"),
    ("assessor", "own body"): ("V", "V", "V"),
    ("analyst", "own body"): ("VC", "VC", "VC"),
    ("administrator", "own body"): ("VCDS", "VCDS", "VCDS"),
    ("participant", "same region"): ("", "V", "V"),
    ("analyst", "same region"): ("", "V", "V"),
    ("administrator", "same region"): ("", "V", "V"),
    ("programme_manager", "same region"): ("", "V", "V"),
    ("participant", "other region"): ("", "", "V"),
    ("administrator", "other region"): ("", "", "V"),
    ("facilitator", "delivery team"): ("", "V", "V"),
    ("programme_manager", "delivery team"): ("V", "V", "V"),
    ("assessor", "delivery team"): ("", "V", "V"),
    ("analyst", "delivery team"): ("", "V", "V"),
    ("administrator", "delivery team"): ("VCDS", "VCDS", "VCDS"),
}


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    caerphilly = Body.objects.get(code=CAERPHILLY)
    elsewhere = Region.objects.create(code="NW", name_en="North Wales", name_cy="Gogledd Cymru")
    gwynedd = Body.objects.create(
        code="W06000002",
        name_en="Gwynedd",
        name_cy="Gwynedd",
        kind="local_authority",
        region=elsewhere,
    )
    creator = make_user("participant", CAERPHILLY)
    notes = {
        vis: Note.objects.create(
            owner_body=caerphilly, visibility=vis, created_by=creator, title=f"{vis} note"
        )
        for vis in ("private", "regional", "public")
    }
    return {"creator": creator, "notes": notes, "gwynedd": gwynedd}


def _actor(world: dict[str, Any], make_user: Any, role: str, relation: str) -> Any:
    if relation == "none":
        return AnonymousUser()
    if relation == "creator":
        return world["creator"]
    if relation == "own body":
        return make_user(role, CAERPHILLY)
    if relation == "same region":
        return make_user(role, NEWPORT)
    if relation == "other region":
        return make_user(role, world["gwynedd"].code)
    return make_user(role, None)


@pytest.mark.parametrize(
    ("role", "relation"), list(EXPECTED), ids=[f"{r}-{rel}" for r, rel in EXPECTED]
)
def test_policy_matrix(world: dict[str, Any], make_user: Any, role: str, relation: str) -> None:
    actor = _actor(world, make_user, role, relation)
    for visibility, allowed in zip(
        ("private", "regional", "public"), EXPECTED[(role, relation)], strict=True
    ):
        note = world["notes"][visibility]
        granted = "".join(letter for letter, action in LETTERS.items() if can(actor, action, note))
        assert granted == allowed, f"{role} ({relation}) on a {visibility} record"


@pytest.mark.parametrize(
    ("role", "relation"), list(EXPECTED), ids=[f"{r}-{rel}" for r, rel in EXPECTED]
)
def test_lists_show_exactly_what_detail_pages_allow(
    world: dict[str, Any], make_user: Any, role: str, relation: str
) -> None:
    actor = _actor(world, make_user, role, relation)
    listed = set(Note.objects.filter(visible_filter(actor)).values_list("pk", flat=True))
    viewable = {n.pk for n in Note.objects.all() if can(actor, V, n)}
    assert listed == viewable


def test_inactive_users_are_treated_as_signed_out(world: dict[str, Any]) -> None:
    creator = world["creator"]
    creator.is_active = False
    assert not can(creator, V, world["notes"]["private"])
    assert can(creator, V, world["notes"]["public"])


# Rules deliberately open to signed-out visitors. "adaption.plan" is the page of an experiment's
# plan: a published plan must be readable by anyone, and the record rule hides the others.
OPEN_RULES = {"public", "adaption.plan", "challenges.public", "programme.certificate_check"}


def test_every_page_rule_refuses_signed_out_visitors_except_public(reference: Any) -> None:
    anonymous = AnonymousUser()
    for name in PAGE_RULES:
        assert may_open(anonymous, name) == (name in OPEN_RULES), name


def test_unknown_rule_is_refused(make_user: Any) -> None:
    admin = make_user("administrator", None)
    assert not may_open(admin, "no.such.rule")


def test_audit_and_reference_rules(make_user: Any) -> None:
    assert may_open(make_user("administrator", None), "audit.browse")
    assert may_open(make_user("administrator", CAERPHILLY), "audit.browse")
    assert not may_open(make_user("analyst", CAERPHILLY), "audit.browse")
    assert may_open(make_user("administrator", None), "reference.manage")
    assert not may_open(make_user("administrator", CAERPHILLY), "reference.manage")
