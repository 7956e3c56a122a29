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


@transaction.atomic
def demo_build(*, actor: Any = None) -> dict[str, Any]:
    """Create the demo people (and, as labs arrive, their work). Returns what was made."""
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
