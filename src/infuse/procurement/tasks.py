"""Spend imports run by the background worker."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from infuse.jobs.models import Job
from infuse.jobs.runner import Progress, run_job

from .models import SpendBatch
from .services import spend_import_or_fail


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
        return {"batch": batch.pk, "status": batch.status, "rows_imported": batch.rows_imported}

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
