"""Catalogue entries as DCAT JSON-LD. Pure: takes plain dicts, returns plain dicts.

Vocabulary: W3C *Data Catalog Vocabulary (DCAT) – Version 3*, W3C Recommendation, 22 August 2024
(https://www.w3.org/TR/vocab-dcat-3/), whose dataset terms are those of DCAT 2 (2020) plus a few;
the properties used here are in both. Contact points are vCard (``vcard:Kind``,
https://www.w3.org/TR/vcard-rdf/), publishers ``foaf:Agent``, coverage in time
``dct:PeriodOfTime`` with ``dcat:startDate``/``dcat:endDate``. Access rights, frequencies and
data themes are the EU Publications Office authority tables that DCAT-AP recommends
(http://publications.europa.eu/resource/authority/...). Licences are their SPDX identifiers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "infuse": "https://infuse.example/ns#",
}
EU = "http://publications.europa.eu/resource/authority/"
LICENCE_URLS = {
    "OGL-UK-3.0": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}


def dataset_jsonld(entry: Mapping[str, Any], *, with_context: bool = True) -> dict[str, Any]:
    """One ``dcat:Dataset``. ``entry`` holds the catalogue fields plus ``uri``, ``themes``
    (Infuse theme names) and ``questions`` (URIs of linked data questions)."""
    node: dict[str, Any] = {
        "@id": entry["uri"],
        "@type": "dcat:Dataset",
        "dct:identifier": str(entry["id"]),
        "dct:title": entry["title"],
        "dct:description": entry["description"],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": entry["publisher"]},
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:fn": entry["contact_name"],
            "vcard:hasEmail": {"@id": "mailto:" + entry["contact_email"]},
        },
        "dct:accessRights": {"@id": EU + "access-right/" + entry["access_rights"]},
        "dct:accrualPeriodicity": {"@id": EU + "frequency/" + entry["frequency"]},
        "dcat:keyword": list(entry.get("keywords") or []),
        "dcat:theme": [{"@id": EU + "data-theme/" + entry["dcat_theme"]}],
        "infuse:theme": list(entry.get("themes") or []),
        "infuse:dataType": entry["data_type"],
        "infuse:dataKind": entry["data_kind"],
    }
    licence = LICENCE_URLS.get(entry["licence"])
    if licence:
        node["dct:license"] = {"@id": licence}
    else:
        node["dct:rights"] = entry["licence"]
    if entry.get("spatial"):
        node["dct:spatial"] = {"@type": "dct:Location", "dct:title": entry["spatial"]}
    start, end = entry.get("temporal_start"), entry.get("temporal_end")
    if start or end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if start:
            period["dcat:startDate"] = {"@value": str(start), "@type": "xsd:date"}
        if end:
            period["dcat:endDate"] = {"@value": str(end), "@type": "xsd:date"}
        node["dct:temporal"] = period
    if entry.get("landing_page"):
        node["dcat:landingPage"] = {"@id": entry["landing_page"]}
    if entry.get("modified"):
        node["dct:modified"] = {"@value": str(entry["modified"]), "@type": "xsd:dateTime"}
    if entry.get("questions"):
        node["dct:isReferencedBy"] = [{"@id": uri} for uri in entry["questions"]]
    if with_context:
        return {"@context": CONTEXT, **node}
    return node


def catalogue_jsonld(
    entries: Iterable[Mapping[str, Any]], *, uri: str, title: str
) -> dict[str, Any]:
    """A ``dcat:Catalog`` holding every entry as a ``dcat:dataset``."""
    return {
        "@context": CONTEXT,
        "@id": uri,
        "@type": "dcat:Catalog",
        "dct:title": title,
        "dcat:dataset": [dataset_jsonld(entry, with_context=False) for entry in entries],
    }
