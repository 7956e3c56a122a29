"""Links from a contract's page to the red flags raised on its suppliers (kept out of the
contract view, so the contract page only includes one tag)."""

from __future__ import annotations

from typing import Any

from django import template

from infuse.accounts.policy import can_read_red_flags

register = template.Library()


@register.inclusion_tag("procurement/red_flags_supplier_links.html", takes_context=True)
def supplier_red_flag_links(context: dict[str, Any], record: Any) -> dict[str, Any]:
    """The contract's suppliers with supplier-level flags in its body, for those who may read
    the body's flags; nothing for anyone else."""
    from infuse.procurement.redflag_selectors import supplier_flag_ids

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_read_red_flags(user, record.owner_body_id):
        return {"suppliers": []}
    return {"suppliers": supplier_flag_ids(record.owner_body, record), "body": record.owner_body}
