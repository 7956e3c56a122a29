"""Background work through the real database queue and worker, as ``infuse run`` does it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings

from infuse.jobs.models import Job
from infuse.jobs.services import job_start
from infuse.reference.models import Body
from infuse.reference.tasks import reference_reload

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_job_waits_in_the_queue_until_the_worker_runs_it(make_user: Any) -> None:
    admin = make_user("administrator", None)
    Body.objects.filter(code="W06000020").update(name_cy="wrong")
    job = job_start(actor=admin, kind="reference.reload", label="Reload", task=reference_reload)
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.result["bodies"]["updated"] == 1
    assert job.started_at is not None and job.finished_at is not None
    assert Body.objects.get(code="W06000020").name_cy == "Tor-faen"


@pytest.mark.django_db(transaction=True)
@override_settings(TASKS=DATABASE_TASKS)
def test_a_failing_job_is_marked_failed_with_its_reason_and_changes_nothing(
    make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infuse.reference import loading

    admin = make_user("administrator", None)
    original = loading.packaged_reference

    def broken() -> Any:
        data = original()
        data.bodies.append({"code": "X1", "name_en": "Broken", "region": "NOWHERE"})
        return data

    monkeypatch.setattr("infuse.reference.services.packaged_reference", broken)
    Body.objects.filter(code="W06000020").update(name_cy="wrong")
    job = job_start(actor=admin, kind="reference.reload", label="Reload", task=reference_reload)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert "NOWHERE" in job.error
    # All or nothing: the repair of the other body was rolled back with the failure.
    assert Body.objects.get(code="W06000020").name_cy == "wrong"
    assert not Body.objects.filter(code="X1").exists()
