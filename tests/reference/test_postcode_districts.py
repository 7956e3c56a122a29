"""Loading the ONS postcode lookup on the reference pages and from the command line: the
local share then places suppliers by it, and a file that is not the lookup changes nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from typer.testing import CliRunner

from infuse.accounts.models import User
from infuse.audit.models import AuditEntry
from infuse.cli import app
from infuse.procurement import selectors as spend_selectors
from infuse.procurement.services import spend_import_run, spend_upload
from infuse.procurement.spend_queries import SpendFilter
from infuse.reference import selectors
from infuse.reference.models import PostcodeDistrictTable
from tests.conftest import CAERPHILLY
from tests.procurement.test_local_share_pages import ALL, LEDGER, client_for

# Two area files as the lookup ships them (a few of its columns, in its order). CF83 and CF37
# lie in one authority each; NP22 straddles Caerphilly and Blaenau Gwent; SA1 is Swansea's.
# A terminated postcode would put CF83 in Cardiff too, and is left out.
CF_FILE = (
    "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21,cty,ced,laua,ward,"
    "ctry\n"
    "CF833GW,CF83 3GW,CF83 3GW,199001,,0,315000,188000,1,W00001,W99999999,W99999999,"
    "W06000018,W05000001,W92000004\n"
    "CF831AA,CF83 1AA,CF83 1AA,199001,,0,315000,188000,1,W00001,W99999999,W99999999,"
    "W06000018,W05000001,W92000004\n"
    "CF839ZZ,CF83 9ZZ,CF83 9ZZ,199001,200506,0,315000,188000,1,W00001,W99999999,W99999999,"
    "W06000015,W05000002,W92000004\n"
    "CF371DL,CF37 1DL,CF37 1DL,199001,,0,307000,190000,1,W00002,W99999999,W99999999,"
    "W06000016,W05000003,W92000004\n"
)
OTHER_FILE = (
    "pcds,doterm,laua,ctry\n"
    "NP22 3AU,,W06000018,W92000004\n"
    "NP22 4BB,,W06000019,W92000004\n"
    "SA1 1AA,,W06000011,W92000004\n"
)


@pytest.fixture(autouse=True)
def own_data_dir(settings: Any, tmp_path: Path) -> Path:
    """The packaged table, and loaded tables kept in a data directory of the test's own."""
    settings.POSTCODE_DISTRICTS_FILE = ""
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def analyst(make_user: Any) -> User:
    user = make_user("analyst", CAERPHILLY, username="dafydd")
    batch = spend_upload(actor=user, body=user.body, file_name="spend.csv", content=LEDGER.encode())
    spend_import_run(actor=user, batch=batch)
    return user


def lookup_files() -> list[SimpleUploadedFile]:
    return [
        SimpleUploadedFile("NSPL_NOV_2025_UK_CF.csv", CF_FILE.encode(), "text/csv"),
        SimpleUploadedFile("NSPL_NOV_2025_UK_NP_SA.csv", OTHER_FILE.encode(), "text/csv"),
    ]


def local_parts(user: User) -> dict[str, Decimal]:
    local = spend_selectors.spend_local_share(user, SpendFilter(bodies=(CAERPHILLY,)))
    assert local is not None
    share = local.share
    return {
        "authority": share.authority,
        "region": share.region,
        "wales": share.wales,
        "outside": share.outside,
        "unknown": share.unknown,
        "withheld": share.withheld,
    }


def test_an_administrator_loads_the_lookup_and_the_local_share_uses_it(
    analyst: User, make_user: Any, own_data_dir: Path
) -> None:
    assert local_parts(analyst)["authority"] == 0  # the packaged table places no CF district
    admin = client_for(make_user("administrator", None, username="gwen"))
    before = admin.get("/en/reference/postcode-districts/").content.decode()
    assert "The table that comes with Infuse" in before
    assert "No: no district lies wholly in its area in the table" in before

    response = admin.post("/en/reference/postcode-districts/", {"lookup_files": lookup_files()})
    assert response.status_code == 302
    after = admin.get(response["Location"]).content.decode()
    assert "4 postcode districts loaded: the local share now uses them." in after
    assert "Loaded from the ONS postcode lookup on" in after
    assert "NSPL_NOV_2025_UK_CF.csv, NSPL_NOV_2025_UK_NP_SA.csv" in after

    # The same figures as with a complete table named by the deployment's setting.
    assert local_parts(analyst) == {part: Decimal(amount) for part, amount in ALL.items()}
    table = PostcodeDistrictTable.objects.get()
    assert (table.districts, table.rows, table.straddling) == (4, 5, 1)
    written = (own_data_dir / "reference" / table.file_name).read_text()
    assert "CF83,W06000018,Caerphilly,Wales,yes,ons-nspl" in written
    assert "CF83,W06000015" not in written  # the terminated postcode's Cardiff is left out
    # Districts the files do not cover keep the packaged rows: Powys still has its own.
    assert "LD1,W06000023,Powys,Wales,yes,wikipedia-ld" in written
    # Caerphilly has a district of its own; Blaenau Gwent only shares NP22, which never
    # counts for either authority.
    assert re.search(r"Caerphilly</th>\s*<td[^>]*>Yes<", after)
    assert re.search(r"Blaenau Gwent</th>\s*<td[^>]*>No: no district lies wholly", after)
    entry = AuditEntry.objects.get(action="reference.postcode_districts_load")
    assert entry.actor.username == "gwen" and entry.after["districts"] == 4
    html = client_for(analyst).get(f"/en/procurement/spend/?body={CAERPHILLY}").content.decode()
    assert "does not yet place any district" not in html


def test_a_file_that_is_not_the_lookup_changes_nothing(
    analyst: User, make_user: Any, own_data_dir: Path
) -> None:
    admin = client_for(make_user("administrator", None))
    admin.post("/en/reference/postcode-districts/", {"lookup_files": lookup_files()})
    loaded = selectors.postcode_districts_file()
    figures = local_parts(analyst)
    refused = [
        # (language, the files, what the page says)
        (
            "cy",
            [lookup_files()[0], ("postcodes.csv", b"postcode,council\nCF83 3GW,Caerphilly\n")],
            "Nid chwiliad cod post y SYG yw postcodes.csv",
        ),
        ("en", [("empty.csv", b"pcds,laua,ctry\n")], "empty.csv has no postcodes."),
        (
            "en",
            [("bs.csv", b"pcds,laua,ctry\nBS1 4DJ,,E92000001\n")],
            "No postcode with a local authority was found",
        ),
        (
            "en",
            [("twice.csv", b"pcds,PCDS ,laua,ctry\nCF83 3GW,x,W06000018,W\n")],
            "twice.csv has the column pcds more than once.",
        ),
        ("en", [("lookup.xlsx", b"PK\x03\x04")], "lookup.xlsx is not a CSV file."),
    ]
    for language, files, message in refused:
        uploads = [
            item if isinstance(item, SimpleUploadedFile) else SimpleUploadedFile(*item)
            for item in files
        ]
        html = admin.post(
            f"/{language}/reference/postcode-districts/", {"lookup_files": uploads}
        ).content.decode()
        assert message in html
    assert PostcodeDistrictTable.objects.count() == 1
    assert selectors.postcode_districts_file() == loaded
    assert local_parts(analyst) == figures
    assert len(list((own_data_dir / "reference").iterdir())) == 1  # no other file written


def test_only_the_delivery_team_s_administrators_load_the_lookup(
    analyst: User, make_user: Any
) -> None:
    for user in (analyst, make_user("administrator", CAERPHILLY, username="bodyadmin")):
        client = client_for(user)
        assert client.get("/en/reference/postcode-districts/").status_code == 403
        refused = client.post("/en/reference/postcode-districts/", {"lookup_files": lookup_files()})
        assert refused.status_code == 403
    assert not PostcodeDistrictTable.objects.exists()
    reference_page = client_for(make_user("administrator", None)).get("/en/reference/")
    assert "/en/reference/postcode-districts/" in reference_page.content.decode()


def test_a_file_named_by_the_setting_comes_first_and_the_page_says_so(
    make_user: Any, settings: Any, tmp_path: Path
) -> None:
    admin = client_for(make_user("administrator", None))
    admin.post("/en/reference/postcode-districts/", {"lookup_files": lookup_files()})
    assert selectors.postcode_districts_file()[1] == "loaded"
    configured = tmp_path / "deployment.csv"
    configured.write_text("district,authority_code,authority_name,nation,complete,source\n")
    settings.POSTCODE_DISTRICTS_FILE = str(configured)
    assert selectors.postcode_districts_file() == (configured, "setting")
    html = admin.get("/en/reference/postcode-districts/").content.decode()
    assert "a table loaded here is kept but not used" in html
    again = admin.post(
        "/en/reference/postcode-districts/", {"lookup_files": lookup_files()}, follow=True
    ).content.decode()
    assert "4 postcode districts loaded, but not used while the INFUSE_POSTCODE_DISTRICTS" in again
    assert "the local share now uses them" not in again


@pytest.mark.django_db(transaction=True)
def test_the_command_line_loads_the_lookup_as_the_page_does(analyst: User, tmp_path: Path) -> None:
    cf, other = tmp_path / "cf.csv", tmp_path / "other.csv"
    cf.write_text(CF_FILE)
    other.write_text(OTHER_FILE)
    runner = CliRunner()
    result = runner.invoke(app, ["postcode-districts", str(cf), str(other), "--load", "--json"])
    assert result.exit_code == 0, result.output
    loaded = json.loads(result.stdout)
    assert (loaded["districts"], loaded["rows"], loaded["straddling"]) == (4, 5, 1)
    assert Path(loaded["file"]) == selectors.postcode_districts_file()[0]
    assert local_parts(analyst) == {part: Decimal(amount) for part, amount in ALL.items()}
    both = runner.invoke(
        app, ["postcode-districts", str(cf), "--load", "--out", str(tmp_path / "x.csv")]
    )
    assert both.exit_code == 1 and "either --load or --out" in both.output
    bad = tmp_path / "bad.csv"
    bad.write_text("postcode,council\nCF83 3GW,Caerphilly\n")
    refused = runner.invoke(app, ["postcode-districts", str(bad), "--load", "--json"])
    assert refused.exit_code == 1 and "no column pcds" in json.loads(refused.stdout)["error"]
    assert PostcodeDistrictTable.objects.count() == 1
