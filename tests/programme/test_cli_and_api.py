"""The programme report from the command line and the API, under the same policy."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client
from typer.testing import CliRunner

from infuse.accounts.services import api_token_create
from infuse.cli import app

from .support import programme_world, rate_entry_and_exit


def bearer(user: Any) -> dict[str, str]:
    _token, secret = api_token_create(actor=user, user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def test_report_on_the_command_line_and_through_the_api(make_user: Any) -> None:
    world = programme_world(make_user)
    rate_entry_and_exit(world)
    result = CliRunner().invoke(app, ["programme-report", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["cohorts"] == 1 and report["progress"]["participants"] == 2
    data_lab = report["uplift"]["by_lab"]["Data Lab"]
    # Changes 2 and 1 (see test_uplift): mean 1.5, 95 per cent interval −4.853 to 7.853.
    assert data_lab["mean_change"] == 1.5 and round(data_lab["ci95_low"], 3) == -4.853

    client = Client()
    api_uplift = client.get("/api/programme/uplift", **bearer(world["manager"])).json()
    assert api_uplift["by_lab"] == report["uplift"]["by_lab"]
    cohorts = client.get("/api/programme/cohorts", **bearer(world["carys"])).json()
    assert [c["name"] for c in cohorts] == ["Data Lab, spring cohort"]
    assert cohorts[0]["participants"] == 2
    assert client.get("/api/programme/progress", **bearer(world["carys"])).status_code == 403
    stranger = make_user("participant", "W06000020")
    assert client.get("/api/programme/cohorts", **bearer(stranger)).json() == []
    progress = client.get("/api/programme/progress", **bearer(world["facilitator"])).json()
    assert progress["by_body"]["Newport"]["participants"] == 1
