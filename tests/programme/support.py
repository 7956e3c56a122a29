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
