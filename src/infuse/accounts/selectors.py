"""Reads about accounts for pages and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from .models import ApiToken, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def members_of_body(body_id: int) -> QuerySet[User]:
    return User.objects.filter(body_id=body_id, is_active=True).order_by("last_name", "username")
