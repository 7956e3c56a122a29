"""What every CSV and spreadsheet download shares."""

from __future__ import annotations

from typing import Any

#: Spreadsheet programs run a cell that starts with one of these as a formula (OWASP, "CSV
#: Injection"): a supplier called "=HYPERLINK(...)" must arrive as text.
FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(value: Any) -> Any:
    """``value`` with a leading apostrophe when it is text a spreadsheet would run as a
    formula; numbers and other values unchanged."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
