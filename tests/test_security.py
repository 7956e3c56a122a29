"""Security basics, checked: headers, cookies, CSRF on forms, escaping, uploads, secrets."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infuse.accounts.models import User
from tests.conftest import CAERPHILLY

REPO = Path(__file__).resolve().parents[1]
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_session_and_csrf_cookies_are_protected(make_user: Any) -> None:
    make_user(username="gwen", password="a long enough passphrase")
    client = Client()
    client.get("/en/accounts/sign-in/")
    response = client.post(
        "/en/accounts/sign-in/", {"username": "gwen", "password": "a long enough passphrase"}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert client.cookies["csrftoken"]["samesite"] == "Lax"


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/sign-in/",
        "/en/accounts/password-reset/",
        "/en/",
        "/en/accounts/profile/",
        "/en/accounts/api-tokens/",
        "/en/reference/",
        "/en/reference/bodies/upload/",
        "/en/reference/postcode-districts/",
        "/en/audit/",
    ],
)
def test_every_post_form_carries_a_csrf_token(make_user: Any, path: str) -> None:
    html = signed_in(make_user("administrator", None)).get(path).content.decode()
    for form in FORM.findall(html):
        if re.search(r'method="post"', form, re.I):
            assert 'name="csrfmiddlewaretoken"' in form, form[:200]


def test_user_supplied_text_is_escaped(make_user: Any) -> None:
    attacker = make_user(
        "participant", CAERPHILLY, first_name='<script>alert("x")</script>', last_name="<b>"
    )
    viewer = make_user("participant", CAERPHILLY)
    html = signed_in(viewer).get(f"/en/bodies/{CAERPHILLY}/workspace/").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    own = signed_in(attacker).get("/en/").content.decode()
    assert "<script>alert" not in own


def test_uploads_are_limited_in_size_and_type(make_user: Any) -> None:
    client = signed_in(make_user("administrator", None))
    too_big = SimpleUploadedFile("bodies.csv", b"code,name_en\n" + b"x" * (1024 * 1024 + 1))
    html = client.post("/en/reference/bodies/upload/", {"file": too_big}).content.decode()
    assert "larger than 1 MB" in html
    wrong_type = SimpleUploadedFile("bodies.exe", b"MZ\x90\x00")
    html = client.post("/en/reference/bodies/upload/", {"file": wrong_type}).content.decode()
    assert "must be a CSV file" in html


def test_request_bodies_are_capped(settings: Any) -> None:
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 10 * 1024 * 1024


def test_no_secrets_are_committed() -> None:
    tracked = subprocess.run(
        ["git", "ls-files"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    if not tracked:
        pytest.skip("not a git checkout")
    patterns = [
        re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
        re.compile(r"SECRET_KEY\s*=\s*[\"'][^\"']{20,}[\"']"),
        re.compile(r"AKIA[0-9A-Z]{16}"),
        re.compile(r"postgres(ql)?://[^\s:@/]+:[^\s@/]+@"),
    ]
    offenders = []
    for name in tracked:
        path = REPO / name
        if (
            not path.is_file()
            or path.suffix in {".png", ".mo", ".lock"}
            or path.stat().st_size > 2_000_000
        ):
            continue
        # The test settings' key is a deliberate, labelled placeholder.
        text = path.read_text(errors="ignore").replace('"test-only-not-secret"', '""')
        offenders += [f"{name}: {p.pattern}" for p in patterns if p.search(text)]
    assert offenders == []
    assert not any(n.endswith("secret_key") or n.startswith("var/") for n in tracked)
