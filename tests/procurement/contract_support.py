"""Small OCDS release packages for contract tests (written here, not copied from anywhere)."""

from __future__ import annotations

import datetime
import json
from typing import Any


def release(
    ocid: str,
    title: str,
    *,
    ends_in_days: int,
    value: float = 120_000,
    tender_days: int = 30,
    method: str = "open",
    supplier: str = "Gritco Ltd",
) -> dict[str, Any]:
    """A compiled-release-like release with a tender, an award and its contract period."""
    today = datetime.date.today()
    opens = today - datetime.timedelta(days=400)
    closes = opens + datetime.timedelta(days=tender_days)
    return {
        "ocid": ocid,
        "id": f"{ocid}-1",
        "date": f"{opens.isoformat()}T00:00:00Z",
        "tag": ["award"],
        "buyer": {"id": "GB-CCBC", "name": "Caerphilly County Borough Council"},
        "tender": {
            "id": f"{ocid}-t",
            "title": title,
            "procurementMethod": method,
            "value": {"amount": value, "currency": "GBP"},
            "classification": {"scheme": "CPV", "id": "90620000"},
            "tenderPeriod": {
                "startDate": f"{opens.isoformat()}T09:00:00Z",
                "endDate": f"{closes.isoformat()}T09:00:00Z",
            },
        },
        "awards": [
            {
                "id": f"{ocid}-a",
                "status": "active",
                "value": {"amount": value, "currency": "GBP"},
                "suppliers": [{"id": supplier, "name": supplier}],
                "contractPeriod": {
                    "startDate": today.isoformat(),
                    "endDate": (today + datetime.timedelta(days=ends_in_days)).isoformat(),
                },
            }
        ],
    }


def package(*releases: dict[str, Any]) -> bytes:
    return json.dumps({"version": "1.1", "releases": list(releases)}).encode()
