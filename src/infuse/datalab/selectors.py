"""Reads for the Data Lab's pages, narrowed by the permission policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from infuse.accounts.policy import visible_filter

from .models import ETHICS_AREAS, ETHICS_GROUPS, DataQuestion, EthicsAction, EthicsArea


def questions_visible_to(user: Any) -> QuerySet[DataQuestion]:
    return (
        DataQuestion.objects.filter(visible_filter(user))
        .select_related("owner_body")
        .prefetch_related("themes")
    )


def question_for(user: Any, question_id: int) -> DataQuestion | None:
    return (
        DataQuestion.objects.filter(visible_filter(user), pk=question_id)
        .select_related("owner_body", "ready_by")
        .prefetch_related("themes", "goals")
        .first()
    )


@dataclass
class AreaView:
    key: str
    name: Any
    prompt: Any
    answer: str = ""
    status: str = ""
    status_label: str = ""
    actions: list[EthicsAction] = field(default_factory=list)


@dataclass
class GroupView:
    key: str
    name: Any
    areas: list[AreaView]


def ethics_canvas_of(question: DataQuestion) -> list[GroupView]:
    """The canvas of ``question`` as groups of areas, with each area's answer and actions."""
    answers = {entry.area: entry for entry in EthicsArea.objects.filter(question=question)}
    actions: dict[str, list[EthicsAction]] = {}
    for action in EthicsAction.objects.filter(question=question):
        actions.setdefault(action.area, []).append(action)
    groups = []
    for group_key, group_name in ETHICS_GROUPS:
        areas = []
        for key, group, name, prompt in ETHICS_AREAS:
            if group != group_key:
                continue
            entry = answers.get(key)
            areas.append(
                AreaView(
                    key=key,
                    name=name,
                    prompt=prompt,
                    answer=entry.answer if entry else "",
                    status=entry.status if entry else "",
                    status_label=str(entry.get_status_display()) if entry else "",
                    actions=actions.get(key, []),
                )
            )
        groups.append(GroupView(key=group_key, name=group_name, areas=areas))
    return groups


def ethics_progress(question: DataQuestion) -> tuple[int, int]:
    """How many of the fifteen areas are complete, and how many there are."""
    complete = EthicsArea.objects.filter(question=question, status="complete").count()
    return complete, len(ETHICS_AREAS)
