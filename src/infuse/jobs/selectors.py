from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from .models import Job


def jobs_waiting_for(user: Any, limit: int = 5) -> QuerySet[Job]:
    """The user's unfinished jobs and those finished in the last day, newest first."""
    since = timezone.now() - datetime.timedelta(days=1)
    return Job.objects.filter(created_by=user).filter(
        Q(finished_at__isnull=True) | Q(finished_at__gte=since)
    )[:limit]


def job_by_id(job_id: Any) -> Job | None:
    return Job.objects.select_related("created_by", "body").filter(pk=job_id).first()
