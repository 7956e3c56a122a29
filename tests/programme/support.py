"""A small programme for tests: one intake, a Data Lab cohort, two participants enrolled."""

from __future__ import annotations

import datetime
from typing import Any

from infuse.programme import services
from infuse.reference.models import Lab
from tests.conftest import CAERPHILLY, NEWPORT


def programme_world(make_user: Any) -> dict[str, Any]:
    manager = make_user("programme_manager", None, first_name="Gareth", last_name="Lloyd")
    facilitator = make_user("facilitator", None, first_name="Rhian", last_name="Evans")
    carys = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    owen = make_user("participant", NEWPORT, first_name="Owen", last_name="Davies")
    intake = services.intake_create(
        actor=manager,
        name_en="Spring 2026",
        name_cy="Gwanwyn 2026",
        starts_on=datetime.date(2026, 3, 2),
    )
    cohort = services.cohort_create(
        actor=manager,
        intake=intake,
        lab=Lab.objects.get(slug="data"),
        name_en="Data Lab, spring cohort",
        name_cy="Labordy Data, carfan y gwanwyn",
        starts_on=datetime.date(2026, 3, 3),
        facilitator=facilitator,
    )
    services.enrol(actor=facilitator, cohort=cohort, participants=[carys, owen])
    return {
        "manager": manager,
        "facilitator": facilitator,
        "carys": carys,
        "owen": owen,
        "intake": intake,
        "cohort": cohort,
    }


def rate_entry_and_exit(world: dict[str, Any]) -> None:
    """Carys and Owen rate every statement at entry and exit (Carys grows by 2, Owen by 1)."""
    from infuse.programme.models import CapabilityItem, Enrolment

    items = list(CapabilityItem.objects.all())
    for name, entry, exit_ in (("carys", 2, 4), ("owen", 3, 4)):
        person = world[name]
        enrolment = Enrolment.objects.get(participant=person, cohort=world["cohort"])
        for timing, score in (("entry", entry), ("exit", exit_)):
            services.self_assessment_save(
                actor=person,
                enrolment=enrolment,
                timing=timing,
                scores={item.pk: score for item in items},
                before_scores={item.pk: entry - 1 for item in items} if timing == "exit" else None,
            )
