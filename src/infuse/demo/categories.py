"""Demo spend categories: two rules and two corrections of Caerphilly's analyst (one by
expense type; one by supplier, which reaches every spelling of that supplier), then every
authority's lines categorised (and, for the full demo, the starting model trained on
Trafford's ledger from ``shared/data`` when it is there)."""

from __future__ import annotations

from typing import Any

from infuse.accounts.models import Role, User
from infuse.reference.models import Body

DEMO_BODY = "W06000018"  # Caerphilly
DEMO_RULES = (
    (
        "Grounds maintenance / Cynnal a chadw tiroedd",
        "expense_type",
        r"grounds maintenance",
        "240000",  # Horticultural
    ),
    (
        "Home to school transport / Cludiant o'r cartref i'r ysgol",
        "expense_type",
        r"home to school",
        "360000",  # Passenger Transport
    ),
)

DEMO_CORRECTIONS = (
    ("expense_type", "Security Services", "190000"),  # Facilities & Management Services
    # Typed "Valleys Waste and Recycling Limited" on some lines: one supplier, one correction.
    ("supplier", "Valleys Waste & Recycling Ltd", "180000"),  # Environmental Services
)


def demo_categories(*, train_model: bool) -> dict[str, Any]:
    from infuse.procurement.category_services import (
        category_correct,
        category_rule_save,
        category_run,
        category_starting_model,
    )
    from infuse.procurement.models import CategoryCorrection, CategoryRule, SpendBatch

    counts: dict[str, Any] = {"rules": 0, "corrections": 0, "runs": 0, "starting_model": False}
    body = Body.objects.filter(code=DEMO_BODY).first()
    analyst = User.objects.filter(role=Role.ANALYST, body=body).first()
    if body is not None and analyst is not None:
        for position, (name, field, pattern, code) in enumerate(DEMO_RULES, start=1):
            if not CategoryRule.objects.filter(owner_body=body, name=name).exists():
                category_rule_save(
                    actor=analyst, body=body, name=name, field=field, pattern=pattern,
                    category_code=code, position=position * 10,
                )  # fmt: skip
                counts["rules"] += 1
        for scope, value, code in DEMO_CORRECTIONS:
            if not CategoryCorrection.objects.filter(
                owner_body=body, scope=scope, value=value
            ).exists():
                category_correct(
                    actor=analyst, body=body, scope=scope, value=value, category_code=code
                )
                counts["corrections"] += 1
    if train_model:
        counts["starting_model"] = category_starting_model(actor=None) is not None
    codes = (
        SpendBatch.objects.filter(status=SpendBatch.Status.LIVE)
        .values_list("owner_body__code", flat=True)
        .distinct()
    )
    for each in Body.objects.filter(code__in=list(codes)):
        category_run(actor=None, body=each, train=False)
        counts["runs"] += 1
    return counts
