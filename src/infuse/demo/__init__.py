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
    DemoPerson("ioan", "Ioan", "Hughes", Role.ASSESSOR, None, "cy"),
    DemoPerson("elin", "Elin", "Parry", Role.ASSESSOR, None),
    DemoPerson("admin", "Alex", "Bowen", Role.ADMINISTRATOR, None),
)


def demo_build(*, actor: Any = None, ledger_months: int = 12) -> dict[str, Any]:
    """Create the demo people and their work. Returns what was made.

    ``ledger_months`` months of generated spend files are imported for each of the programme's
    authorities (0 for none; tests use few to stay quick).
    """
    result = _demo_people(actor)
    result["spend_files"] = _demo_spend(ledger_months)
    result["suppliers"] = _demo_suppliers()
    from .adaption import demo_adaption

    result["adaption"] = demo_adaption()
    from .datalab import demo_datalab

    result["datalab"] = demo_datalab()
    from .datasets import demo_datasets

    result["datasets"] = demo_datasets()
    from .indicators import demo_indicators

    result["indicators"] = demo_indicators()
    from .challenges import demo_challenges

    result["challenges"] = demo_challenges()
    from .tenders import demo_tenders

    result["tenders"] = demo_tenders()
    from .contracts import demo_contracts, demo_contracts_register

    result["contracts"] = demo_contracts()
    from .contracts import demo_red_flag_reviews

    result["red_flag_reviews"] = demo_red_flag_reviews()
    result["contracts_register"] = demo_contracts_register()
    from .carbon import demo_carbon

    result["carbon"] = demo_carbon()
    from .categories import demo_categories

    result["categories"] = demo_categories(train_model=ledger_months >= 12)
    from .programme import demo_programme

    result["programme"] = demo_programme(password=DEMO_PASSWORD)
    return result


DEMO_SUPPLIER_BODY = "W06000018"  # Caerphilly, where Carys and Dafydd work
# Spellings an analyst would merge by hand (the engine does not join them by itself).
DEMO_MERGES = (
    ("Gwent Fleet Services Ltd", "Gwent Fleet Svcs"),
    ("Taff Care Partnership Ltd", "Taff Care"),
)


def demo_supplier_list(local: list[tuple[str, str]] | None = None) -> bytes:
    """Caerphilly's list of its regional suppliers, as a finance system exports it (invented
    numbers), then its own small suppliers (``local``: name and postcode) with their postcodes
    and no size, so part of the spend stays of unknown size."""
    from .ledgers import REGIONAL_SUPPLIERS

    sizes = ["Yes", "No", "Yes", "Small", "Medium", "Micro", "Yes", "", "Yes", "Yes", "Large", "Y"]
    sic = [
        "42110",
        "38110",
        "87100",
        "45200",
        "35140",
        "47620",
        "41201",
        "56290",
        "62012",
        "49390",
        "78200",
        "81300",
    ]
    lines = ["Supplier Name,Company Reg No,VAT Number,Postcode,SME (Y/N),SIC Codes"]
    for index, (name, _department, _category, postcode) in enumerate(REGIONAL_SUPPLIERS):
        lines.append(f'"{name}",{90000001 + index},,{postcode},{sizes[index]},{sic[index]}')
    for name, postcode in local or []:
        lines.append(f'"{name}",,,{postcode},,')
    return ("\n".join(lines) + "\n").encode()


def _demo_suppliers() -> dict[str, int]:
    """A couple of confirmed merges and a supplier list for Caerphilly, made through the
    services an analyst's clicks use. Nothing is done twice."""
    from infuse.procurement.models import SupplierDecision
    from infuse.procurement.selectors import supplier_clusters_of_body
    from infuse.procurement.services import (
        supplier_confirm,
        supplier_list_upload,
        supplier_merge,
    )

    counts = {"merges": 0, "confirmations": 0, "lists": 0}
    body = Body.objects.filter(code=DEMO_SUPPLIER_BODY).first()
    analyst = User.objects.filter(username="dafydd", body=body).first()
    if body is None or analyst is None:
        return counts
    clusters, files = supplier_clusters_of_body(body)
    if not files:
        return counts
    from .ledgers import local_suppliers

    programme = list(Body.objects.filter(programme_member=True).values_list("code", flat=True))
    supplier_list_upload(
        actor=analyst,
        body=body,
        file_name="caerphilly-suppliers.csv",
        content=demo_supplier_list(local_suppliers(body.code, programme)),
        visibility="regional",
    )
    counts["lists"] = 1
    if SupplierDecision.objects.filter(owner_body=body).exists():
        return counts
    cluster_of = dict(
        zip(
            clusters.assignments["name"].to_list(),
            clusters.assignments["cluster_id"].to_list(),
            strict=True,
        )
    )
    for keep, other in DEMO_MERGES:
        if keep not in cluster_of or other not in cluster_of:
            continue
        merge = supplier_merge(
            actor=analyst, body=body, cluster_ids=[cluster_of[keep], cluster_of[other]]
        )
        supplier_confirm(actor=analyst, body=body, cluster_id=merge.cluster_ids[0])
        counts["merges"] += 1
        counts["confirmations"] += 1
    return counts


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
