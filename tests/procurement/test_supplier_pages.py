"""Supplier pages through the Django test client: what an officer sees and can do."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from infuse.accounts.models import User
from infuse.procurement import selectors
from infuse.procurement.models import SupplierDecision, SupplierList
from infuse.procurement.services import spend_import_run, spend_upload
from tests.conftest import CAERPHILLY, NEWPORT

from .test_supplier_service import LEDGER, cluster_named


@pytest.fixture
def analyst(make_user: Any) -> User:
    user = make_user("analyst", CAERPHILLY, username="dafydd")
    batch = spend_upload(actor=user, body=user.body, file_name="april.csv", content=LEDGER.encode())
    spend_import_run(actor=user, batch=batch)
    return user


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_list_shows_clusters_sme_share_and_own_withheld_payees(analyst: User) -> None:
    page = client_for(analyst).get("/en/procurement/suppliers/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Cwm Civils Ltd" in html and "Gwent Fleet Services Ltd" in html
    assert "Spend by supplier size (SME share)" in html and "Size unknown" in html
    # The body's own analyst sees its withheld payees, flagged, and can merge.
    assert "Mr John Smith" in html and "Individual" in html
    assert "Merge the chosen suppliers" in html


def test_other_bodies_see_no_withheld_payee_and_no_merge_form(
    analyst: User, make_user: Any
) -> None:
    newport = client_for(make_user("analyst", NEWPORT))
    html = newport.get(f"/en/procurement/suppliers/?body={CAERPHILLY}").content.decode()
    assert "Cwm Civils Ltd" in html
    assert "Mr John Smith" not in html and "REDACTED" not in html
    assert "counted in the totals but not listed" in html
    assert "Merge the chosen suppliers" not in html
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    smith = cluster_named(overview, "Mr John Smith")["cluster_id"]
    assert newport.get(f"/en/procurement/suppliers/{CAERPHILLY}/{smith}/").status_code == 404
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    merge = newport.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/merge/", {"cluster": [cwm, smith]}
    )
    assert merge.status_code == 404 and SupplierDecision.objects.count() == 0
    assert newport.get(f"/en/procurement/suppliers/{CAERPHILLY}/decisions/").status_code == 404


def test_search_and_paging(analyst: User) -> None:
    client = client_for(analyst)
    html = client.get("/en/procurement/suppliers/?q=fleet").content.decode()
    assert "Gwent Fleet Services Ltd" in html and "Cwm Civils Ltd" not in html
    html = client.get("/en/procurement/suppliers/?q=01234567").content.decode()
    assert "Gwent Fleet Services Ltd" in html
    assert (
        "No supplier matches."
        in client.get("/en/procurement/suppliers/?q=nothing-like-this").content.decode()
    )
    # Out-of-range and nonsense page numbers land on a real page.
    assert client.get("/en/procurement/suppliers/?page=999").status_code == 200
    assert client.get("/en/procurement/suppliers/?page=-1").status_code == 200


def test_merge_then_undo_through_the_pages(analyst: User) -> None:
    client = client_for(analyst)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    engineering = cluster_named(overview, "Cwm Civil Engineering")["cluster_id"]
    response = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/merge/",
        {"cluster": [engineering], "into": cwm},
        follow=True,
    )
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/"
    assert "1 supplier was merged into" in html and "Cwm Civil Engineering" in html
    decision = SupplierDecision.objects.get()
    lines = client.get(
        f"/en/procurement/spend/lines/?body={CAERPHILLY}&cluster={cwm}"
    ).content.decode()
    assert "Cwm Civil Engineering" in lines and "CWM CIVILS LIMITED" in lines
    assert "Gwent Fleet" not in lines
    undo = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/decisions/{decision.pk}/undo/", follow=True
    )
    assert "The decision was undone." in undo.content.decode()
    decision.refresh_from_db()
    assert decision.reverted_at is not None
    history = client.get(f"/en/procurement/suppliers/{CAERPHILLY}/decisions/").content.decode()
    assert "Undone" in history


def test_merging_one_supplier_or_a_withheld_payee_is_refused_with_a_message(
    analyst: User,
) -> None:
    client = client_for(analyst)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    smith = cluster_named(overview, "Mr John Smith")["cluster_id"]
    one = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/merge/", {"cluster": [cwm]}, follow=True
    )
    assert "Choose at least two suppliers to merge." in one.content.decode()
    person = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/merge/", {"cluster": [cwm, smith]}, follow=True
    )
    assert "cannot be merged with suppliers" in person.content.decode()
    assert SupplierDecision.objects.count() == 0


def test_split_and_confirm_buttons(analyst: User) -> None:
    client = client_for(analyst)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    detail = client.get(f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/").content.decode()
    assert "Split off" in detail and "Confirm these spellings are one supplier" in detail
    assert "Cwm Civil Engineering" in detail  # a similar name, offered for merging
    client.post(f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/confirm/")
    detail = client.get(f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/").content.decode()
    assert "Confirmed" in detail
    client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/split/", {"name": "CWM CIVILS LIMITED"}
    )
    after = selectors.supplier_overview(analyst, analyst.body)
    assert after is not None
    assert cluster_named(after, "CWM CIVILS LIMITED")["spellings"] == ["CWM CIVILS LIMITED"]
    # The confirmation covered two spellings; one has left since.
    assert after.confirmations[cwm]["removed_since"] == ["CWM CIVILS LIMITED"]


SUPPLIER_LIST = (
    "Supplier Name,Company Number,Post Code,SME,SIC\n"
    "Cwm Civils Limited,,CF83 3GW,Yes,42110\n"
    "Gwent Fleet Svcs,1234567,NP20 2JG,No,45200\n"
    ",,,,\n"
    "Nameless Row Co,,,maybe,\n"
)


def test_supplier_list_upload_adds_postcode_size_and_sic(analyst: User) -> None:
    client = client_for(analyst)
    response = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/lists/",
        {
            "supplier_list": SimpleUploadedFile("suppliers.csv", SUPPLIER_LIST.encode()),
            "visibility": "regional",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "suppliers.csv: 3 suppliers read." in html
    assert "is not understood" in html  # the unreadable size is reported against its line
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")
    assert (cwm["size"], cwm["postcode"], cwm["sic_codes"]) == ("sme", "CF83 3GW", ["42110"])
    fleet = cluster_named(overview, "GFS Vehicle Maintenance")
    assert fleet["size"] == "large" and fleet["list_match"] == "company_number"
    assert overview.sme.sme == cwm["amount"] and overview.sme.large == fleet["amount"]
    assert overview.sme.unknown + overview.sme.withheld + overview.sme.sme + overview.sme.large == (
        overview.sme.total
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"Supplier Name\nAcme Ltd\n", "no column Infuse can add"),
        (b"Colour,Shape\nred,round\n", "No column of supplier names was found"),
        (b"Supplier,SME\n", "but no suppliers"),
        (b"\x00\x01\x02\x03binary\xff\xfe" * 50, "binary data"),
    ],
)
def test_bad_supplier_lists_are_refused_with_a_clear_message_and_change_nothing(
    analyst: User, content: bytes, message: str
) -> None:
    response = client_for(analyst).post(
        f"/en/procurement/suppliers/{CAERPHILLY}/lists/",
        {"supplier_list": SimpleUploadedFile("suppliers.csv", content), "visibility": "regional"},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert SupplierList.objects.count() == 0


def test_the_api_lists_suppliers_under_the_same_policy(analyst: User, make_user: Any) -> None:
    from infuse.accounts.services import api_token_create

    _token, own = api_token_create(actor=analyst, user=analyst, name="t")
    newport_user = make_user("analyst", NEWPORT)
    _token, other = api_token_create(actor=newport_user, user=newport_user, name="t")
    client = Client()

    mine = client.get(
        "/api/procurement/suppliers", headers={"authorization": f"Bearer {own}"}
    ).json()
    assert mine["body"] == CAERPHILLY
    names = {c["name"]: c for c in mine["clusters"]}
    assert names["Cwm Civils Ltd"]["spelling_count"] == 2
    assert names["Mr John Smith"]["withheld"] is True
    assert mine["sme_share"]["unknown_share"] == pytest.approx(2840 / 3840)
    theirs = client.get(
        f"/api/procurement/suppliers?body={CAERPHILLY}&show=withheld",
        headers={"authorization": f"Bearer {other}"},
    ).json()
    assert all(not c["withheld"] for c in theirs["clusters"])
    assert "Mr John Smith" not in str(theirs)
    assert theirs["withheld"] == {"amount": "1000.00", "lines": 2, "payees": 2}
    search = client.get(
        "/api/procurement/suppliers?q=FLEET", headers={"authorization": f"Bearer {own}"}
    ).json()
    assert [c["name"] for c in search["clusters"]] == ["Gwent Fleet Services Ltd"]
    assert (
        client.get(
            "/api/procurement/suppliers?body=W06000999",
            headers={"authorization": f"Bearer {own}"},
        ).status_code
        == 404
    )
    assert client.get("/api/procurement/suppliers?show=nonsense").status_code in (401, 422)
    assert client.get("/api/procurement/suppliers").status_code == 401


def test_the_welsh_page_keeps_ledger_names_as_published(analyst: User) -> None:
    html = client_for(analyst).get("/cy/procurement/suppliers/").content.decode()
    assert "Cwm Civils Ltd" in html and 'lang="cy"' in html


def test_undoing_a_split_from_the_split_off_suppliers_page_lands_on_a_real_page(
    analyst: User,
) -> None:
    client = client_for(analyst)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    cwm = cluster_named(overview, "Cwm Civils Ltd")["cluster_id"]
    client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/split/", {"name": "CWM CIVILS LIMITED"}
    )
    after = selectors.supplier_overview(analyst, analyst.body)
    assert after is not None
    split_off = cluster_named(after, "CWM CIVILS LIMITED")["cluster_id"]
    page = f"/en/procurement/suppliers/{CAERPHILLY}/{split_off}/"
    assert "Split CWM CIVILS LIMITED off Cwm Civils Ltd" in client.get(page).content.decode()
    decision = SupplierDecision.objects.get()
    response = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/decisions/{decision.pk}/undo/",
        {"next": page},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/en/procurement/suppliers/{CAERPHILLY}/{cwm}/"
    # An address elsewhere is never followed.
    other = client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/decisions/{decision.pk}/undo/",
        {"next": "https://example.com/"},
    )
    assert other["Location"] == f"/en/procurement/suppliers/{CAERPHILLY}/decisions/"


def test_merging_different_companies_is_allowed_and_flagged(analyst: User) -> None:
    from infuse.procurement.services import supplier_merge

    extra = "Date,Supplier,Amount,Company Number\n09/05/2025,Fleet Two Ltd,10.00,07654321\n"
    batch = spend_upload(
        actor=analyst, body=analyst.body, file_name="may.csv", content=extra.encode()
    )
    spend_import_run(actor=analyst, batch=batch)
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    fleet = cluster_named(overview, "Gwent Fleet Services Ltd")["cluster_id"]
    two = cluster_named(overview, "Fleet Two Ltd")["cluster_id"]
    supplier_merge(actor=analyst, body=analyst.body, cluster_ids=[fleet, two])
    html = client_for(analyst).get(f"/en/procurement/suppliers/{CAERPHILLY}/{fleet}/")
    assert "Several company numbers" in html.content.decode()


def test_the_spend_overview_links_to_the_suppliers_with_the_sme_share(analyst: User) -> None:
    client = client_for(analyst)
    html = client.get(f"/en/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "suppliers once spellings are grouped" in html and "size unknown: 74%" in html
    narrowed = client.get(
        f"/en/procurement/spend/?body={CAERPHILLY}&department=Fleet"
    ).content.decode()
    assert "suppliers once spellings are grouped" not in narrowed


def test_many_suppliers_are_paged_fifty_at_a_time_keeping_the_search(make_user: Any) -> None:
    user = make_user("analyst", CAERPHILLY)
    rows = "".join(
        f"01/04/2025,Supplier Number {index:03d} Ltd,{1000 + index}.00\n" for index in range(120)
    )
    batch = spend_upload(
        actor=user,
        body=user.body,
        file_name="many.csv",
        content=("Date,Supplier,Amount\n" + rows).encode(),
    )
    spend_import_run(actor=user, batch=batch)
    client = client_for(user)
    first = client.get("/en/procurement/suppliers/?q=number").content.decode()
    assert "120 suppliers match." in first and "Page 1 of 3" in first
    assert "Supplier Number 119 Ltd" in first and "Supplier Number 069 Ltd" not in first
    assert "q=number&amp;page=2" in first
    last = client.get("/en/procurement/suppliers/?q=number&page=3").content.decode()
    assert "Page 3 of 3" in last and "Supplier Number 000 Ltd" in last


def test_supplier_names_are_shown_as_text_never_as_markup(make_user: Any) -> None:
    user = make_user("analyst", CAERPHILLY)
    ledger = 'Date,Supplier,Amount\n01/04/2025,"<script>alert(1)</script> Ltd",10.00\n'
    batch = spend_upload(actor=user, body=user.body, file_name="x.csv", content=ledger.encode())
    spend_import_run(actor=user, batch=batch)
    client = client_for(user)
    html = client.get("/en/procurement/suppliers/").content.decode()
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    overview = selectors.supplier_overview(user, user.body)
    assert overview is not None
    cluster = overview.profiles["cluster_id"][0]
    detail = client.get(f"/en/procurement/suppliers/{CAERPHILLY}/{cluster}/").content.decode()
    assert "<script>alert(1)" not in detail


def test_a_column_named_twice_is_noted_on_the_lists_page(analyst: User) -> None:
    client = client_for(analyst)
    client.post(
        f"/en/procurement/suppliers/{CAERPHILLY}/lists/",
        {
            "supplier_list": SimpleUploadedFile(
                "twice.csv", b"Supplier,SME,Business size\nCwm Civils Ltd,yes,large\n"
            ),
            "visibility": "private",
        },
    )
    html = client.get(f"/en/procurement/suppliers/{CAERPHILLY}/lists/").content.decode()
    assert "both look like the size (SME or not); SME was used" in html
    overview = selectors.supplier_overview(analyst, analyst.body)
    assert overview is not None
    assert cluster_named(overview, "Cwm Civils Ltd")["size"] == "sme"
