"""Where a funded project stands: feasibility → prototype → adoption, each phase ended by a
review with a decision to continue or stop. Pure: no Django, no database.

A project starts in the phase its bid was funded for. "Continue" after a phase moves it to the
next; "continue" after adoption completes it; "stop" ends it where it is. This follows the
phased model of pre-commercial procurement and challenge funds (for example the UK's Small
Business Research Initiative: feasibility, then prototype, then adoption by the challenge
owner), where each phase is reviewed before the next is funded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PHASE_ORDER = ("feasibility", "prototype", "adoption")
CONTINUE = "continue"
STOP = "stop"


@dataclass(frozen=True)
class ProjectState:
    phase: str | None  # the phase under way; None once the project has ended
    state: str  # "active", "stopped" or "completed"
    reviewed: tuple[str, ...]  # phases already reviewed, in order


def project_state(start: str, decisions: Sequence[str]) -> ProjectState:
    """The state after ``decisions`` (one per reviewed phase, in order) for a project that
    started in ``start``. Raises ``ValueError`` for an unknown phase or decision, or for a
    decision after the project ended."""
    if start not in PHASE_ORDER:
        raise ValueError(f"unknown phase {start!r}")
    index = PHASE_ORDER.index(start)
    reviewed: list[str] = []
    for decision in decisions:
        if decision not in (CONTINUE, STOP):
            raise ValueError(f"unknown decision {decision!r}")
        if index >= len(PHASE_ORDER):
            raise ValueError("the project has already ended")
        reviewed.append(PHASE_ORDER[index])
        if decision == STOP:
            return ProjectState(None, "stopped", tuple(reviewed))
        index += 1
    if index >= len(PHASE_ORDER):
        return ProjectState(None, "completed", tuple(reviewed))
    return ProjectState(PHASE_ORDER[index], "active", tuple(reviewed))
