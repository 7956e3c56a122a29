"""Reference-data work run by the background worker."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _
from django_tasks import task

from infuse.jobs import services as jobs

from .loading import ReferenceFileError
from .services import reference_load

logger = logging.getLogger(__name__)


@task()
def reference_reload(job_id: str) -> None:
    from infuse.jobs.selectors import job_by_id

    job = job_by_id(job_id)
    if job is None:
        return
    jobs.job_running(job_id, total=6)
    try:
        result = reference_load(
            actor=job.created_by,
            progress=lambda done, total, stage: jobs.job_progress(job_id, done, total, stage),
        )
    except ReferenceFileError as error:
        jobs.job_failed(job_id, str(error))
        return
    except Exception:
        logger.exception("Reference reload failed")
        jobs.job_failed(job_id, _("An unexpected error stopped the job. Nothing was changed."))
        return
    jobs.job_succeeded(job_id, result)
