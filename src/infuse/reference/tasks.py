"""Reference-data work run by the background worker."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from infuse.jobs.models import Job
from infuse.jobs.runner import Progress, run_job

from .services import reference_load


@task()
def reference_reload(job_id: str) -> None:
    def work(job: Job, progress: Progress) -> Any:
        return reference_load(actor=job.created_by, progress=progress)

    run_job(job_id, work, total=6)
