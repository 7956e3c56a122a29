"""Backup and restore of the whole data directory, through the command line, as an operator would.

Each step runs ``infuse`` in a separate process against its own data directory on SQLite (the
embedded default), so the test sees exactly what an operator sees.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

sqlite_only = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")), reason="this test drives the embedded SQLite set-up"
)

PAGE_SCRIPT = """
import os, re, sys, django
django.setup()
from django.test import Client
from infuse.accounts.models import User
client = Client()
client.force_login(User.objects.get(username="dafydd"))
for path in sys.argv[1:]:
    html = client.get(path).content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    print(html)
"""

PAGES = ["/en/", "/en/reference/", "/cy/reference/", "/en/bodies/W06000018/workspace/"]


def infuse(data_dir: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(INFUSE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="infuse.config.settings.local")
    command = [sys.executable, "-m", "infuse.cli", *args]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    if check:
        assert result.returncode == 0, result.stderr + result.stdout
    return result


def pages(data_dir: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(INFUSE_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="infuse.config.settings.local")
    result = subprocess.run(
        [sys.executable, "-c", PAGE_SCRIPT, *PAGES],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def table_dump(database: Path) -> list[Any]:
    connection = sqlite3.connect(database)
    try:
        tables = [
            r[0]
            for r in connection.execute(
                "select name from sqlite_master where type='table' order by name"
            )
        ]
        return [
            (t, sorted(connection.execute(f'select * from "{t}"').fetchall(), key=repr))
            for t in tables
        ]
    finally:
        connection.close()


@pytest.fixture(scope="module")
def initialised(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory after ``infuse init``, made once; each test works on its own copy."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("this test drives the embedded SQLite set-up")
    directory = tmp_path_factory.mktemp("initialised") / "data"
    infuse(directory, "init")
    return directory


def initialised_copy(initialised: Path, target: Path) -> Path:
    shutil.copytree(initialised, target)
    return target


@sqlite_only
def test_backup_then_restore_onto_an_empty_directory_gives_identical_data_and_pages(
    tmp_path: Path, initialised: Path
) -> None:
    original, restored, backup = tmp_path / "original", tmp_path / "restored", tmp_path / "backup"
    initialised_copy(initialised, original)
    infuse(original, "demo", "--months", "1")  # one month of ledgers keeps the test quick
    (original / "warehouse" / "spend").mkdir(parents=True)
    (original / "warehouse" / "spend" / "batch-1.parquet").write_bytes(b"PAR1 stand-in bytes")
    (original / "uploads" / "ledger.csv").write_text("Date,Supplier,Amount\n2025-03-31,Acme,100\n")
    lookup = tmp_path / "nspl.csv"
    lookup.write_text("pcds,laua,ctry\nCF83 3GW,W06000018,W92000004\n")
    loaded = json.loads(
        infuse(original, "postcode-districts", str(lookup), "--load", "--json").stdout
    )
    table = Path(loaded["file"]).relative_to(original).as_posix()

    made = json.loads(infuse(original, "backup", str(backup), "--json").stdout)
    assert made["engine"] == "sqlite"
    assert {
        "database.sqlite3",
        "warehouse/spend/batch-1.parquet",
        "uploads/ledger.csv",
        table,  # the postcode districts table the local share uses
    } <= set(made["files"])

    json.loads(infuse(restored, "restore", str(backup), "--json").stdout)
    assert table_dump(restored / "infuse.sqlite3") == table_dump(original / "infuse.sqlite3")
    assert (restored / "uploads" / "ledger.csv").read_text() == (
        original / "uploads" / "ledger.csv"
    ).read_text()
    assert (restored / "warehouse" / "spend" / "batch-1.parquet").exists()
    assert (restored / table).read_text() == (original / table).read_text()
    assert pages(restored) == pages(original)


@sqlite_only
def test_restore_refuses_a_directory_in_use_and_a_damaged_backup(
    tmp_path: Path, initialised: Path
) -> None:
    original, backup = tmp_path / "original", tmp_path / "backup"
    initialised_copy(initialised, original)
    infuse(original, "backup", str(backup))
    in_use = infuse(original, "restore", str(backup), "--json", check=False)
    assert in_use.returncode == 1 and "not empty" in json.loads(in_use.stdout)["error"]
    (backup / "database.sqlite3").write_bytes(b"tampered")
    damaged = infuse(tmp_path / "fresh", "restore", str(backup), "--json", check=False)
    assert damaged.returncode == 1 and "damaged" in json.loads(damaged.stdout)["error"]
    not_a_backup = infuse(tmp_path / "fresh2", "restore", str(tmp_path), "--json", check=False)
    assert (
        not_a_backup.returncode == 1
        and "not an Infuse backup" in json.loads(not_a_backup.stdout)["error"]
    )


@sqlite_only
def test_backup_taken_while_another_process_writes_is_consistent(
    tmp_path: Path, initialised: Path
) -> None:
    original, backup = tmp_path / "original", tmp_path / "backup"
    initialised_copy(initialised, original)
    database = original / "infuse.sqlite3"
    stop = threading.Event()
    written = {"rows": 0}

    def writer() -> None:
        connection = sqlite3.connect(database, timeout=30)
        while not stop.is_set():
            with connection:
                connection.execute(
                    "insert into audit_auditentry (at, actor_label, action, target_type, target_id,"
                    " target_label) values (datetime('now'), 'load', 'test.write', 't', '1', 'x')"
                )
            written["rows"] += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        infuse(original, "backup", str(backup))
    finally:
        stop.set()
        thread.join()
    copy = sqlite3.connect(backup / "database.sqlite3")
    try:
        assert copy.execute("pragma integrity_check").fetchone()[0] == "ok"
        copied = copy.execute(
            "select count(*) from audit_auditentry where action='test.write'"
        ).fetchone()[0]
    finally:
        copy.close()
    assert 0 <= copied <= written["rows"]
    assert written["rows"] > 0


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("INFUSE_SECRET", "DATABASE_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="infuse.config.settings.production",
        INFUSE_ALLOWED_HOSTS="infuse.example",
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "INFUSE_SECRET_KEY must be set" in result.stderr
    env["INFUSE_SECRET_KEY"] = "x" * 50
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings;"
            "print(settings.SECURE_HSTS_SECONDS, settings.SESSION_COOKIE_SECURE,"
            " settings.CSRF_COOKIE_SECURE)",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.stdout.split() == ["31536000", "True", "True"]


@pytest.fixture
def pg_databases() -> Any:
    """Two empty PostgreSQL databases on the test server, dropped afterwards."""
    url = os.environ.get("INFUSE_PG_ADMIN_URL") or os.environ.get("DATABASE_URL_ADMIN")
    if not url:
        pytest.skip("the PostgreSQL pass sets INFUSE_PG_ADMIN_URL")
    import psycopg

    names = ["infuse_backup_original", "infuse_backup_restored"]
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    base = url.rsplit("/", 1)[0]
    yield [f"{base}/{name}" for name in names]
    with psycopg.connect(url, autocommit=True) as admin:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_dump_rows(url: str) -> list[Any]:
    import psycopg

    with psycopg.connect(url) as connection:
        tables = [
            r[0]
            for r in connection.execute(
                "select tablename from pg_tables where schemaname='public' order by tablename"
            )
        ]
        return [
            (t, sorted(connection.execute(f'select * from "{t}"').fetchall(), key=repr))
            for t in tables
        ]


def test_postgresql_backup_and_restore(tmp_path: Path, pg_databases: list[str]) -> None:
    original_url, restored_url = pg_databases

    def run(data_dir: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            INFUSE_DATA_DIR=str(data_dir),
            DJANGO_SETTINGS_MODULE="infuse.config.settings.local",
            DATABASE_URL=url,
        )
        result = subprocess.run(
            [sys.executable, "-m", "infuse.cli", *args], env=env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr + result.stdout
        return result

    run(tmp_path / "a", original_url, "init")
    run(tmp_path / "a", original_url, "demo", "--months", "1")
    made = json.loads(
        run(tmp_path / "a", original_url, "backup", str(tmp_path / "bk"), "--json").stdout
    )
    assert made["engine"] == "postgresql" and "database.pgdump" in made["files"]
    run(tmp_path / "b", restored_url, "restore", str(tmp_path / "bk"))
    assert pg_dump_rows(restored_url) == pg_dump_rows(original_url)
