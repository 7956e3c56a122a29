"""A Locust scenario: officers and managers signing in and browsing Infuse's main pages.

Run by ``make load`` against a server on loopback with the demo workspace; it stops by itself.
Each simulated person signs in as one of the demo users, then reads pages in English and Welsh,
with a pause between pages as a person would.
"""

from __future__ import annotations

import itertools
import re

from locust import HttpUser, between, task

# The demo workspace's published sign-ins (infuse.demo); repeated here because Locust runs
# outside Django and must not import its models.
DEMO_PASSWORD = "infuse-demo-2026"
PEOPLE = itertools.cycle(
    ["carys", "dafydd", "owen", "sian", "huw", "rhian", "gareth", "nia", "admin"]
)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Officer(HttpUser):
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        self.username = next(PEOPLE)
        page = self.client.get("/en/accounts/sign-in/", name="sign-in page")
        token = CSRF.search(page.text)
        self.client.post(
            "/en/accounts/sign-in/",
            data={
                "username": self.username,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={"Referer": self.host + "/en/accounts/sign-in/"},
            name="sign in",
        )

    @task(5)
    def home(self) -> None:
        self.client.get("/en/", name="home")

    @task(2)
    def home_in_welsh(self) -> None:
        self.client.get("/cy/", name="home (cy)")

    @task(3)
    def reference(self) -> None:
        self.client.get("/en/reference/", name="reference data")

    @task(2)
    def workspace(self) -> None:
        # Each demo person opens Caerphilly's workspace: refused (403) unless it is theirs.
        with self.client.get(
            "/en/bodies/W06000018/workspace/", name="a workspace", catch_response=True
        ) as response:
            if response.status_code in (200, 403):
                response.success()

    @task(3)
    def spend_analysis(self) -> None:
        self.client.get("/en/procurement/spend/", name="procurement: spend analysis")

    @task(1)
    def spend_chart(self) -> None:
        self.client.get("/en/procurement/spend/chart/month.svg", name="procurement: chart")

    @task(1)
    def spend_region(self) -> None:
        self.client.get("/en/procurement/spend/region/", name="procurement: region")

    @task(1)
    def spend_files(self) -> None:
        self.client.get("/en/procurement/spend/files/", name="procurement: spend files")

    @task(1)
    def profile(self) -> None:
        self.client.get("/en/accounts/profile/", name="profile")

    @task(1)
    def api(self) -> None:
        self.client.get("/api/reference/bodies", name="api: bodies")
        self.client.get("/api/me", name="api: me")
