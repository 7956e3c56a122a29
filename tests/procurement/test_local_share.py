"""The local share of spend and the postcode districts table (pure: no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from infuse.procurement.supplier_profiles import (
    PLACES,
    cluster_profiles,
    local_share,
    postcode_district,
    supplier_places,
)
from infuse.procurement.suppliers import cluster_suppliers
from infuse.reference.postcodes import (
    DISTRICT_SCHEMA,
    PostcodeGeography,
    PostcodeTableError,
    districts_from_nspl,
    packaged_geography,
    read_geography,
    write_districts,
)

from .test_suppliers import spellings

CAERPHILLY = "W06000018"
CARDIFF = "W06000015"
RCT = "W06000016"
BLAENAU_GWENT = "W06000019"
SWANSEA = "W06000011"
POWYS = "W06000023"
SHROPSHIRE = "E06000051"
REGION = frozenset({CAERPHILLY, CARDIFF, RCT, BLAENAU_GWENT})


def geography() -> PostcodeGeography:
    """A hand-made table: CF83 wholly in Caerphilly; NP22 straddling Caerphilly and Blaenau
    Gwent; CF37 wholly in RCT; SA1 wholly in Swansea (Welsh, not in the region); SY7
    straddling Powys and Shropshire; TF1 wholly in England; and NP20 only partly known."""
    rows = [
        ("CF83", CAERPHILLY, "Wales", True),
        ("NP22", CAERPHILLY, "Wales", True),
        ("NP22", BLAENAU_GWENT, "Wales", True),
        ("CF37", RCT, "Wales", True),
        ("SA1", SWANSEA, "Wales", True),
        ("SY7", POWYS, "Wales", True),
        ("SY7", SHROPSHIRE, "England", True),
        ("TF1", "E06000020", "England", True),
        ("NP20", "W06000022", "Wales", False),
    ]
    districts = pl.DataFrame(
        [
            {
                "district": d,
                "authority_code": code,
                "authority_name": "",
                "nation": nation,
                "complete": complete,
                "source": "test",
            }
            for d, code, nation, complete in rows
        ],
        schema=DISTRICT_SCHEMA,
    )
    areas = pl.DataFrame(
        {
            "area": ["CF", "NP", "SA", "SY"],
            "in_wales": ["all", "part", "part", "part"],
            "source": ["test"] * 4,
        }
    )
    return PostcodeGeography(districts, areas, {})


def profiles(rows: list[tuple[str, float, str | None, bool]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "cluster_id": [r[0] for r in rows],
            "amount": [r[1] for r in rows],
            "postcode": [r[2] for r in rows],
            "is_excluded": [r[3] for r in rows],
        },
        schema={
            "cluster_id": pl.String,
            "amount": pl.Float64,
            "postcode": pl.String,
            "is_excluded": pl.Boolean,
        },
    )


SUPPLIERS = profiles(
    [
        ("own", 1000.0, "CF83 3GW", False),  # wholly in Caerphilly
        ("straddles", 400.0, "np22 3au", False),  # Caerphilly and Blaenau Gwent: region
        ("neighbour", 300.0, "CF37 1DL", False),  # wholly in RCT: region
        ("swansea", 200.0, "SA1 1AA", False),  # Welsh, outside the region
        ("cf-unlisted", 50.0, "CF99 1SN", False),  # not in the table, CF wholly Welsh
        ("border", 70.0, "SY7 0AA", False),  # Powys and Shropshire: cannot say
        ("telford", 80.0, "TF1 1AA", False),  # wholly in England
        ("birmingham", 150.0, "B1 1AA", False),  # area with no Welsh postcode
        ("np-partial", 60.0, "NP20 1AA", False),  # only an incomplete row: area NP is part
        ("malformed", 40.0, "not a postcode", False),
        ("missing", 30.0, None, False),
        ("credit", -20.0, "CF83 1AA", False),  # a credit note counts, negative
        ("person", 500.0, "CF83 2BB", True),  # an individual: withheld, never placed
    ]
)


def test_each_supplier_is_placed_by_the_conservative_rule() -> None:
    placed = supplier_places(
        SUPPLIERS, body_code=CAERPHILLY, region_codes=REGION, geography=geography()
    )
    got = dict(zip(placed["cluster_id"], placed["place"], strict=True))
    assert got == {
        "own": "authority",
        "straddles": "region",
        "neighbour": "region",
        "swansea": "wales",
        "cf-unlisted": "wales",
        "border": "unknown",
        "telford": "outside",
        "birmingham": "outside",
        "np-partial": "unknown",
        "malformed": "unknown",
        "missing": "unknown",
        "credit": "authority",
        "person": "withheld",
    }
    assert placed.filter(pl.col("cluster_id") == "straddles")["district"].item() == "NP22"


def test_the_shares_are_computed_by_hand_and_the_parts_add_up_to_the_total() -> None:
    share = local_share(SUPPLIERS, body_code=CAERPHILLY, region_codes=REGION, geography=geography())
    assert share.authority == Decimal("980.00")  # 1000 - 20
    assert share.region == Decimal("700.00")  # 400 + 300
    assert share.wales == Decimal("250.00")  # 200 + 50
    assert share.outside == Decimal("230.00")  # 80 + 150
    assert share.unknown == Decimal("200.00")  # 70 + 60 + 40 + 30
    assert share.withheld == Decimal("500.00")
    assert share.total == Decimal("2860.00")
    assert sum(getattr(share, part) for part in PLACES) == share.total
    assert share.share("authority") == pytest.approx(980 / 2860)
    assert share.share("unknown") == pytest.approx(200 / 2860)
    assert share.suppliers == {
        "authority": 2,
        "region": 2,
        "wales": 2,
        "outside": 2,
        "unknown": 4,
        "withheld": 1,
    }
    assert [part for part, *_rest in share.parts()] == list(PLACES)


def test_a_straddling_district_counts_for_neither_neighbour() -> None:
    """NP22 lies in Caerphilly and Blaenau Gwent: for both it is the region, for neither the
    authority; for Swansea, outside that region, it is Wales."""
    for body in (CAERPHILLY, BLAENAU_GWENT):
        share = local_share(SUPPLIERS, body_code=body, region_codes=REGION, geography=geography())
        assert share.region >= Decimal("400.00")
    blaenau = local_share(
        SUPPLIERS, body_code=BLAENAU_GWENT, region_codes=REGION, geography=geography()
    )
    assert blaenau.authority == Decimal("0.00")
    assert blaenau.region == Decimal("1680.00")  # CF83 (980), NP22 (400), CF37 (300)
    swansea = local_share(
        SUPPLIERS, body_code=SWANSEA, region_codes=frozenset({SWANSEA}), geography=geography()
    )
    assert swansea.authority == Decimal("200.00")
    assert swansea.region == Decimal("0.00")
    assert swansea.wales == Decimal("1730.00")  # 980 + 400 + 300 + 50


def test_a_body_without_a_region_has_no_region_part() -> None:
    share = local_share(
        SUPPLIERS, body_code=CAERPHILLY, region_codes=frozenset(), geography=geography()
    )
    assert share.authority == Decimal("980.00")
    assert share.region == Decimal("0.00")
    assert share.wales == Decimal("950.00")  # 400 + 300 + 200 + 50


def test_no_spend_gives_zero_parts_and_no_shares() -> None:
    share = local_share(
        profiles([]), body_code=CAERPHILLY, region_codes=REGION, geography=geography()
    )
    assert share.total == Decimal("0.00") and share.share("authority") is None
    assert all(n == 0 for n in share.suppliers.values())


@pytest.mark.parametrize(
    ("postcode", "district"),
    [
        ("CF83 3GW", "CF83"),
        ("cf833gw", "CF83"),
        (" NP4  6YD ", "NP4"),
        ("NP46YD", "NP4"),
        ("EC1A 1BB", "EC1A"),
        ("W1A 0AX", "W1A"),
        ("CF83", "CF83"),
        ("SA1", "SA1"),
        ("CF83 3G", None),
        ("123 456", None),
        ("not a postcode", None),
        ("", None),
        (None, None),
    ],
)
def test_the_postcode_district_is_read_from_full_postcodes_and_outward_codes(
    postcode: str | None, district: str | None
) -> None:
    frame = pl.DataFrame({"postcode": [postcode]}, schema={"postcode": pl.String})
    assert frame.select(postcode_district(pl.col("postcode"))).item() == district


def test_profiles_from_clusters_carry_what_the_local_share_needs() -> None:
    rows: list[dict[str, object]] = [
        {"name": "Cwm Civils Ltd", "amount": 1000.0, "postcode": "CF83 3GW"},
        {"name": "Brum Ltd", "amount": 500.0, "postcode": "B1 1AA"},
        {"name": "Mr J Smith", "amount": 300.0, "is_personal": True, "postcode": "CF83 1AA"},
    ]
    share = local_share(
        cluster_profiles(cluster_suppliers(spellings(rows))),
        body_code=CAERPHILLY,
        region_codes=REGION,
        geography=geography(),
    )
    assert (share.authority, share.outside, share.withheld) == (
        Decimal("1000.00"),
        Decimal("500.00"),
        Decimal("300.00"),
    )


# --- the table ------------------------------------------------------------------------------


def test_the_packaged_table_is_sourced_and_consistent() -> None:
    table = packaged_geography()
    districts = table.districts
    # Every row cites a source with an address; the LD rows are complete, the others not.
    assert set(districts["source"]) <= set(table.sources)
    assert all(table.sources[s].url.startswith("http") for s in districts["source"].unique())
    assert table.complete_districts == [f"LD{n}" for n in range(1, 9)]
    ld7 = districts.filter(pl.col("district") == "LD7")
    assert set(ld7["authority_code"]) == {POWYS, SHROPSHIRE}
    assert set(ld7["nation"]) == {"Wales", "England"}
    cardiff = districts.filter(pl.col("authority_code") == CARDIFF)
    assert set(cardiff["district"]) == {
        "CF3",
        "CF5",
        "CF10",
        "CF11",
        "CF14",
        "CF15",
        "CF23",
        "CF24",
        "CF72",
        "CF83",
    }
    assert not cardiff["complete"].any()
    areas = dict(zip(table.areas["area"], table.areas["in_wales"], strict=True))
    assert areas == {
        "CF": "all",
        "CH": "part",
        "HR": "part",
        "LD": "part",
        "LL": "part",
        "NP": "part",
        "SA": "part",
        "SY": "part",
    }
    assert table.district_count == 31
    cited = {s.id for s in table.cited_sources}
    assert {"wikipedia-ld", "nspl-cardiff", "geograph-cf", "wikipedia-hay"} <= cited


def test_with_the_packaged_table_cf_is_wales_np_unknown_ld_placed_and_england_outside() -> None:
    suppliers = profiles(
        [
            ("cardiff", 100.0, "CF10 1AA", False),
            ("newport", 100.0, "NP20 1AA", False),
            ("brecon", 100.0, "LD3 7AB", False),
            ("knighton", 100.0, "LD7 1AA", False),
            ("bristol", 100.0, "BS1 4DJ", False),
            ("chester", 100.0, "CH1 1AA", False),
        ]
    )
    placed = supplier_places(
        suppliers, body_code=CARDIFF, region_codes=REGION, geography=packaged_geography()
    )
    assert dict(zip(placed["cluster_id"], placed["place"], strict=True)) == {
        "cardiff": "wales",  # no complete CF row: never counted for Cardiff without one
        "newport": "unknown",
        "brecon": "wales",
        "knighton": "unknown",
        "bristol": "outside",
        "chester": "unknown",
    }
    powys = supplier_places(
        suppliers, body_code=POWYS, region_codes=frozenset(), geography=packaged_geography()
    )
    assert powys.filter(pl.col("cluster_id") == "brecon")["place"].item() == "authority"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_table_that_breaks_the_rules_is_refused_naming_the_line(tmp_path: Path) -> None:
    header = "district,authority_code,authority_name,nation,complete,source\n"
    for body, message in [
        ("CF83,W06000018,Caerphilly,Wales,yes,nowhere\n", "source 'nowhere'"),
        ("CF833,W06000018,Caerphilly,Wales,yes,ons-nspl\n", "not an outward code"),
        ("CF83,W6,Caerphilly,Wales,yes,ons-nspl\n", "not a GSS code"),
        ("CF83,W06000018,Caerphilly,Cymru,yes,ons-nspl\n", "nation"),
        ("CF83,W06000018,Caerphilly,Wales,maybe,ons-nspl\n", "yes or no"),
        (
            "CF83,W06000018,Caerphilly,Wales,yes,ons-nspl\nCF83,W06000015,Cardiff,Wales,no,ons-nspl\n",
            "both complete and not",
        ),
    ]:
        path = _write(tmp_path / "districts.csv", header + body)
        with pytest.raises(PostcodeTableError, match=message):
            read_geography(path)


def test_a_complete_table_is_built_from_the_ons_postcode_lookup(tmp_path: Path) -> None:
    rows = [
        ("CF83 3GW", CAERPHILLY, "W92000004", ""),
        ("CF83 1AA", CAERPHILLY, "W92000004", ""),
        ("NP22 3AU", CAERPHILLY, "W92000004", ""),
        ("NP22 4BB", BLAENAU_GWENT, "W92000004", ""),
        ("SY7 0AA", POWYS, "W92000004", ""),
        ("SY7 9ZZ", SHROPSHIRE, "E92000001", ""),
        ("TF1 1AA", "E06000020", "E92000001", ""),
        ("CF99 1SN", "W06000015", "W92000004", "202001"),  # terminated
        ("XX1 1XX", "W99999999", "W92000004", ""),  # a pseudo code: no authority
    ]
    nspl = pl.DataFrame(rows, schema=["pcds", "laua", "ctry", "doterm"], orient="row")
    table = districts_from_nspl(nspl, {CAERPHILLY: "Caerphilly"})
    assert table["complete"].all() and set(table["source"]) == {"ons-nspl"}
    pairs = set(zip(table["district"], table["authority_code"], strict=True))
    assert pairs == {
        ("CF83", CAERPHILLY),
        ("NP22", CAERPHILLY),
        ("NP22", BLAENAU_GWENT),
        ("SY7", POWYS),
        ("SY7", SHROPSHIRE),
        ("TF1", "E06000020"),
    }  # the terminated CF99 postcode and the pseudo code are left out
    assert table.filter(pl.col("authority_code") == CAERPHILLY)["authority_name"].to_list() == [
        "Caerphilly",
        "Caerphilly",
    ]
    path = tmp_path / "districts.csv"
    write_districts(table, path)
    again = read_geography(path)
    assert again.complete_districts == ["CF83", "NP22", "SY7", "TF1"]
    placed = supplier_places(SUPPLIERS, body_code=CAERPHILLY, region_codes=REGION, geography=again)
    got = dict(zip(placed["cluster_id"], placed["place"], strict=True))
    assert got["own"] == "authority" and got["straddles"] == "region"
    assert got["border"] == "unknown" and got["telford"] == "outside"


def test_the_demo_gives_each_authority_s_own_suppliers_postcodes() -> None:
    from infuse.demo.ledgers import AUTHORITY_DISTRICTS, TRADES_FROM_AFAR, local_suppliers

    codes = sorted(AUTHORITY_DISTRICTS)
    for code in codes:
        suppliers = local_suppliers(code, codes)
        assert len(suppliers) == 6
        postcodes = [postcode for _name, postcode in suppliers]
        assert postcodes[-1] == ""  # one without, as in real lists
        for postcode in postcodes[:-1]:
            district = postcode.split(" ")[0]
            assert district in AUTHORITY_DISTRICTS[code] or postcode in TRADES_FROM_AFAR.values()
    assert local_suppliers("W06000999", codes) == []
