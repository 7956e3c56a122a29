"""Intakes, cohorts and sessions through the pages: set-up, materials, files, enrolment and a
whole session's attendance on one page, each seen only by those the policy admits."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infuse.audit.models import AuditEntry
from infuse.programme import services
from infuse.programme.models import Attendance, Cohort, Enrolment, Intake, Session
from infuse.programme.services import ProgrammeError
from infuse.reference.models import Lab
from tests.conftest import TORFAEN

from .support import programme_world


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(make_user: Any) -> dict[str, Any]:
    return programme_world(make_user)


def test_a_manager_sets_up_an_intake_and_a_six_week_cohort(make_user: Any) -> None:
    manager = make_user("programme_manager", None)
    facilitator = make_user("facilitator", None, first_name="Rhian", last_name="Evans")
    client = client_for(manager)
    response = client.post(
        "/en/programme/intakes/new/",
        {"name_en": "Autumn 2026", "name_cy": "Hydref 2026", "starts_on": "2026-09-14"},
        follow=True,
    )
    assert "Intake created" in response.content.decode()
    intake = Intake.objects.get()
    lab = Lab.objects.get(slug="procurement")
    response = client.post(
        f"/en/programme/intakes/{intake.pk}/cohorts/new/",
        {
            "lab": lab.pk,
            "name_en": "Procurement Lab, autumn",
            "name_cy": "Labordy Caffael, hydref",
            "starts_on": "2026-09-15",
            "facilitator": facilitator.pk,
            "mode": "online",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Cohort created" in text and "Procurement Lab, autumn" in text
    cohort = Cohort.objects.get()
    sessions = list(cohort.sessions.all())
    assert [s.number for s in sessions] == [1, 2, 3, 4, 5, 6]
    assert sessions[5].starts_at.date().isoformat() == "2026-10-20"
    assert cohort.ends_on.isoformat() == "2026-10-26"
    assert all(s.mode == "online" and s.facilitator == facilitator for s in sessions)
    welsh = client.get(f"/cy/programme/cohorts/{cohort.pk}/").content.decode()
    assert "Labordy Caffael, hydref" in welsh and "Wythnos 1" in welsh


def test_cohort_setup_is_for_managers_and_names_need_both_languages(
    world: dict[str, Any],
) -> None:
    for who in ("facilitator", "carys"):
        page = client_for(world[who]).get("/en/programme/intakes/new/")
        assert page.status_code == 403
    response = client_for(world["manager"]).post(
        "/en/programme/intakes/new/", {"name_en": "Only English", "starts_on": "2026-01-05"}
    )
    assert "There is a problem" in response.content.decode()
    assert Intake.objects.count() == 1


def test_each_person_sees_only_their_cohorts(world: dict[str, Any], make_user: Any) -> None:
    other = make_user("facilitator", None)
    stranger = make_user("participant", TORFAEN)
    cohort = world["cohort"]
    url = f"/en/programme/cohorts/{cohort.pk}/"
    for who in ("manager", "facilitator", "carys", "owen"):
        assert client_for(world[who]).get(url).status_code == 200, who
        assert (
            "Data Lab, spring cohort"
            in client_for(world[who]).get("/en/programme/").content.decode()
        )
    for user in (other, stranger):
        assert client_for(user).get(url).status_code == 404
        assert (
            "Data Lab, spring cohort" not in client_for(user).get("/en/programme/").content.decode()
        )
    assert Client().get(url).status_code == 302


def test_materials_are_bilingual_and_never_run_html(world: dict[str, Any]) -> None:
    session = world["cohort"].sessions.get(number=1)
    client = client_for(world["facilitator"])
    response = client.post(
        f"/en/programme/sessions/{session.pk}/edit/",
        {
            "title_en": "Asking good data questions",
            "title_cy": "Gofyn cwestiynau data da",
            "day": "2026-03-03",
            "time": "09:30",
            "mode": "in_person",
            "place": "Ty Penallta, Ystrad Mynach",
            "facilitator": world["facilitator"].pk,
            "materials_en": "- Bring a decision\n\n<script>alert(1)</script>",
            "materials_cy": "- Dewch â phenderfyniad",
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Session saved." in text and "Bring a decision</li>" in text
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    welsh = client_for(world["carys"]).get(f"/cy/programme/sessions/{session.pk}/").content.decode()
    assert "Gofyn cwestiynau data da" in welsh and "Dewch â phenderfyniad" in welsh
    session.refresh_from_db()
    assert session.starts_at.hour == 9 and session.starts_at.minute == 30
    # Participants read materials but do not change them.
    assert (
        client_for(world["carys"]).get(f"/en/programme/sessions/{session.pk}/edit/").status_code
        == 403
    )


def test_files_are_checked_and_handed_only_to_the_cohort(
    world: dict[str, Any], make_user: Any
) -> None:
    session = world["cohort"].sessions.get(number=2)
    client = client_for(world["facilitator"])
    refused = client.post(
        f"/en/programme/sessions/{session.pk}/files/new/",
        {"title": "Tool", "language": "both", "upload": SimpleUploadedFile("tool.exe", b"MZ")},
    )
    assert "The file must be one of" in refused.content.decode()
    client.post(
        f"/en/programme/sessions/{session.pk}/files/new/",
        {
            "title": "Canvas worksheet",
            "language": "cy",
            "upload": SimpleUploadedFile("canvas.txt", b"Penderfyniad\n"),
        },
    )
    handout = session.files.get()
    page = client_for(world["owen"]).get(f"/en/programme/sessions/{session.pk}/").content.decode()
    assert "Canvas worksheet" in page and "Welsh" in page
    download = client_for(world["owen"]).get(f"/en/programme/materials/{handout.pk}/")
    assert b"".join(download.streaming_content) == b"Penderfyniad\n"
    stranger = client_for(make_user("participant", TORFAEN))
    assert stranger.get(f"/en/programme/materials/{handout.pk}/").status_code == 404


def test_enrolment_takes_participants_of_a_body_only(world: dict[str, Any], make_user: Any) -> None:
    analyst = make_user("analyst", TORFAEN)
    newcomer = make_user("participant", TORFAEN, first_name="Siân", last_name="Morgan")
    cohort = world["cohort"]
    with pytest.raises(ProgrammeError):
        services.enrol(actor=world["facilitator"], cohort=cohort, participants=[analyst])
    client = client_for(world["facilitator"])
    form = client.get(f"/en/programme/cohorts/{cohort.pk}/enrol/").content.decode()
    assert "Siân Morgan" in form and "Carys Price" not in form and analyst.username not in form
    client.post(f"/en/programme/cohorts/{cohort.pk}/enrol/", {"participants": [newcomer.pk]})
    assert cohort.enrolments.filter(participant=newcomer).exists()
    assert (
        client_for(world["carys"]).get(f"/en/programme/cohorts/{cohort.pk}/enrol/").status_code
        == 403
    )


def test_a_whole_session_attendance_on_one_page(world: dict[str, Any]) -> None:
    cohort = world["cohort"]
    session = cohort.sessions.get(number=1)
    carys = Enrolment.objects.get(participant=world["carys"])
    owen = Enrolment.objects.get(participant=world["owen"])
    client = client_for(world["facilitator"])
    url = f"/en/programme/sessions/{session.pk}/attendance/"
    page = client.get(url).content.decode()
    assert "Carys Price" in page and "Excused absence" in page
    incomplete = client.post(url, {f"mark-{carys.pk}": "present"})
    assert incomplete.status_code == 400
    assert "Choose attendance for Owen Davies" in incomplete.content.decode()
    assert not Attendance.objects.exists()
    done = client.post(url, {f"mark-{carys.pk}": "late", f"mark-{owen.pk}": "excused"}, follow=True)
    assert "Attendance saved." in done.content.decode()
    assert dict(Attendance.objects.values_list("enrolment_id", "status")) == {
        carys.pk: "late",
        owen.pk: "excused",
    }
    entry = AuditEntry.objects.filter(action="programme.attendance_recorded").get()
    assert entry.actor == world["facilitator"]
    summary = client.get(f"/en/programme/cohorts/{cohort.pk}/").content.decode()
    assert "1 of 1" in summary and "0 of 1" in summary
    assert (
        client.post(url, {f"mark-{carys.pk}": "asleep", f"mark-{owen.pk}": "present"}).status_code
        == 400
    )
    assert client_for(world["carys"]).get(url).status_code == 403


def test_a_session_facilitator_runs_only_their_cohort(
    world: dict[str, Any], make_user: Any
) -> None:
    guest = make_user("facilitator", None, first_name="Iwan", last_name="Rees")
    session = world["cohort"].sessions.get(number=4)
    services.session_update(actor=world["manager"], session=session, values={"facilitator": guest})
    assert (
        client_for(guest).get(f"/en/programme/sessions/{session.pk}/attendance/").status_code == 200
    )
    with pytest.raises(ProgrammeError):
        services.session_update(
            actor=world["manager"],
            session=Session.objects.get(pk=session.pk),
            values={"facilitator": world["carys"]},
        )
