"""Reads of the red-flag pages: a body's flags joined with their reviews, and the flags by
buyer and by supplier. Flags are worked out by the engine (``contract_selectors.
contract_red_flags``); reviews are stored and joined by (indicator, group, item id)."""

from __future__ import annotations

from typing import Any

from infuse.accounts.policy import can_read_red_flags

from . import contract_selectors
from .models import ContractRecord, RedFlagReview
from .redflag_settings import GROUP_LABELS, INDICATOR_TITLES

FlagKey = tuple[str, str, str]

# Groups shown on the by-buyer and by-supplier pages (Cardinal's groups; the UK indicators put
# suppliers under "Tenderer").
PARTY_GROUPS = {"buyers": ("Buyer", "ProcuringEntity"), "suppliers": ("Tenderer",)}
STATES = ("open", "reviewed")
TAGS = {"open": "govuk-tag--yellow", "no_concern": "govuk-tag--green", "referred": "govuk-tag--red"}


def red_flag_body(user: Any, body_code: str) -> Any | None:
    """The body whose flags ``user`` may read, or None."""
    from infuse.reference.models import Body

    body = Body.objects.filter(code=body_code).first()
    if body is None or not can_read_red_flags(user, body.pk):
        return None
    if not ContractRecord.objects.filter(owner_body=body).exists():
        return None
    return body


def reviews_by_flag(body: Any) -> dict[FlagKey, list[RedFlagReview]]:
    """Every review of ``body``'s flags, newest first, by (indicator, group, item id)."""
    found: dict[FlagKey, list[RedFlagReview]] = {}
    for review in RedFlagReview.objects.filter(owner_body=body).select_related("created_by"):
        found.setdefault((review.indicator, review.group, review.item_id), []).append(review)
    return found


def evidence_of(flag: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in flag.items() if k not in ("group", "id", "indicator", "value")}


def flags_reviewed(
    body: Any, *, state: str = "", groups: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """``body``'s flags with their title, evidence, contract link, latest review and earlier
    reviews; narrowed to ``state`` ("open": never reviewed or last marked open; "reviewed")
    and to the engine's ``groups``."""
    raised = contract_selectors.contract_red_flags(body)
    reviews = reviews_by_flag(body)
    contracts = dict(ContractRecord.objects.filter(owner_body=body).values_list("ocid", "pk"))
    rows = []
    for flag in raised:
        if groups and flag["group"] not in groups:
            continue
        history = reviews.get((flag["indicator"], flag["group"], flag["id"]), [])
        latest = history[0] if history else None
        reviewed = latest is not None and latest.status != RedFlagReview.Status.OPEN
        if (state == "open" and reviewed) or (state == "reviewed" and not reviewed):
            continue
        rows.append(
            {
                **flag,
                "title": INDICATOR_TITLES.get(flag["indicator"], flag["indicator"]),
                "group_label": GROUP_LABELS.get(flag["group"], flag["group"]),
                "evidence": evidence_of(flag),
                "contract_id": contracts.get(flag["id"]) if flag["group"] == "OCID" else None,
                "review": latest,
                "earlier": history[1:],
                "reviewed": reviewed,
                "tag": TAGS[latest.status] if latest else "govuk-tag--grey",
            }
        )
    return rows


def flags_by_party(rows: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """``rows`` grouped by the flagged buyer or supplier, the most-flagged first."""
    parties: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        parties.setdefault(row["id"], []).append(row)
    return sorted(parties.items(), key=lambda item: (-len(item[1]), item[0].casefold()))


def supplier_flag_ids(body: Any, record: ContractRecord) -> list[tuple[str, int]]:
    """The suppliers of ``record`` (as ids or names, as the engine names tenderers) with
    supplier-level flags in ``body``, and how many each has."""
    names: set[str] = set()
    for award in (record.compiled or {}).get("awards") or []:
        for supplier in award.get("suppliers") or [] if isinstance(award, dict) else []:
            if isinstance(supplier, dict):
                names.update(
                    str(supplier[k]) for k in ("id", "name") if isinstance(supplier.get(k), str)
                )
    names.update(record.suppliers)
    counts: dict[str, int] = {}
    for flag in contract_selectors.contract_red_flags(body):
        if flag["group"] == "Tenderer" and flag["id"] in names:
            counts[flag["id"]] = counts.get(flag["id"], 0) + 1
    return sorted(counts.items())
