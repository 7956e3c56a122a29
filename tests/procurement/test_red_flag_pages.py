"""The red-flag pages of a body: who may read and review them, reviews that keep their history,
settings that change what is flagged and refuse bad values, and flags by buyer and supplier."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from infuse.audit.models import AuditEntry
from infuse.procurement.models import ContractRecord, RedFlagReview, RedFlagSettings
from tests.conftest import CAERPHILLY, NEWPORT
from tests.procurement.contract_support import package, release

pytestmark = pytest.mark.django_db

DIRECT = "Chwarae Diogel Ltd"


@pytest.fixture
def flagged(reference: Any, make_user: Any) -> dict[str, Any]:
    """Caerphilly's contracts: a £600,000 open tender open for ten days (UK002), one open for
    forty (no flag), and three direct awards to one supplier (UK003 on the buyer and the
    supplier)."""
    from infuse.procurement.contract_services import ocds_import
    from infuse.reference.selectors import body_by_code

    releases = [
        release("ocds-f-1", "Highway resurfacing", ends_in_days=300, value=600_000, tender_days=10),
        release("ocds-f-2", "Library books", ends_in_days=300, value=600_000, tender_days=40),
        *(
            release(f"ocds-f-d{n}", f"Playground inspections {n}", ends_in_days=200,
                    value=20_000 + n, method="limited", supplier=DIRECT)
            for n in range(3)
        ),
    ]  # fmt: skip
    body = body_by_code(CAERPHILLY)
    ocds_import(actor=None, body=body, file_name="flags.json", content=package(*releases))
    return {
        "body": body,
        "officer": make_user("participant", CAERPHILLY),
        "outsider": make_user("participant", NEWPORT),
        "overseer": make_user("programme_manager", None),
        "assessor": make_user("assessor", CAERPHILLY),
    }


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


PAGES = ("contract-red-flags", "red-flags-buyers", "red-flags-suppliers", "red-flag-settings")


def _review(client: Client, page: str, item: str, indicator: str, status: str, note: str) -> Any:
    """Send the review form of the flag ``indicator`` on ``item`` as the page drew it."""
    import re

    url = reverse(f"procurement:{page}", args=[CAERPHILLY])
    html = client.get(url).content.decode()
    prefix = None
    for found in re.finditer(r'name="(f\d+)-item_id" value="([^"]*)"', html):
        start = html.rfind('name="form_prefix"', 0, found.start())
        block = html[start : found.end()]
        if found.group(2) == item and f'value="{indicator}"' in block:
            prefix = found.group(1)
    assert prefix is not None, f"no review form for {indicator} on {item}"
    group = re.search(rf'name="{prefix}-group" value="([^"]*)"', html)
    assert group is not None
    return client.post(
        url,
        {
            "form_prefix": prefix,
            f"{prefix}-indicator": indicator,
            f"{prefix}-group": group.group(1),
            f"{prefix}-item_id": item,
            f"{prefix}-status": status,
            f"{prefix}-note": note,
        },
        follow=True,
    )


def test_only_the_body_and_overseers_see_its_flags_and_only_its_officers_review(
    flagged: dict[str, Any],
) -> None:
    officer, outsider = _client(flagged["officer"]), _client(flagged["outsider"])
    overseer, assessor = _client(flagged["overseer"]), _client(flagged["assessor"])
    for page in PAGES:
        url = reverse(f"procurement:{page}", args=[CAERPHILLY])
        mine = officer.get(url)
        assert mine.status_code == 200
        # Another authority sees nothing, not even that the page exists, and cannot write.
        assert outsider.get(url).status_code == 404
        assert outsider.post(url, {"settings": "[R003]"}).status_code == 404
        # The programme's overseers read but have no forms, and a write is refused.
        read = overseer.get(url)
        assert read.status_code == 200 and "form_prefix" not in read.content.decode()
        assert overseer.post(url, {"settings": "[R003]"}).status_code == 403
        # An assessor of the body only scores bids: reads, never reviews.
        assert assessor.post(url, {"form_prefix": "f0"}).status_code == 403
    flags = officer.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    text = flags.content.decode()
    assert "UK002" in text and "ocds-f-1" in text and "ocds-f-2" not in text
    assert "minimum_days" in text and "form_prefix" in text
    suppliers = officer.get(reverse("procurement:red-flags-suppliers", args=[CAERPHILLY]))
    assert DIRECT in suppliers.content.decode() and "UK003" in suppliers.content.decode()
    buyers = officer.get(reverse("procurement:red-flags-buyers", args=[CAERPHILLY]))
    assert "GB-CCBC" in buyers.content.decode() and "direct_awards" in buyers.content.decode()
    assert not RedFlagReview.objects.exists() and not RedFlagSettings.objects.exists()


def test_a_later_review_supersedes_and_the_history_is_kept(flagged: dict[str, Any]) -> None:
    officer = _client(flagged["officer"])
    first = _review(
        officer, "contract-red-flags", "ocds-f-1", "UK002", "no_concern", "Emergency repair."
    )
    assert "Your review is saved." in first.content.decode()
    second = _review(
        officer, "red-flags-suppliers", DIRECT, "UK003", "referred", "Three awards in a year."
    )
    assert second.status_code == 200
    again = _review(
        officer, "contract-red-flags", "ocds-f-1", "UK002", "referred", "No emergency on file."
    )
    page = again.content.decode()
    assert "Referred for investigation" in page and "No emergency on file." in page
    assert "1 earlier review" in page and "Emergency repair." in page
    reviews = RedFlagReview.objects.filter(indicator="UK002", item_id="ocds-f-1")
    assert [r.status for r in reviews] == ["referred", "no_concern"]  # newest first, both kept
    assert AuditEntry.objects.filter(action="procurement.red_flag_review").count() == 3
    flags = reverse("procurement:contract-red-flags", args=[CAERPHILLY])
    reviewed = officer.get(flags, {"state": "reviewed"}).content.decode()
    still_open = officer.get(flags, {"state": "open"}).content.decode()
    assert "No emergency on file." in reviewed
    assert "No emergency on file." not in still_open and "ocds-f-d0" in still_open
    # The contract page links its supplier to the supplier's flags.
    record = ContractRecord.objects.get(ocid="ocds-f-d1")
    detail = officer.get(reverse("procurement:contract", args=[record.pk])).content.decode()
    assert reverse("procurement:red-flags-suppliers", args=[CAERPHILLY]) + "?id=" in detail
    outsider = _client(flagged["outsider"]).get(reverse("procurement:contract", args=[record.pk]))
    assert "red-flags/" not in outsider.content.decode()


def test_a_flag_that_is_not_raised_cannot_be_reviewed(flagged: dict[str, Any]) -> None:
    from infuse.errors import UserFacingError
    from infuse.procurement.redflag_services import red_flag_review

    with pytest.raises(UserFacingError, match="not raised"):
        red_flag_review(
            actor=flagged["officer"],
            body=flagged["body"],
            indicator="UK002",
            group="OCID",
            item_id="ocds-f-2",
            status="no_concern",
        )
    assert not RedFlagReview.objects.exists()


def test_changed_settings_change_the_flags_and_are_audited(flagged: dict[str, Any]) -> None:
    officer = _client(flagged["officer"])
    url = reverse("procurement:red-flag-settings", args=[CAERPHILLY])
    page = officer.get(url).content.decode()
    assert "Very short tender period for high-value work" in page and "minimum_days = 25" in page
    saved = officer.post(url, {"settings": "[UK002]\nminimum_days = 5\n"}, follow=True)
    assert "The settings are saved" in saved.content.decode()
    assert "minimum_days = 5" in saved.content.decode()
    flags = officer.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    assert "ocds-f-1" not in flags.content.decode()  # ten days is not under five
    entry = AuditEntry.objects.get(action="procurement.red_flag_settings_save")
    assert entry.after == {"settings": "[UK002]\nminimum_days = 5\n"}
    assert "[UK001]" in entry.before["settings"]
    officer.post(url, {"settings": "", "restore": "1"})
    flags = officer.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    assert "ocds-f-1" in flags.content.decode()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[R003]\nthreshold = soon\n", "“threshold” in [R003] must be a number, not “soon”."),
        ("[R999]\n", "Unknown indicator or section [R999]."),
        ("[UK002]\nminimum_day = 5\n", "Unknown setting “minimum_day” in [UK002]"),
        ("[R003]\nthreshold = -4\n", "must not be negative"),
        ("[UK005]\n", "runs only from the command line"),
        ("R003 threshold 20\n", "Line 1 is neither a [section]"),
    ],
)
def test_bad_settings_are_refused_with_a_reason_and_change_nothing(
    flagged: dict[str, Any], text: str, message: str
) -> None:
    officer = _client(flagged["officer"])
    url = reverse("procurement:red-flag-settings", args=[CAERPHILLY])
    refused = officer.post(url, {"settings": text})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "govuk-error-summary" in page
    assert message.replace("“", "&ldquo;").replace("”", "&rdquo;") in page or message in page
    assert not RedFlagSettings.objects.exists()


def test_the_demo_reviews_show_a_flag_referred_after_a_first_look(
    reference: Any, make_user: Any
) -> None:
    from infuse.demo.contracts import demo_contracts, demo_red_flag_reviews

    demo_contracts()
    make_user("analyst", CAERPHILLY, username="dafydd")
    make_user("participant", CAERPHILLY, username="carys")
    assert demo_red_flag_reviews() == 3
    assert demo_red_flag_reviews() == 0  # once only
    officer = _client(make_user("participant", CAERPHILLY))
    page = officer.get(reverse("procurement:contract-red-flags", args=[CAERPHILLY]))
    text = page.content.decode()
    assert "Referred for investigation" in text and "1 earlier review" in text
    suppliers = officer.get(
        reverse("procurement:red-flags-suppliers", args=[CAERPHILLY]), {"id": "Chwarae Diogel Ltd"}
    ).content.decode()
    assert "Dim pryder" in suppliers and "Reviewed — no concern" in suppliers
