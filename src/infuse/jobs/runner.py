"""Running a job's work in the background worker: status, progress, language and failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from infuse.errors import UserFacingError

from . import services
from .models import Job
from .selectors import job_by_id

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]


def run_job(job_id: str, work: Callable[[Job, Progress], Any], *, total: int = 0) -> None:
    """Run ``work(job, progress)`` for a queued job and record how it ended.

    Messages are written in the language of the person who started the job. A
    ``UserFacingError`` fails the job with its own message; anything else fails it with a
    generic one and logs the trace. ``work`` must itself be all-or-nothing (one transaction),
    so a failed job has changed nothing.
    """
    job = job_by_id(job_id)
    if job is None:
        logger.warning("Job %s no longer exists; nothing to run", job_id)
        return
    language = job.created_by.preferred_language if job.created_by else settings.LANGUAGE_CODE

    def progress(done: int, total: int, stage: str) -> None:
        services.job_progress(job_id, done, total, stage)

    with translation.override(language):
        services.job_running(job_id, total=total)
        try:
            result = work(job, progress)
        except UserFacingError as error:
            services.job_failed(job_id, str(error))
            return
        except Exception:
            logger.exception("Job %s (%s) failed", job_id, job.kind)
            services.job_failed(
                job_id, _("An unexpected error stopped the job. Nothing was changed.")
            )
            return
        services.job_succeeded(job_id, result)
