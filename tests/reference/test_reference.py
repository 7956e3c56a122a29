from __future__ import annotations

from typing import Any

import pytest

from infuse.audit.models import AuditEntry
from infuse.reference.loading import ReferenceFileError, read_bodies_csv
from infuse.reference.models import Body, Lab, Theme, WayOfWorking, WellbeingGoal
from infuse.reference.services import bodies_load, reference_load

# The fixed facts of the programme brief (../shared/PRODUCT.md).
TEN_AUTHORITIES = {
    "W06000019": ("Blaenau Gwent", "Blaenau Gwent"),
    "W06000013": ("Bridgend", "Pen-y-bont ar Ogwr"),
    "W06000018": ("Caerphilly", "Caerffili"),
    "W06000015": ("Cardiff", "Caerdydd"),
    "W06000024": ("Merthyr Tydfil", "Merthyr Tudful"),
    "W06000021": ("Monmouthshire", "Sir Fynwy"),
    "W06000022": ("Newport", "Casnewydd"),
    "W06000016": ("Rhondda Cynon Taf", "Rhondda Cynon Taf"),
    "W06000020": ("Torfaen", "Tor-faen"),
    "W06000014": ("Vale of Glamorgan", "Bro Morgannwg"),
}


def test_reference_data_holds_the_programme_facts(reference: Any) -> None:
    found = {b.code: (b.name_en, b.name_cy) for b in Body.objects.filter(programme_member=True)}
    assert found == TEN_AUTHORITIES
    assert Body.objects.get(lead=True).name_en == "Monmouthshire"
    assert [t.name_cy for t in Theme.objects.all()] == [
        "Cyflymu Datgarboneiddio",
        "Cymunedau Cefnogol",
    ]
    assert [lab.name_en for lab in Lab.objects.all()] == [
        "Adaption Lab",
        "Data Lab",
        "Procurement Lab",
    ]
    assert all(lab.weeks == 6 for lab in Lab.objects.all())
    assert WellbeingGoal.objects.count() == 7
    assert (
        WellbeingGoal.objects.get(number=6).name_cy
        == "Cymru â diwylliant bywiog lle mae'r Gymraeg yn ffynnu"
    )
    assert [w.name_cy for w in WayOfWorking.objects.all()] == [
        "Hirdymor",
        "Atal",
        "Integreiddio",
        "Cydweithio",
        "Cynnwys",
    ]
    assert all(b.source for b in Body.objects.all())


def test_loading_twice_changes_nothing(reference: Any) -> None:
    entries_before = AuditEntry.objects.count()
    second = reference_load(actor=None)
    assert all(c["created"] == 0 and c["updated"] == 0 for c in second.values())
    assert AuditEntry.objects.count() == entries_before


def test_loading_repairs_an_edited_fact(reference: Any) -> None:
    Body.objects.filter(code="W06000020").update(name_cy="Torfaen")
    result = reference_load(actor=None)
    assert result["bodies"]["updated"] == 1
    assert Body.objects.get(code="W06000020").name_cy == "Tor-faen"


def test_other_public_bodies_are_added_as_data(reference: Any) -> None:
    csv = (
        b"code,name_en,name_cy,kind,region,nation\n"
        b"7A4,Cardiff and Vale University Health Board,"
        b"Bwrdd Iechyd Prifysgol Caerdydd a'r Fro,health_board,CCR,Wales\n"
        b"E08000025,Birmingham,,local_authority,,England\n"
    )
    counts = bodies_load(actor=None, bodies=read_bodies_csv(csv))
    assert counts == {"created": 2, "updated": 0, "unchanged": 0}
    board = Body.objects.get(code="7A4")
    assert board.region is not None and board.region.code == "CCR"
    assert str(Body.objects.get(code="E08000025").name) == "Birmingham"
    assert bodies_load(actor=None, bodies=read_bodies_csv(csv)) == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
    }


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"name_en,code\n,W1\n", "Line 2"),
        (b"code\nW1\n", "name_en"),
        (b"code,name_en\nX,One\nX,Two\n", "appears twice"),
        (b"code,name_en,kind\nX,One,castle\n", "unknown kind"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_bad_bodies_files_are_refused_with_the_reason(
    reference: Any, content: bytes, expected: str
) -> None:
    with pytest.raises(ReferenceFileError, match=expected):
        read_bodies_csv(content)


def test_a_body_in_an_unknown_region_changes_nothing(reference: Any) -> None:
    rows = read_bodies_csv(b"code,name_en,region\nA1,First,CCR\nB2,Second,NOWHERE\n")
    with pytest.raises(ReferenceFileError, match="NOWHERE"):
        bodies_load(actor=None, bodies=rows)
    assert not Body.objects.filter(code__in=["A1", "B2"]).exists()


def test_names_follow_the_active_language(reference: Any) -> None:
    from django.utils import translation

    body = Body.objects.get(code="W06000022")
    with translation.override("cy"):
        assert body.name == "Casnewydd"
    with translation.override("en"):
        assert body.name == "Newport"
    body.name_cy = ""
    with translation.override("cy"):
        assert body.name == "Newport"
