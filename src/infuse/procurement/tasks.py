"""Spend imports and categorisation, run by the background worker."""

from __future__ import annotations

import logging
from typing import Any

from django_tasks import task

from infuse.jobs.models import Job
from infuse.jobs.runner import Progress, run_job
from infuse.reference.models import Body

from .models import SpendBatch
from .services import spend_import_or_fail

logger = logging.getLogger(__name__)


@task()
def spend_import(
    job_id: str, batch_id: int, confirm_replace: bool = False, use_saved_mapping: bool = False
) -> None:
    def work(job: Job, progress: Progress) -> Any:
        batch = SpendBatch.objects.select_related("owner_body").get(pk=batch_id)
        batch = spend_import_or_fail(
            actor=job.created_by,
            batch=batch,
            mapping=batch.mapping if use_saved_mapping else None,
            confirm_replace=confirm_replace,
            progress=progress,
        )
        result = {"batch": batch.pk, "status": batch.status, "rows_imported": batch.rows_imported}
        if batch.status == SpendBatch.Status.LIVE:
            result["categorised"] = _categorise_after_import(batch, job)
        return result

    run_job(job_id, work, total=4)


def _categorise_after_import(batch: SpendBatch, job: Job) -> bool:
    """Every import is followed by a categorisation of the body's lines, as the system (the
    import itself was checked); a failure here leaves the import live and the previous
    categories in place, and is logged for the operator."""
    from .category_services import category_run

    try:
        category_run(actor=None, body=batch.owner_body, job=job, train=False)
    except Exception:
        logger.exception("Categorising %s after batch %s failed", batch.owner_body.code, batch.pk)
        return False
    return True


@task()
def spend_categorise(job_id: str, body_id: int) -> None:
    """Categorise every live line of a body (the categories page's "Run now")."""
    from .category_services import category_run

    def work(job: Job, progress: Progress) -> Any:
        body = Body.objects.get(pk=body_id)
        run = category_run(actor=job.created_by, body=body, progress=progress, job=job)
        return {"run": run.pk, "lines": run.lines, "share_classified": run.share_classified}

    run_job(job_id, work, total=4)


@task()
def contract_import(job_id: str, body_id: int, file_name: str, visibility: str) -> None:
    from infuse.reference.models import Body

    from .contract_services import contract_import_staged

    def work(job: Job, progress: Progress) -> Any:
        imported = contract_import_staged(
            actor=job.created_by,
            job_id=job_id,
            body=Body.objects.get(pk=body_id),
            file_name=file_name,
            visibility=visibility,
            progress=progress,
        )
        progress(3, 3, "done")
        return {
            "contract_file": imported.pk,
            "releases": imported.releases_read,
            "contracts": imported.contracts_read,
            "problems": len(imported.problems),
            "register": imported.kind == imported.Kind.REGISTER,
        }

    run_job(job_id, work, total=3)
