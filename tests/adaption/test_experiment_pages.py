"""The guided path from an innovation to a locked, randomised experiment, through the pages."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import pytest
from django.test import Client

from infuse.accounts.models import User
from infuse.adaption.models import AdaptionAssessment, Experiment, Innovation
from infuse.adaption.plans import plan_sha256
from infuse.adaption.services import innovation_save
from infuse.audit.models import AuditEntry
from infuse.reference.models import Body
from tests.conftest import CAERPHILLY, NEWPORT

UNITS = "ward,households,tenure\n" + "".join(
    f"W{number:02d},{100 + 7 * number},{'rent' if number % 2 else 'own'}\n" for number in range(20)
)


@pytest.fixture
def officer(make_user: Any) -> User:
    return make_user("participant", CAERPHILLY, username="carys")


@pytest.fixture
def browser(officer: User) -> Client:
    client = Client()
    client.force_login(officer)
    return client


@pytest.fixture
def innovation(make_user: Any) -> Innovation:
    author = make_user("facilitator", CAERPHILLY)
    return innovation_save(
        actor=author,
        body=Body.objects.get(code=CAERPHILLY),
        values={
            "title_en": "Food waste caddy liners",
            "title_cy": "Leininau cadi gwastraff bwyd",
            "problem_en": "Households put food waste in the black bag.",
            "summary_en": "Free liners delivered with a leaflet.",
            "where_en": "Several English councils",
            "evidence_level": 3,
            "core_elements_en": "Free liners\nDelivered to the door",
            "adaptable_elements_en": "Leaflet design",
            "visibility": "public",
            "links": [{"title": "WRAP", "url": "https://wrap.org.uk/"}],
        },
    )


DESIGN_POST = {
    "title": "Caddy liners in Caerphilly",
    "hypothesis": "Free liners will raise food-waste tonnage.",
    "primary_outcome": "Food waste collected (kg per household per week)",
    "outcome_type": "continuous",
    "outcome_measure": "Collection round weighbridge records",
    "outcome_timing": "Weeks 5 to 12 after delivery",
    "secondary_outcomes": "Participation rate",
    "unit": "ward",
    "eligibility": "All wards with weekly food-waste rounds",
    "design": "cluster",
    "arms_text": "control, liners",
    "ratio_text": "1:1",
    "strata_text": "",
    "cluster_column": "ward",
    "periods": "",
    "non_randomised_plan": "",
    "estimator": "cluster_level",
    "covariates_text": "households",
    "alpha": "0.05",
    "correction": "none",
    "stopping_rule": "Ends after 12 weeks.",
}


def test_an_officer_goes_from_innovation_to_a_locked_randomised_experiment(
    browser: Client, officer: User, innovation: Innovation
) -> None:
    page = browser.get(f"/en/adaption/innovations/{innovation.pk}/")
    assert page.status_code == 200
    assert "Delivered to the door" in page.content.decode()

    fit = {f"fit_{key}": "good" for key in ("need", "population", "capacity", "cost", "data")}
    fit |= {"fit_legal": "unknown", "fit_welsh_language": "partial"}
    answer = browser.post(
        f"/en/adaption/innovations/{innovation.pk}/assess/",
        {
            **fit,
            "adaptations": "Bilingual leaflet",
            "risks": "Liners used for other things",
            "decision": "test_first",
            "decision_reason": "Strong evidence elsewhere, untested in Welsh valleys.",
        },
    )
    experiment = Experiment.objects.get(innovation=innovation)
    assert answer.status_code == 302
    assert answer["Location"] == f"/en/adaption/experiments/{experiment.pk}/"
    assessment = AdaptionAssessment.objects.get()
    assert assessment.decision == "test_first"
    assert assessment.fit["welsh_language"]["rating"] == "partial"

    # The seed stays hidden until the plan is locked (with it, the allocation could be known).
    draft_page = browser.get(f"/en/adaption/experiments/{experiment.pk}/").content.decode()
    assert str(experiment.seed) not in draft_page

    # The plan cannot be locked while it is incomplete.
    refused = browser.post(f"/en/adaption/experiments/{experiment.pk}/lock/")
    assert refused.status_code == 200
    assert "Name the primary outcome" in refused.content.decode()
    experiment.refresh_from_db()
    assert not experiment.is_locked

    saved = browser.post(f"/en/adaption/experiments/{experiment.pk}/design/", DESIGN_POST)
    assert saved.status_code == 302, saved.content.decode()[:3000]

    power = browser.post(
        f"/en/adaption/experiments/{experiment.pk}/power/",
        {
            "design": "cluster",
            "solve": "clusters",
            "cluster_size": "120",
            "icc": "0.02",
            "delta": "0.3",
            "sd": "1",
            "power": "0.8",
            "alpha": "0.05",
            "alternative": "two-sided",
            "cv": "0",
            "save": "1",
        },
    )
    assert power.status_code == 302
    experiment.refresh_from_db()
    assert "clusters in each arm" in experiment.power_summary

    units = io.BytesIO(UNITS.encode())
    units.name = "wards.csv"
    uploaded = browser.post(
        f"/en/adaption/experiments/{experiment.pk}/units/", {"units_file": units, "id_column": ""}
    )
    assert uploaded.status_code == 302

    # Allocation is concealed until the plan is locked: randomising before that is refused.
    early = browser.post(f"/en/adaption/experiments/{experiment.pk}/randomise/", follow=True)
    assert "Lock the plan first" in early.content.decode()
    assert not hasattr(Experiment.objects.get(pk=experiment.pk), "randomisation")

    locked = browser.post(f"/en/adaption/experiments/{experiment.pk}/lock/")
    assert locked.status_code == 302
    experiment.refresh_from_db()
    assert experiment.is_locked
    assert experiment.locked_sha256 == plan_sha256(experiment.locked_plan or {})
    assert len(experiment.locked_sha256) == 64

    done = browser.post(f"/en/adaption/experiments/{experiment.pk}/randomise/", follow=True)
    assert "Units allocated" in done.content.decode(), done.content.decode()[-3000:]
    experiment.refresh_from_db()
    randomisation = experiment.randomisation
    assert randomisation.arm_counts == {"control": 10, "liners": 10}
    assert randomisation.record["seed"] == experiment.seed

    download = browser.get(f"/en/adaption/experiments/{experiment.pk}/allocation.csv")
    rows = list(
        csv.DictReader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 20
    assert {row["arm"] for row in rows} == {"control", "liners"}

    check = browser.get(
        f"/en/adaption/experiments/{experiment.pk}/allocation.csv?check=1", follow=True
    )
    assert "gives the same allocation" in check.content.decode()

    pdf = browser.get(f"/en/adaption/experiments/{experiment.pk}/plan.pdf")
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")

    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "adaption.assessment_saved",
        "adaption.experiment_created",
        "adaption.experiment_updated",
        "adaption.units_uploaded",
        "adaption.plan_locked",
        "adaption.units_randomised",
    } <= actions


def test_a_locked_plan_changes_only_by_amendment_and_keeps_each_version(
    browser: Client, officer: User
) -> None:
    browser.post("/en/adaption/experiments/new/", {"title": "Reminder texts"})
    experiment = Experiment.objects.get()
    post = {**DESIGN_POST, "design": "individual", "unit": "person", "cluster_column": ""}
    browser.post(f"/en/adaption/experiments/{experiment.pk}/design/", post)
    Experiment.objects.filter(pk=experiment.pk).update(power_summary="64 people per group")
    browser.post(f"/en/adaption/experiments/{experiment.pk}/lock/")
    experiment.refresh_from_db()
    first_hash = experiment.locked_sha256

    # The design page now leads to the amendment form; a change without a reason is refused.
    assert browser.get(f"/en/adaption/experiments/{experiment.pk}/design/")["Location"].endswith(
        "/amend/"
    )
    no_reason = browser.post(
        f"/en/adaption/experiments/{experiment.pk}/amend/", {**post, "stopping_rule": "16 weeks"}
    )
    assert no_reason.status_code == 200
    amended = browser.post(
        f"/en/adaption/experiments/{experiment.pk}/amend/",
        {**post, "stopping_rule": "16 weeks", "reason": "The round changed to fortnightly."},
    )
    assert amended.status_code == 302
    experiment.refresh_from_db()
    amendment = experiment.amendments.get()
    assert amendment.changes == {"stopping_rule": ["Ends after 12 weeks.", "16 weeks"]}
    assert amendment.plan_sha256 != first_hash
    # The locked version stays as it was, fingerprint and all.
    assert experiment.locked_sha256 == first_hash
    assert experiment.locked_plan["stopping_rule"] == "Ends after 12 weeks."
    page = browser.get(f"/en/adaption/experiments/{experiment.pk}/").content.decode()
    assert "The round changed to fortnightly." in page


def test_other_authorities_cannot_see_or_change_a_private_experiment(
    browser: Client, make_user: Any
) -> None:
    browser.post("/en/adaption/experiments/new/", {"title": "Private trial"})
    experiment = Experiment.objects.get()
    outsider = Client()
    outsider.force_login(make_user("participant", NEWPORT))
    assert outsider.get(f"/en/adaption/experiments/{experiment.pk}/").status_code == 404
    assert outsider.post(f"/en/adaption/experiments/{experiment.pk}/lock/").status_code == 404
    assert Client().get(f"/en/adaption/experiments/{experiment.pk}/").status_code == 404


def test_a_published_plan_is_readable_without_signing_in(browser: Client) -> None:
    browser.post("/en/adaption/experiments/new/", {"title": "Published trial"})
    experiment = Experiment.objects.get()
    post = {**DESIGN_POST, "design": "individual", "unit": "person", "cluster_column": ""}
    browser.post(f"/en/adaption/experiments/{experiment.pk}/design/", post)
    Experiment.objects.filter(pk=experiment.pk).update(power_summary="64 people per group")
    browser.post(f"/en/adaption/experiments/{experiment.pk}/lock/")
    browser.post(f"/en/adaption/experiments/{experiment.pk}/publish/")
    experiment.refresh_from_db()
    public = Client().get(f"/en/adaption/experiments/{experiment.pk}/")
    assert public.status_code == 200
    assert experiment.locked_sha256 in public.content.decode()
    # Fingerprint can be recomputed by anyone from the published plan.
    assert hashlib.sha256(b"x").hexdigest() != experiment.locked_sha256


def test_bad_units_files_are_refused_with_the_reason_and_change_nothing(
    browser: Client,
) -> None:
    browser.post("/en/adaption/experiments/new/", {"title": "Units"})
    experiment = Experiment.objects.get()
    for content, reason in (
        (b"id,age\n1,30\n1,31\n", "appear more than once"),
        (b"id,age\n", "at least one unit"),
        (b"\x00\x01\x02\x03" * 50, ""),
    ):
        upload = io.BytesIO(content)
        upload.name = "units.csv"
        page = browser.post(
            f"/en/adaption/experiments/{experiment.pk}/units/", {"units_file": upload}
        )
        assert page.status_code == 200
        assert "govuk-error-summary" in page.content.decode()
        assert reason in page.content.decode()
    assert not hasattr(Experiment.objects.get(pk=experiment.pk), "units")


def test_power_calculator_answers_in_welsh_and_explains_bad_input(browser: Client) -> None:
    page = browser.get(
        "/cy/adaption/power/two-means/",
        {"solve": "n", "delta": "1", "sd": "1", "power": "0.9", "alpha": "0.05", "calculate": "1"},
    )
    assert page.status_code == 200
    body = page.content.decode()
    assert "data:image/svg+xml;base64," in body
    assert ">23<" in body or " 23 " in body  # R: power.t.test(delta=1, power=0.9) -> n = 22.02
    bad = browser.get(
        "/en/adaption/power/two-means/",
        {"solve": "n", "delta": "one", "power": "0.9", "calculate": "1"},
    )
    assert "delta must be a number" in bad.content.decode()


def test_an_officer_adds_an_innovation_in_both_languages_and_bad_links_are_refused(
    browser: Client, reference: Any
) -> None:
    form = {
        "title_en": "Warm hubs",
        "title_cy": "Hybiau cynnes",
        "where_en": "Across Wales",
        "problem_en": "People cannot afford to heat their homes.",
        "summary_en": "Libraries and halls open as warm, welcoming spaces.",
        "evidence_level": "1",
        "core_elements_en": "Free\nWelcoming",
        "themes": [],
        "goals": [],
        "visibility": "public",
        "links_text": "Guide | javascript:alert(1)",
    }
    refused = browser.post("/en/adaption/innovations/new/", form)
    assert refused.status_code == 200
    assert "address starting https://" in refused.content.decode()
    assert not Innovation.objects.exists()
    form["links_text"] = "Guide | https://www.gov.wales/"
    saved = browser.post("/en/adaption/innovations/new/", form)
    innovation = Innovation.objects.get()
    assert saved["Location"] == f"/en/adaption/innovations/{innovation.pk}/"
    assert innovation.links == [{"title": "Guide", "url": "https://www.gov.wales/"}]
    welsh = browser.get(f"/cy/adaption/innovations/{innovation.pk}/").content.decode()
    assert "Hybiau cynnes" in welsh
    # Missing Welsh falls back to the English text rather than showing nothing.
    assert "Libraries and halls open" in welsh
