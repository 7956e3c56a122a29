"""The demonstration workspace that ``make run`` shows a newcomer.

Each capability adds its own realistic content here. Building it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from infuse.accounts.models import Role, User
from infuse.accounts.services import user_create
from infuse.reference.models import Body

# Printed by ``make run`` so that newcomers can sign in; never used outside the demo workspace.
DEMO_PASSWORD = "infuse-demo-2026"


@dataclass(frozen=True)
class DemoPerson:
    username: str
    first_name: str
    last_name: str
    role: str
    body_code: str | None
    language: str = "en"

    @property
    def description(self) -> str:
        return f"{Role(self.role).label} · {self.body_code or 'delivery team'}"


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("carys", "Carys", "Price", Role.PARTICIPANT, "W06000018", "cy"),
    DemoPerson("dafydd", "Dafydd", "Jenkins", Role.ANALYST, "W06000018"),
    DemoPerson("owen", "Owen", "Davies", Role.PARTICIPANT, "W06000022"),
    DemoPerson("sian", "Siân", "Morgan", Role.PARTICIPANT, "W06000020", "cy"),
    DemoPerson("huw", "Huw", "Thomas", Role.ADMINISTRATOR, "W06000021"),
    DemoPerson("rhian", "Rhian", "Evans", Role.FACILITATOR, None),
    DemoPerson("gareth", "Gareth", "Lloyd", Role.PROGRAMME_MANAGER, None),
    DemoPerson("nia", "Nia", "Roberts", Role.ASSESSOR, None),
    DemoPerson("admin", "Alex", "Bowen", Role.ADMINISTRATOR, None),
)


def demo_build(*, actor: Any = None, ledger_months: int = 12) -> dict[str, Any]:
    """Create the demo people and their work. Returns what was made.

    ``ledger_months`` months of generated spend files are imported for each of the programme's
    authorities (0 for none; tests use few to stay quick).
    """
    result = _demo_people(actor)
    result["spend_files"] = _demo_spend(ledger_months)
    from .adaption import demo_adaption

    result["adaption"] = demo_adaption()
    from .datalab import demo_datalab

    result["datalab"] = demo_datalab()
    return result


def _demo_spend(months: int) -> dict[str, int]:
    """Import generated ledgers through the same service an officer's upload uses."""
    from infuse.procurement.models import SpendBatch
    from infuse.procurement.services import spend_import_or_fail, spend_upload

    from .ledgers import demo_ledgers

    bodies = {b.code: b for b in Body.objects.filter(programme_member=True)}
    analysts = {
        u.body.code: u
        for u in User.objects.filter(role=Role.ANALYST).select_related("body")
        if u.body
    }
    counts = {"imported": 0, "already": 0}
    if months <= 0 or not bodies:
        return counts
    for ledger in demo_ledgers(sorted(bodies), months=months):
        body = bodies[ledger.body_code]
        batch = spend_upload(
            actor=analysts.get(ledger.body_code),
            body=body,
            file_name=ledger.file_name,
            content=ledger.content,
            visibility="regional",
        )
        if batch.status == SpendBatch.Status.LIVE:
            counts["already"] += 1
            continue
        spend_import_or_fail(actor=analysts.get(ledger.body_code), batch=batch)
        counts["imported"] += 1
    return counts


@transaction.atomic
def _demo_people(actor: Any) -> dict[str, Any]:
    bodies = {b.code: b for b in Body.objects.all()}
    created, existing = [], []
    for person in DEMO_PEOPLE:
        if User.objects.filter(username=person.username).exists():
            existing.append(person.username)
            continue
        user_create(
            actor=actor,
            username=person.username,
            password=DEMO_PASSWORD,
            role=person.role,
            body=bodies[person.body_code] if person.body_code else None,
            email=f"{person.username}@example.org",
            first_name=person.first_name,
            last_name=person.last_name,
            preferred_language=person.language,
            check_password=False,
        )
        created.append(person.username)
    return {
        "users_created": created,
        "users_existing": existing,
        "password": DEMO_PASSWORD,
        "people": [
            {"username": p.username, "role": p.role, "body": p.body_code, "language": p.language}
            for p in DEMO_PEOPLE
        ],
    }
