"""Migrations: in step with the models, and each one applies forward over real demo data."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from infuse.demo import demo_build


def test_models_and_migrations_are_in_step(db: Any) -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()} ({exit_})")


def infuse_first_migrations() -> dict[str, str]:
    """Each Infuse app with more than one migration, and its first migration."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    names: dict[str, list[str]] = {}
    for (app, name), migration in loader.disk_migrations.items():
        if migration.__module__.startswith("infuse."):
            names.setdefault(app, []).append(name)
    return {app: min(found) for app, found in sorted(names.items()) if len(found) > 1}


@pytest.mark.django_db(transaction=True)
def test_every_migration_applies_forward_on_the_demo_workspace(reference: Any) -> None:
    """Each app is taken back to its first migration over the demo's data, then forward
    again, so every later migration runs forward over real rows (one round trip per app
    rather than per migration: each ``migrate`` call rebuilds the project's state)."""
    demo_build(ledger_months=1)
    firsts = infuse_first_migrations()
    assert firsts, "no app has a second migration to check"
    for app, first in firsts.items():
        call_command("migrate", app, first, verbosity=0)
        call_command("migrate", app, verbosity=0)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone()[0] >= 9, "demo users lost on the way"
