"""Reads of the reference data."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import Body, Lab, Region, Theme, WayOfWorking, WellbeingGoal


def bodies() -> QuerySet[Body]:
    return Body.objects.select_related("region").order_by("name_en")


def programme_bodies() -> QuerySet[Body]:
    return bodies().filter(programme_member=True)


def regions() -> QuerySet[Region]:
    return Region.objects.all()


def themes() -> QuerySet[Theme]:
    return Theme.objects.all()


def labs() -> QuerySet[Lab]:
    return Lab.objects.all()


def wellbeing_goals() -> QuerySet[WellbeingGoal]:
    return WellbeingGoal.objects.all()


def ways_of_working() -> QuerySet[WayOfWorking]:
    return WayOfWorking.objects.all()


def body_by_code(code: str) -> Body | None:
    return Body.objects.select_related("region").filter(code=code).first()
