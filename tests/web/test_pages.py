from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from infuse.accounts.models import User
from infuse.audit.models import AuditEntry
from tests.conftest import CAERPHILLY, NEWPORT


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_root_redirects_to_a_language(reference: Any) -> None:
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    welsh = Client(headers={"accept-language": "cy"}).get("/")
    assert welsh["Location"] == "/cy/"


def test_signed_out_home_introduces_infuse_and_lists_the_authorities(reference: Any) -> None:
    response = Client().get("/en/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Sign in" in html
    assert "Adaption Lab" in html and "Supportive Communities" in html
    assert "Rhondda Cynon Taf" in html
    assert html.count("<h1") == 1


def test_signed_in_home_shows_the_users_authority_labs_and_themes(make_user: Any) -> None:
    user = make_user("participant", CAERPHILLY, first_name="Carys", last_name="Price")
    html = signed_in(user).get("/en/").content.decode()
    assert "Welcome, Carys Price" in html
    assert "Caerphilly workspace" in html
    for name in ("Adaption Lab", "Data Lab", "Procurement Lab", "Accelerating Decarbonisation"):
        assert name in html


def test_own_workspace_opens_and_another_authoritys_is_refused(make_user: Any) -> None:
    carys = make_user("participant", CAERPHILLY, first_name="Carys")
    make_user("participant", NEWPORT, first_name="Owen", last_name="Secret-Newport-Person")
    client = signed_in(carys)
    own = client.get(f"/en/bodies/{CAERPHILLY}/workspace/")
    assert own.status_code == 200
    other = client.get(f"/en/bodies/{NEWPORT}/workspace/")
    assert other.status_code == 403
    html = other.content.decode()
    assert "You do not have permission to see this page" in html
    assert "Secret-Newport-Person" not in html


def test_programme_managers_see_every_workspace(make_user: Any) -> None:
    manager = make_user("programme_manager", None)
    assert signed_in(manager).get(f"/en/bodies/{NEWPORT}/workspace/").status_code == 200


def test_protected_pages_send_signed_out_visitors_to_sign_in(reference: Any) -> None:
    response = Client().get(f"/en/bodies/{CAERPHILLY}/workspace/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/sign-in/?next=")


def test_unknown_page_is_a_designed_404_in_the_users_language(reference: Any) -> None:
    response = Client().get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_bad_request_is_a_designed_400(reference: Any) -> None:
    response = Client().get("/en/", headers={"host": "bad host name"})
    assert response.status_code == 400
    assert "problem with the request" in response.content.decode()


@override_settings(ROOT_URLCONF="tests.web.urls_failing")
def test_server_error_is_a_designed_500_that_hides_the_trace(reference: Any) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/en/explode/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Nothing you saved has been lost" in html
    assert "deliberate failure" not in html and "Traceback" not in html


def test_csrf_failure_is_a_designed_403(make_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user())
    response = client.post("/en/accounts/profile/", {"preferred_language": "cy"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


def test_security_headers_on_every_page(reference: Any) -> None:
    response = Client().get("/en/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_language_switch_keeps_the_page_and_remembers_the_choice(make_user: Any) -> None:
    user = make_user()
    client = signed_in(user)
    response = client.get("/language/cy/?next=/en/reference/")
    assert response.status_code == 302
    assert response["Location"] == "/cy/reference/"
    user.refresh_from_db()
    assert user.preferred_language == "cy"
    assert client.cookies["infuse_language"].value == "cy"
    page = client.get("/cy/reference/")
    assert '<html lang="cy"' in page.content.decode()


def test_language_switch_refuses_to_redirect_off_site(reference: Any) -> None:
    response = Client().get("/language/cy/?next=https://evil.example/")
    assert response["Location"] == "/cy/"


def test_sign_in_lands_in_the_preferred_language(make_user: Any) -> None:
    make_user(username="sian", password="a long enough passphrase", preferred_language="cy")
    client = Client()
    response = client.post(
        "/en/accounts/sign-in/", {"username": "sian", "password": "a long enough passphrase"}
    )
    assert response.status_code == 302
    assert response["Location"].startswith("/cy/")


def test_sign_in_failure_shows_an_error_summary(reference: Any) -> None:
    response = Client().post("/en/accounts/sign-in/", {"username": "nobody", "password": "wrong"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html and "There is a problem" in html
    assert "<title>Error:" in html


def test_sign_out_needs_a_post(make_user: Any) -> None:
    client = signed_in(make_user())
    assert client.get("/en/accounts/sign-out/").status_code == 405
    assert client.post("/en/accounts/sign-out/").status_code == 302
    assert client.get(f"/en/bodies/{CAERPHILLY}/workspace/").status_code == 302


def test_password_reset_by_email(make_user: Any, mailoutbox: list[Any]) -> None:
    make_user(username="dafydd", email="dafydd@example.org")
    client = Client()
    response = client.post("/en/accounts/password-reset/", {"email": "dafydd@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url,
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert response.status_code == 302
    user = User.objects.get(username="dafydd")
    assert user.check_password("a brand new passphrase")
    assert AuditEntry.objects.filter(
        action="accounts.user_set_password", target_id=str(user.pk)
    ).exists()


def test_password_reset_for_unknown_email_reveals_nothing(
    reference: Any, mailoutbox: list[Any]
) -> None:
    response = Client().post("/en/accounts/password-reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_reference_page_lists_everything_in_both_languages(reference: Any) -> None:
    english = Client().get("/en/reference/").content.decode()
    assert "Pen-y-bont ar Ogwr" in english and "Bridgend" in english
    assert "A globally responsible Wales" in english
    assert "Involvement" in english


def test_accessibility_statement_and_api_docs_are_public(reference: Any) -> None:
    assert "WCAG" in Client().get("/en/accessibility/").content.decode()
    docs = Client().get("/en/api-docs/").content.decode()
    assert "/api/reference/bodies" in docs and "/api/me" in docs


@pytest.mark.parametrize("role", ["participant", "analyst", "facilitator", "assessor"])
def test_audit_trail_is_for_administrators_only(make_user: Any, role: str) -> None:
    assert signed_in(make_user(role, CAERPHILLY)).get("/en/audit/").status_code == 403


def test_administrators_browse_and_filter_the_audit_trail(make_user: Any) -> None:
    admin = make_user("administrator", None)
    make_user("analyst", CAERPHILLY, username="caerphilly-analyst")
    make_user("analyst", NEWPORT, username="newport-analyst")
    client = signed_in(admin)
    html = client.get("/en/audit/?action=user_create&body=" + NEWPORT).content.decode()
    assert "newport-analyst" in html and "caerphilly-analyst" not in html


def test_a_body_administrator_sees_only_their_bodys_trail(make_user: Any) -> None:
    admin = make_user("administrator", CAERPHILLY)
    make_user("analyst", NEWPORT, username="newport-analyst")
    make_user("analyst", CAERPHILLY, username="caerphilly-analyst")
    html = signed_in(admin).get(f"/en/audit/?body={NEWPORT}").content.decode()
    assert "caerphilly-analyst" in html and "newport-analyst" not in html


def test_profile_saves_the_language_and_moves_to_it(make_user: Any) -> None:
    user = make_user()
    response = signed_in(user).post("/en/accounts/profile/", {"preferred_language": "cy"})
    assert response["Location"] == "/cy/accounts/profile/"
    user.refresh_from_db()
    assert user.preferred_language == "cy"


def test_tokens_page_creates_and_revokes_only_your_own(make_user: Any) -> None:
    owner, other = make_user(), make_user()
    client = signed_in(owner)
    html = client.post("/en/accounts/api-tokens/", {"name": "monthly import"}).content.decode()
    assert "inf_" in html and "monthly import" in html
    token = owner.api_tokens.get()
    assert signed_in(other).post(f"/en/accounts/api-tokens/{token.pk}/revoke/").status_code == 404
    assert client.post(f"/en/accounts/api-tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_welsh_bodies_file_upload_reports_the_bad_line(make_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in(make_user("administrator", None))
    upload = SimpleUploadedFile("bodies.csv", b"code,name_en\nX1,\n", content_type="text/csv")
    response = client.post("/en/reference/bodies/upload/", {"file": upload})
    assert response.status_code == 200
    assert "Line 2" in response.content.decode()


def test_reference_reload_runs_as_a_job_with_progress(
    make_user: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from infuse.jobs.models import Job

    admin = make_user("administrator", None)
    client = signed_in(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/en/reference/reload/")
    job = Job.objects.get()
    assert response["Location"] == f"/en/jobs/{job.pk}/"
    # Tests run tasks immediately, so the job has finished by now.
    assert job.status == Job.Status.SUCCEEDED and job.percent == 100
    assert job.done == job.total == 6
    html = client.get(f"/en/jobs/{job.pk}/").content.decode()
    assert "100% complete" in html
    partial = client.get(f"/en/jobs/{job.pk}/", headers={"hx-request": "true"}).content.decode()
    assert "<html" not in partial and 'id="job-progress"' in partial
    # Another user cannot follow the job.
    assert signed_in(make_user()).get(f"/en/jobs/{job.pk}/").status_code == 404
