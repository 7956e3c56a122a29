"""Certificates: issued when a participant completes a lab, a bilingual PDF, and a public page
where anyone checks the code and sees only name, lab, cohort, date and validity."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from infuse.programme import services
from infuse.programme.models import Certificate, Enrolment
from infuse.programme.selectors import normalised_code
from tests.datalab.support import data_question

from .support import programme_world


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def completed(make_user: Any) -> dict[str, Any]:
    """Carys completes a one-assignment Data Lab cohort."""
    world = programme_world(make_user)
    world["cohort"].assignments.exclude(kind="data_question").delete()
    submission = services.assignment_submit(
        actor=world["carys"],
        assignment=world["cohort"].assignments.get(),
        enrolment=Enrolment.objects.get(participant=world["carys"]),
        object_id=data_question(world["carys"]).pk,
    )
    assert not Certificate.objects.exists()
    services.submission_review(
        actor=world["facilitator"], submission=submission, verdict="accepted", text=""
    )
    world["certificate"] = Certificate.objects.get()
    return world


def test_completing_the_lab_issues_a_certificate_with_a_pdf(completed: dict[str, Any]) -> None:
    certificate = completed["certificate"]
    assert certificate.name == "Carys Price" and certificate.valid
    assert normalised_code(certificate.code.lower().replace("-", " ")) == certificate.code
    carys = client_for(completed["carys"])
    page = carys.get(f"/en/programme/cohorts/{completed['cohort'].pk}/").content.decode()
    assert "Download your certificate (PDF)" in page and certificate.code in page
    pdf = carys.get(f"/en/programme/certificates/{certificate.pk}/certificate.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other = client_for(completed["owen"])
    assert (
        other.get(f"/en/programme/certificates/{certificate.pk}/certificate.pdf").status_code == 404
    )


def test_anyone_checks_a_code_and_sees_only_what_it_certifies(completed: dict[str, Any]) -> None:
    certificate = completed["certificate"]
    anyone = Client()
    page = anyone.get(f"/en/programme/certificates/check/{certificate.code}/")
    text = page.content.decode()
    assert page.status_code == 200 and "Valid certificate" in text
    assert "Carys Price" in text and "Data Lab" in text and "Data Lab, spring cohort" in text
    assert "Caerphilly" not in text and "@example.org" not in text
    typed = anyone.get("/en/programme/certificates/check/", {"code": certificate.code.lower()})
    assert "Valid certificate" in typed.content.decode()
    wrong = anyone.get("/en/programme/certificates/check/", {"code": "INF-AAAA-BBBB-CCCC"})
    assert wrong.status_code == 404 and "No certificate has this code" in wrong.content.decode()
    welsh = anyone.get(f"/cy/programme/certificates/check/{certificate.code}/").content.decode()
    assert "Labordy Data" in welsh


def test_a_manager_revokes_with_a_reason(completed: dict[str, Any]) -> None:
    certificate = completed["certificate"]
    url = f"/en/programme/certificates/{certificate.pk}/revoke/"
    assert client_for(completed["facilitator"]).post(url, {"reason": "x"}).status_code == 403
    manager = client_for(completed["manager"])
    assert manager.post(url, {"reason": " "}).status_code == 400
    manager.post(url, {"reason": "Issued in error"})
    text = Client().get(f"/en/programme/certificates/check/{certificate.code}/").content.decode()
    assert "This certificate was revoked" in text and "Valid certificate" not in text
