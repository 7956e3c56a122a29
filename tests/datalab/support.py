"""Data Lab records for page and browser tests, built through the services."""

from __future__ import annotations

from typing import Any

from infuse.datalab import services
from infuse.datalab.models import DataQuestion

QUESTION_VALUES = {
    "title": "Energy advice targeting",
    "decision": "Which wards the advice team visits first.",
    "decision_maker": "Head of Housing",
    "question": "Where is household energy use highest for the size of home?",
    "data_needed": "Annual gas and electricity use by area.",
    "measure": "Median kWh per household per year",
    "data_type": "shared",
    "data_kind": "administrative",
    "sources": "DESNZ sub-national consumption\nEPC register",
    "visibility": "regional",
}


def data_question(officer: Any, **overrides: Any) -> DataQuestion:
    return services.question_save(
        actor=officer, body=officer.body, values={**QUESTION_VALUES, **overrides}
    )
