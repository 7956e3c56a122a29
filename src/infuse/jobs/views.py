from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from infuse.accounts.policy import can_follow_job, page_rule

from . import selectors


@page_rule("signed_in")
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    job = selectors.job_by_id(job_id)
    if job is None or not can_follow_job(request.user, job):
        raise Http404
    template = (
        "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/job_detail.html"
    )
    return render(request, template, {"job": job})
