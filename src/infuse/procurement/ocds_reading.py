"""Read Open Contracting Data Standard (OCDS) files and merge their releases. Pure: no Django.

What it accepts (the OCDS 1.1 packaging formats,
https://standard.open-contracting.org/1.1/en/schema/packaging/):

* a **release package** (``{"releases": [...], ...}``),
* a **record package** (``{"records": [...], ...}``; each record's ``releases`` and, when given,
  its ``compiledRelease``),
* a single **release** or **compiled release** (an object with ``ocid`` and ``id``; a compiled
  release has ``"tag": ["compiled"]``),
* **JSON lines** of any of these, one per line, or a JSON array of releases.

Bytes are read as UTF-8 (with or without a byte-order mark); when they are not valid UTF-8 they
are read as ISO-8859-1 (Latin-1, which reads any byte) and a note says so — older publishers,
such as the Mexico City file in OCDS Kit's tests, wrote Latin-1.

A file that is not OCDS at all (not JSON, or JSON without releases, records or an ``ocid``) is
refused with :class:`OcdsFileError`, whose ``problem`` says why in words a person can read.
Problems with single releases (a missing ``ocid`` or ``id``, a release ``id`` used twice for one
``ocid``, a field of the wrong type, a code not in its closed codelist) are reported as
:class:`OcdsIssue` without stopping the rest of the file; a release without an ``ocid`` cannot
be merged and is left out of the compiled releases.

Merging follows the OCDS merge routine
(https://standard.open-contracting.org/1.1/en/schema/merging/) through the ``ocdsmerge``
library, with the merge rules carried here in :data:`MERGE_RULES` rather than fetched from the
web (the library's default), so the product works offline.
"""

from __future__ import annotations

import codecs
import json
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import ocdsmerge
from ocdsmerge.exceptions import OCDSMergeError, OCDSMergeWarning

from .ledger_messages import Problem, gettext_noop

# The merge rules of the OCDS 1.1.5 release schema
# (https://standard.open-contracting.org/1.1/en/schema/release/ , release-schema.json): every
# field path marked ``omitWhenMerged`` (dropped from compiled releases) and every array merged as
# a whole (``wholeListMerge``: arrays of strings, and arrays of objects without an ``id`` such as
# ``additionalIdentifiers`` and amendment ``changes``). Derived with the rules of
# https://standard.open-contracting.org/1.1/en/schema/merging/#merge-routine ; a test checks the
# table against the schema. (The schema's four ``versionId`` fields only matter for versioned
# releases' identifiers, which ocdsmerge 0.8 versions with their parent object: no entry needed.)
MERGE_RULES: dict[tuple[str, ...], str] = {
    ("id",): "omitWhenMerged",
    ("date",): "omitWhenMerged",
    ("tag",): "omitWhenMerged",
    ("awards", "amendment", "changes"): "wholeListMerge",
    ("awards", "amendments", "changes"): "wholeListMerge",
    ("awards", "items", "additionalClassifications"): "wholeListMerge",
    ("awards", "suppliers", "additionalIdentifiers"): "wholeListMerge",
    ("buyer", "additionalIdentifiers"): "wholeListMerge",
    ("contracts", "amendment", "changes"): "wholeListMerge",
    ("contracts", "amendments", "changes"): "wholeListMerge",
    (
        "contracts",
        "implementation",
        "transactions",
        "payee",
        "additionalIdentifiers",
    ): "wholeListMerge",
    (
        "contracts",
        "implementation",
        "transactions",
        "payer",
        "additionalIdentifiers",
    ): "wholeListMerge",
    ("contracts", "items", "additionalClassifications"): "wholeListMerge",
    ("contracts", "relatedProcesses", "relationship"): "wholeListMerge",
    ("parties", "additionalIdentifiers"): "wholeListMerge",
    ("parties", "roles"): "wholeListMerge",
    ("relatedProcesses", "relationship"): "wholeListMerge",
    ("tender", "additionalProcurementCategories"): "wholeListMerge",
    ("tender", "amendment", "changes"): "wholeListMerge",
    ("tender", "amendments", "changes"): "wholeListMerge",
    ("tender", "items", "additionalClassifications"): "wholeListMerge",
    ("tender", "procuringEntity", "additionalIdentifiers"): "wholeListMerge",
    ("tender", "submissionMethod"): "wholeListMerge",
    ("tender", "tenderers", "additionalIdentifiers"): "wholeListMerge",
}

# OCDS 1.0 (https://standard.open-contracting.org/1.0/en/schema/release/) had no ``parties``
# and its Organization had no ``id``, so lists of organisations were merged whole. A package that
# does not declare ``"version": "1.1"`` is OCDS 1.0 (packaging rules of both versions), and its
# releases merge with these rules, as OCDS Kit does.
MERGE_RULES_1_0: dict[tuple[str, ...], str] = {
    **{path: rule for path, rule in MERGE_RULES.items() if path[0] != "parties"},
    ("tender", "tenderers"): "wholeListMerge",
    ("awards", "suppliers"): "wholeListMerge",
}

# The closed codelists this module checks, from the OCDS 1.1.5 codelists
# (https://standard.open-contracting.org/1.1/en/schema/codelists/ , schema/codelists/*.csv).
# Key: where the code sits in a release ("[]" marks an array); value: (codelist, its codes).
CODELISTS: dict[str, tuple[str, frozenset[str]]] = {
    "tag[]": (
        "releaseTag",
        frozenset(
            [
                "planning",
                "planningUpdate",
                "tender",
                "tenderAmendment",
                "tenderUpdate",
                "tenderCancellation",
                "award",
                "awardUpdate",
                "awardCancellation",
                "contract",
                "contractUpdate",
                "contractAmendment",
                "implementation",
                "implementationUpdate",
                "contractTermination",
                "compiled",
            ]
        ),
    ),
    "initiationType": ("initiationType", frozenset({"tender"})),
    "tender.status": (
        "tenderStatus",
        frozenset(
            {"planning", "planned", "active", "cancelled", "unsuccessful", "complete", "withdrawn"}
        ),
    ),
    "tender.procurementMethod": (
        "method",
        frozenset({"open", "selective", "limited", "direct"}),
    ),
    "tender.mainProcurementCategory": (
        "procurementCategory",
        frozenset({"goods", "works", "services"}),
    ),
    "awards[].status": (
        "awardStatus",
        frozenset({"pending", "active", "cancelled", "unsuccessful"}),
    ),
    "contracts[].status": (
        "contractStatus",
        frozenset({"pending", "active", "cancelled", "terminated"}),
    ),
}

# Fields whose JSON type the schema fixes (release-schema.json 1.1.5), checked per release.
_EXPECTED_TYPES: dict[str, tuple[type, ...]] = {
    "ocid": (str,),
    "id": (str,),
    "date": (str,),
    "tag": (list,),
    "parties": (list,),
    "buyer": (dict,),
    "planning": (dict,),
    "tender": (dict,),
    "awards": (list,),
    "contracts": (list,),
}
_JSON_TYPE_NAMES: dict[type, str] = {str: "string", list: "array", dict: "object"}

MESSAGE_TEMPLATES: dict[str, str] = {
    "empty": gettext_noop("The file is empty."),
    "not_json": gettext_noop(
        "The file is not OCDS data: it is not JSON or JSON lines (line %(line)s: %(detail)s)."
    ),
    "not_ocds": gettext_noop(
        "The file is JSON but not OCDS data: it has no releases, no records and no ocid."
    ),
    "no_releases": gettext_noop("The file is an OCDS package but holds no releases."),
    "latin1": gettext_noop("The file is not UTF-8; it was read as ISO-8859-1 (Latin-1)."),
    "missing_ocid": gettext_noop(
        "Release %(number)s has no ocid, so it cannot be merged and was left out."
    ),
    "missing_id": gettext_noop("Release %(number)s (%(ocid)s) has no release id."),
    "duplicate_id": gettext_noop(
        "The release id “%(id)s” is used %(count)s times for %(ocid)s; a release id must be "
        "unique within its contracting process."
    ),
    "wrong_type": gettext_noop(
        "Release %(number)s (%(ocid)s): %(field)s should be a JSON %(expected)s."
    ),
    "invalid_code": gettext_noop(
        "Release %(number)s (%(ocid)s): “%(code)s” in %(field)s is not a code of the OCDS "
        "%(codelist)s codelist."
    ),
    "merge_failed": gettext_noop(
        "The releases of %(ocid)s could not be merged: a field changes type between releases."
    ),
}


def _message(message_code: str, **params: str | int) -> Problem:
    return Problem(code=message_code, template=MESSAGE_TEMPLATES[message_code], params=params)


class OcdsFileError(Exception):
    """A file that cannot be read as OCDS at all; ``problem`` says why, for a person."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.text())
        self.problem = problem


RELEASE_PACKAGE = "release_package"
RECORD_PACKAGE = "record_package"
RELEASE = "release"
COMPILED_RELEASE = "compiled_release"
KINDS = (RELEASE_PACKAGE, RECORD_PACKAGE, RELEASE, COMPILED_RELEASE)


@dataclass
class OcdsFile:
    """What one file holds: its ``kind`` (the first item's, for JSON lines), whether it was JSON
    lines, its encoding, every release in file order, the compiled releases published in it (a
    record's ``compiledRelease`` or a bare compiled release), and problems found while reading."""

    kind: str
    json_lines: bool
    encoding: str
    version: str = "1.1"
    releases: list[dict[str, Any]] = field(default_factory=list)
    published_compiled: list[dict[str, Any]] = field(default_factory=list)
    issues: list[Problem] = field(default_factory=list)

    def ocids(self) -> list[str]:
        """Every ocid in the file, in first-seen order."""
        seen: dict[str, None] = {}
        for release in (*self.releases, *self.published_compiled):
            if isinstance(release.get("ocid"), str):
                seen.setdefault(release["ocid"], None)
        return list(seen)


def decode(data: bytes) -> tuple[str, str, list[Problem]]:
    """The text, the encoding it was read in (``utf-8`` or ``iso-8859-1``) and notes."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        return data.decode("iso-8859-1"), "iso-8859-1", [_message("latin1")]


def _parse(text: str) -> tuple[list[Any], bool]:
    """The JSON values in ``text`` and whether it was JSON lines."""
    try:
        return [json.loads(text)], False
    except json.JSONDecodeError as whole_error:
        values = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                values.append(json.loads(line))
            except json.JSONDecodeError as error:
                detail = whole_error if number == 1 else error
                raise OcdsFileError(
                    _message("not_json", line=number, detail=str(detail.msg))
                ) from error
        return values, True


def _kind(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("releases"), list):
        return RELEASE_PACKAGE
    if isinstance(value.get("records"), list):
        return RECORD_PACKAGE
    if "ocid" in value:
        tags = value.get("tag")
        return COMPILED_RELEASE if isinstance(tags, list) and "compiled" in tags else RELEASE
    return None


def read_ocds(data: bytes) -> OcdsFile:
    """Read an OCDS file's bytes; raises :class:`OcdsFileError` when it is not OCDS."""
    if not data.strip():
        raise OcdsFileError(_message("empty"))
    text, encoding, notes = decode(data)
    values, json_lines = _parse(text)
    if len(values) == 1 and isinstance(values[0], list):  # a JSON array of releases
        values, json_lines = values[0], True
    kinds = [_kind(value) for value in values]
    if not values or any(kind is None for kind in kinds):
        raise OcdsFileError(_message("not_ocds"))
    result = OcdsFile(kind=kinds[0] or RELEASE, json_lines=json_lines, encoding=encoding)
    result.issues.extend(notes)
    if kinds[0] in (RELEASE_PACKAGE, RECORD_PACKAGE):
        result.version = "1.1" if str(values[0].get("version", "1.0")).startswith("1.1") else "1.0"
    for value, kind in zip(values, kinds, strict=True):
        if kind == RELEASE_PACKAGE:
            result.releases.extend(r for r in value["releases"] if isinstance(r, dict))
        elif kind == RECORD_PACKAGE:
            for record in value["records"]:
                if not isinstance(record, dict):
                    continue
                releases = record.get("releases")
                if isinstance(releases, list):  # linked releases (url only) are not data
                    result.releases.extend(
                        r for r in releases if isinstance(r, dict) and "url" not in r
                    )
                if isinstance(record.get("compiledRelease"), dict):
                    result.published_compiled.append(record["compiledRelease"])
        elif kind == COMPILED_RELEASE:
            result.published_compiled.append(value)
        else:
            result.releases.append(value)
    if not result.releases and not result.published_compiled:
        raise OcdsFileError(_message("no_releases"))
    result.issues.extend(check_releases(result.releases))
    result.issues.extend(check_releases(result.published_compiled, check_duplicates=False))
    return result


def _values_at(release: dict[str, Any], path: str) -> Iterator[Any]:
    """The values at a dotted ``path`` where ``[]`` marks an array (``awards[].status``)."""
    current: list[Any] = [release]
    for part in path.split("."):
        is_array = part.endswith("[]")
        key = part.removesuffix("[]")
        following: list[Any] = []
        for item in current:
            if isinstance(item, dict) and item.get(key) is not None:
                value = item[key]
                if is_array:
                    following.extend(value if isinstance(value, list) else [])
                else:
                    following.append(value)
        current = following
    yield from current


def check_releases(
    releases: Iterable[dict[str, Any]], *, check_duplicates: bool = True
) -> list[Problem]:
    """Per-release problems: missing ocid or id, wrong types, invalid codes, duplicate ids."""
    issues: list[Problem] = []
    ids: dict[str, Counter[str]] = defaultdict(Counter)
    for number, release in enumerate(releases, start=1):
        ocid = release.get("ocid")
        if not isinstance(ocid, str) or not ocid:
            issues.append(_message("missing_ocid", number=number))
            continue
        if release.get("id") in (None, ""):
            issues.append(_message("missing_id", number=number, ocid=ocid))
        elif check_duplicates:
            ids[ocid][str(release["id"])] += 1
        for name, types in _EXPECTED_TYPES.items():
            value = release.get(name)
            if value is not None and not isinstance(value, types):
                expected = _JSON_TYPE_NAMES[types[0]]
                issues.append(
                    _message("wrong_type", number=number, ocid=ocid, field=name, expected=expected)
                )
        for path, (codelist, codes) in CODELISTS.items():
            for code in _values_at(release, path):
                if isinstance(code, str) and code not in codes:
                    issues.append(
                        _message(
                            "invalid_code",
                            number=number,
                            ocid=ocid,
                            code=code,
                            field=path.replace("[]", ""),
                            codelist=codelist,
                        )
                    )
    for ocid, counts in ids.items():
        for release_id, count in counts.items():
            if count > 1:
                issues.append(_message("duplicate_id", id=release_id, count=count, ocid=ocid))
    return issues


def _merger(version: str) -> ocdsmerge.Merger:
    return ocdsmerge.Merger(merge_rules=MERGE_RULES_1_0 if version == "1.0" else MERGE_RULES)


def group_by_ocid(releases: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Releases with an ocid, grouped by it in first-seen order (releases without one dropped)."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for release in releases:
        ocid = release.get("ocid")
        if isinstance(ocid, str) and ocid:
            groups.setdefault(ocid, []).append(release)
    return groups


def _merge(kind: str, releases: list[dict[str, Any]], version: str) -> dict[str, Any]:
    merger = _merger(version)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OCDSMergeWarning)
        if kind == "versioned":
            return merger.create_versioned_release(releases)
        return merger.create_compiled_release(releases)


def compile_releases(ocds: OcdsFile) -> tuple[list[dict[str, Any]], list[Problem]]:
    """One compiled release per ocid, in first-seen order, and problems met while merging.

    Releases are merged in date order (ocdsmerge sorts them); an ocid that only has a published
    compiled release (a compiled-release file, or a record without releases) keeps that one.
    """
    compiled: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []
    for ocid, releases in group_by_ocid(ocds.releases).items():
        try:
            compiled[ocid] = _merge("compiled", releases, ocds.version)
        except (OCDSMergeError, TypeError, ValueError):
            problems.append(_message("merge_failed", ocid=ocid))
    for release in ocds.published_compiled:
        published_ocid = release.get("ocid")
        if isinstance(published_ocid, str) and published_ocid and published_ocid not in compiled:
            compiled[published_ocid] = release
    return list(compiled.values()), problems


def versioned_releases(ocds: OcdsFile) -> list[dict[str, Any]]:
    """One versioned release per ocid (each field's history, with the release that set it)."""
    return [
        _merge("versioned", releases, ocds.version)
        for releases in group_by_ocid(ocds.releases).values()
    ]


# --- what the contract pages need from a compiled release --------------------------------------


@dataclass(frozen=True)
class ContractSummary:
    """The fields of one compiled release that the contract pages show."""

    ocid: str
    buyer: str
    title: str
    description: str
    cpv: str
    value: float | None
    currency: str
    suppliers: tuple[str, ...]
    tender_start: str
    tender_end: str
    contract_start: str
    contract_end: str
    status: str


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first(*values: Any) -> Any:
    for value in values:
        if value not in (None, "", {}, []):
            return value
    return None


def _cpv(tender: dict[str, Any]) -> str:
    for classification in (
        _dict(tender.get("classification")),
        *(_dict(item.get("classification")) for item in _list(tender.get("items"))),
    ):
        scheme = _text(classification.get("scheme")).upper()
        code = _text(str(classification.get("id") or ""))
        if code and scheme in ("", "CPV"):
            return code
    return ""


def summarise(compiled: dict[str, Any]) -> ContractSummary:
    """Buyer, title, CPV, value, suppliers and dates of a compiled release.

    The value is the first contract's, else the first award's, else the tender's estimate; the
    contract dates are the first contract's period, else the award's or the tender's
    ``contractPeriod`` (Contracts Finder and Sell2Wales publish these); suppliers are every
    award's suppliers, by name, in order, without repeats.
    """
    tender = _dict(compiled.get("tender"))
    awards = _list(compiled.get("awards"))
    contracts = _list(compiled.get("contracts"))
    buyer = _text(_dict(compiled.get("buyer")).get("name"))
    if not buyer:
        for party in _list(compiled.get("parties")):
            if "buyer" in (party.get("roles") or []):
                buyer = _text(party.get("name"))
                break
    first_contract = contracts[0] if contracts else {}
    first_award = awards[0] if awards else {}
    value = _dict(
        _first(
            _dict(first_contract.get("value")),
            _dict(first_award.get("value")),
            _dict(tender.get("value")),
        )
    )
    period = _dict(
        _first(
            _dict(first_contract.get("period")),
            _dict(first_award.get("contractPeriod")),
            _dict(tender.get("contractPeriod")),
            *(_dict(lot.get("contractPeriod")) for lot in _list(tender.get("lots"))),
        )
    )
    tender_period = _dict(tender.get("tenderPeriod"))
    suppliers: dict[str, None] = {}
    for award in awards:
        for supplier in _list(award.get("suppliers")):
            if name := _text(supplier.get("name")):
                suppliers.setdefault(name, None)
    amount = value.get("amount")
    return ContractSummary(
        ocid=str(compiled.get("ocid") or ""),
        buyer=buyer,
        title=_text(
            _first(tender.get("title"), first_contract.get("title"), first_award.get("title"))
        ),
        description=_text(_first(tender.get("description"), first_contract.get("description"))),
        cpv=_cpv(tender),
        value=float(amount) if isinstance(amount, int | float) and amount >= 0 else None,
        currency=_text(value.get("currency")) or "GBP",
        suppliers=tuple(suppliers),
        tender_start=_text(tender_period.get("startDate"))[:10],
        tender_end=_text(tender_period.get("endDate"))[:10],
        contract_start=_text(period.get("startDate"))[:10],
        contract_end=_text(period.get("endDate"))[:10],
        status=_text(_first(first_contract.get("status"), tender.get("status"))),
    )
