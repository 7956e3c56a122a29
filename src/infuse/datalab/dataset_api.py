"""The dataset catalogue and profiling through the API (``/api/datalab/...``).

Same permission policy as the pages: a caller sees the catalogue entries they may view. The DCAT
JSON-LD is the same as the pages' download.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile

from infuse.api_schemas import AUTH_ERRORS, NOT_FOUND, POST_ERRORS, ErrorOut

from . import catalogue

router = Router(tags=["datalab"])


class DatasetOut(Schema):
    id: int
    title: str
    description: str
    publisher: str
    body: str
    licence: str
    access_rights: str
    frequency: str
    dcat_theme: str
    data_type: str
    data_kind: str
    spatial: str
    temporal_start: datetime.date | None
    temporal_end: datetime.date | None
    keywords: list[str]
    profiled: bool


class DatasetDetailOut(DatasetOut):
    contact_name: str
    contact_email: str
    landing_page: str
    profile: dict[str, Any] | None


def _out(dataset: Any, detail: bool = False) -> dict[str, Any]:
    out = {
        "id": dataset.pk,
        "title": dataset.title,
        "description": dataset.description,
        "publisher": dataset.publisher,
        "body": dataset.owner_body.name,
        "licence": dataset.licence,
        "access_rights": dataset.access_rights,
        "frequency": dataset.frequency,
        "dcat_theme": dataset.dcat_theme,
        "data_type": dataset.data_type,
        "data_kind": dataset.data_kind,
        "spatial": dataset.spatial,
        "temporal_start": dataset.temporal_start,
        "temporal_end": dataset.temporal_end,
        "keywords": dataset.keyword_list(),
        "profiled": dataset.profile is not None,
    }
    if detail:
        out.update(
            contact_name=dataset.contact_name,
            contact_email=dataset.contact_email,
            landing_page=dataset.landing_page,
            profile=dataset.profile,
        )
    return out


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get("/datasets", response={200: list[DatasetOut], **AUTH_ERRORS}, summary="The catalogue")
def dataset_list(request: HttpRequest) -> list[dict[str, Any]]:
    """Every catalogue entry the caller may see."""
    return [_out(dataset) for dataset in catalogue.datasets_visible_to(request.user)]


# The DCAT answers are JSON-LD, served as such; the description says so.
JSON_LD = {
    "responses": {
        200: {"content": {"application/ld+json": {"schema": {"type": "object"}}}},
    }
}


@router.get(
    "/datasets.jsonld",
    response={200: dict[str, Any], **AUTH_ERRORS},
    summary="Catalogue as DCAT",
    openapi_extra=JSON_LD,
)
def catalogue_jsonld(request: HttpRequest) -> HttpResponse:
    """The visible catalogue as a ``dcat:Catalog`` in JSON-LD."""
    return JsonResponse(
        catalogue.catalogue_dcat(request.user, _base(request)), content_type="application/ld+json"
    )


@router.get(
    "/datasets/{dataset_id}",
    response={200: DatasetDetailOut, **AUTH_ERRORS, **NOT_FOUND},
    summary="One catalogue entry, with its latest profile",
)
def dataset_detail(request: HttpRequest, dataset_id: int) -> dict[str, Any]:
    dataset = catalogue.dataset_for(request.user, dataset_id)
    if dataset is None:
        raise HttpError(404, "Not found")
    return _out(dataset, detail=True)


@router.get(
    "/datasets/{dataset_id}/dcat",
    response={200: dict[str, Any], **AUTH_ERRORS, **NOT_FOUND},
    summary="One catalogue entry as DCAT JSON-LD",
    openapi_extra=JSON_LD,
)
def dataset_jsonld(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = catalogue.dataset_for(request.user, dataset_id)
    if dataset is None:
        raise HttpError(404, "Not found")
    return JsonResponse(
        catalogue.dataset_dcat(dataset, _base(request), request.user),
        content_type="application/ld+json",
    )


@router.post(
    "/profile",
    response={200: dict[str, Any], 400: ErrorOut, **AUTH_ERRORS, **POST_ERRORS},
    summary="Profile a CSV or XLSX file",
)
def profile(request: HttpRequest, file: File[UploadedFile]) -> dict[str, Any]:
    """Column types, missing and distinct values, ranges, outliers, duplicate rows, suspected
    personal data (counts and masked examples only) and the six-dimension scorecard. Nothing is
    kept."""
    try:
        return catalogue.profile_upload(file.read(), file.name or "upload.csv")
    except catalogue.ProfileUploadError as error:
        raise HttpError(400, str(error)) from error
