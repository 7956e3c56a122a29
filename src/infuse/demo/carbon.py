"""Supply-chain carbon in the demonstration workspace: DEFRA's factors loaded, and for
Caerphilly one supplier's own reported emissions (tier 3) and an exclusion rule of its own.
Building it twice changes nothing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from infuse.accounts.models import User
from infuse.reference.models import Body

DEMO_CARBON_BODY = "W06000018"  # Caerphilly
# An invented figure, as a supplier's annual report or CDP answer would give it.
DEMO_SUPPLIER = "Valleys Waste & Recycling Ltd"
DEMO_REPORTED_TCO2E = Decimal("1840.000")
DEMO_REVENUE_GBP = Decimal("4600000.00")


def demo_carbon() -> dict[str, Any]:
    from infuse.procurement import selectors, services
    from infuse.procurement.models import CarbonExclusionRule, CarbonScenario, SupplierEmissions

    result: dict[str, Any] = {"factor_set": services.carbon_factor_set_builtin().pk}
    body = Body.objects.filter(code=DEMO_CARBON_BODY).first()
    analyst = User.objects.filter(username="dafydd", body=body).first()
    if body is None or analyst is None:
        return result
    clusters, files = selectors.supplier_clusters_of_body(body)
    if not files:
        return result
    if not SupplierEmissions.objects.filter(owner_body=body).exists():
        match = clusters.assignments.filter(clusters.assignments["name"] == DEMO_SUPPLIER)
        if match.height:
            services.supplier_emissions_record(
                actor=analyst,
                body=body,
                cluster_id=match["cluster_id"][0],
                kind=SupplierEmissions.Kind.REPORTED,
                reported_tco2e=DEMO_REPORTED_TCO2E,
                revenue_gbp=DEMO_REVENUE_GBP,
                year=2024,
                source="Valleys Waste & Recycling Ltd, annual report 2024, scope 1 to 3",
            )
            result["supplier_figures"] = 1
    if not CarbonExclusionRule.objects.filter(owner_body=body).exists():
        services.carbon_rule_add(
            actor=analyst,
            body=body,
            field="expense_type",
            pattern=r"bank charges|court fees",
            reason="Bank charges and court fees / Taliadau banc a ffioedd llys",
        )
        result["rules"] = 1
    if not CarbonScenario.objects.filter(owner_body=body).exists():
        years = sorted(
            {d.year if d.month >= 4 else d.year - 1 for d in _payment_dates(body) if d is not None}
        )
        if years:
            services.carbon_scenario_save(
                actor=analyst,
                body=body,
                name="Greener construction and fleet / Adeiladu a fflyd gwyrddach",
                base_year=years[-1],
                levers=[
                    {
                        "kind": "shift",
                        "target": "Works - Construction, Repair & Maintenance",
                        "share": 0.4,
                        "intensity": 0.15,
                    },
                    {"kind": "supplier", "target": "Gwent Fleet Services Ltd", "share": 0.5},
                    {"kind": "reduce", "target": "Catering", "share": 0.1},
                ],
            )
            result["scenarios"] = 1
    return result


def _payment_dates(body: Body) -> list[Any]:
    from infuse.procurement.models import SpendBatch

    return [
        day
        for pair in SpendBatch.objects.filter(owner_body=body, status="live").values_list(
            "first_payment_date", "last_payment_date"
        )
        for day in pair
    ]
