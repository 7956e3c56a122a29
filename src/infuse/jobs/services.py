"""Starting background jobs and recording their progress.

A job row is created in the request's transaction and the task is enqueued when that commits,
so the worker never looks for a job that does not exist yet. Progress updates are small single
statements, visible to the page that polls them while the work goes on.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from infuse.audit.trail import audit_record, audited, unaudited

from .models import Job
from .recovery import interruption_handler_for


@audited
@transaction.atomic
def job_start(
    *, actor: Any, kind: str, label: str, task: Any, body: Any = None, **task_kwargs: Any
) -> Job:
    """Create a job and enqueue ``task`` with ``job_id`` and ``task_kwargs`` after commit."""
    job = Job.objects.create(
        kind=kind,
        label=label[:300],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        body=body,
    )
    audit_record(actor=actor, action="jobs.job_start", target=job, body=body, after={"kind": kind})
    job_id = str(job.pk)
    transaction.on_commit(lambda: task.enqueue(job_id=job_id, **task_kwargs))
    return job


@unaudited(reason="progress bookkeeping of a job whose start was audited")
def job_running(job_id: str, total: int = 0) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.RUNNING, started_at=timezone.now(), total=total, done=0
    )


@unaudited(reason="progress bookkeeping of a job whose start was audited")
def job_progress(job_id: str, done: int, total: int, stage: str = "") -> None:
    Job.objects.filter(pk=job_id).update(done=done, total=total, stage=stage[:200])


@unaudited(reason="progress bookkeeping; the job's own work is audited")
def job_succeeded(job_id: str, result: Any = None) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.SUCCEEDED, finished_at=timezone.now(), result=result, stage=""
    )


@unaudited(reason="progress bookkeeping; a failed job changed nothing")
def job_failed(job_id: str, reason: str) -> None:
    Job.objects.filter(pk=job_id).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), error=reason[:2000]
    )


@unaudited(reason="marks jobs whose worker stopped as failed; the handlers audit their own changes")
def jobs_interrupted_recover() -> list[Job]:
    """Fail every job left running or queued-and-started by a worker that is gone.

    Call it when no worker is running (``infuse worker`` does, before it starts one): any job
    still marked running then was cut off. Its all-or-nothing work was never committed, so the
    handler for its kind only records the failure on its own records.
    """
    from django.utils.translation import gettext as _

    interrupted = list(Job.objects.filter(status=Job.Status.RUNNING))
    reason = _(
        "The background worker stopped while this job ran. Nothing was changed; start it again."
    )
    for job in interrupted:
        job_failed(str(job.pk), reason)
        handler = interruption_handler_for(job.kind)
        if handler is not None:
            handler(job, reason)
    return interrupted
