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


def infuse_migration_steps() -> list[tuple[str, str, str]]:
    """(app, migration, the migration before it) for every non-initial Infuse migration."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    steps = []
    for (app, name), migration in sorted(loader.disk_migrations.items()):
        if not migration.__module__.startswith("infuse."):
            continue
        parents = [dep for dep in migration.dependencies if dep[0] == app]
        if parents:
            steps.append((app, name, parents[0][1]))
    return steps


@pytest.mark.django_db(transaction=True)
def test_every_migration_applies_forward_on_the_demo_workspace(reference: Any) -> None:
    demo_build(ledger_months=1)
    steps = infuse_migration_steps()
    for app, name, previous in steps:
        call_command("migrate", app, previous, verbosity=0)
        call_command("migrate", app, name, verbosity=0)
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM accounts_user")
        assert cursor.fetchone()[0] >= 9, "demo users lost on the way"
