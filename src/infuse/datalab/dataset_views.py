"""Dataset catalogue pages: list with filters, detail, create and change, profiling, DCAT."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from infuse.accounts.models import Visibility
from infuse.accounts.policy import Action, can, may_author_for_own_body, page_rule, signed_in_user
from infuse.errors import UserFacingError
from infuse.web.charts import bar_chart, render_svg

from . import catalogue, services
from .dataset_forms import CatalogueFilterForm, DatasetForm, ProfileForm
from .models import Dataset
from .selectors import questions_visible_to


def _dataset_or_404(request: HttpRequest, dataset_id: int, action: Action = Action.VIEW) -> Dataset:
    dataset = catalogue.dataset_for(request.user, dataset_id)
    if dataset is None or not can(request.user, action, dataset):
        raise Http404
    return dataset


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@page_rule("datalab.lab")
def dataset_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    return render(
        request,
        "datalab/dataset_list.html",
        {
            "datasets": catalogue.datasets_visible_to(request.user, filters),
            "filter_form": form,
            "may_write": may_author_for_own_body(request.user),
        },
    )


def _scorecard_rows(profile: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for entry in profile.get("scorecard", []):
        name, definition, measure = catalogue.DIMENSION_TEXT[entry["dimension"]]
        score = entry["score"]
        rows.append(
            {
                "key": entry["dimension"],
                "name": name,
                "definition": definition,
                "measure": measure,
                "score": score,
                "percent": None if score is None else round(score * 100),
            }
        )
    return rows


def _column_rows(profile: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for column in profile.get("column_profiles", []):
        personal = column.get("personal")
        rows.append(
            {
                **column,
                "type_label": catalogue.TYPE_TEXT.get(column["type"], column["type"]),
                "missing_percent": round(100 * column["missing_share"], 1),
                "personal_label": catalogue.PERSONAL_TEXT[personal["kind"]] if personal else "",
            }
        )
    return rows


def profile_context(profile: dict[str, Any]) -> dict[str, Any]:
    personal = [
        {**entry, "label": catalogue.PERSONAL_TEXT[entry["kind"]]}
        for entry in profile.get("personal_data", [])
    ]
    return {
        "profile": profile,
        "scorecard": _scorecard_rows(profile),
        "columns": _column_rows(profile),
        "personal": personal,
    }


@page_rule("datalab.lab")
def dataset_detail(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset_or_404(request, dataset_id)
    visible_questions = questions_visible_to(request.user).filter(
        pk__in=dataset.questions.values_list("pk", flat=True)
    )
    context: dict[str, Any] = {
        "dataset": dataset,
        "questions": visible_questions,
        "may_change": can(request.user, Action.CHANGE, dataset),
        "shared": dataset.visibility != Visibility.PRIVATE,
    }
    if dataset.profile:
        context.update(profile_context(dataset.profile))
    return render(request, "datalab/dataset_detail.html", context)


@page_rule("datalab.lab")
def dataset_edit(request: HttpRequest, dataset_id: int | None = None) -> HttpResponse:
    dataset = None
    if dataset_id is not None:
        dataset = _dataset_or_404(request, dataset_id, Action.CHANGE)
    elif not may_author_for_own_body(request.user):
        raise Http404
    form = DatasetForm(
        request.POST or None, instance=dataset, questions=questions_visible_to(request.user)
    )
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            saved = services.dataset_save(
                actor=user,
                body=dataset.owner_body if dataset else user.body,
                values=form.values(),
                themes=list(form.cleaned_data["themes"]),
                questions=list(form.cleaned_data["questions"]),
                dataset=Dataset.objects.get(pk=dataset.pk) if dataset else None,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Dataset saved."))
            return redirect("datalab:dataset", dataset_id=saved.pk)
    return render(request, "datalab/dataset_form.html", {"form": form, "dataset": dataset})


@page_rule("datalab.lab")
def dataset_profile(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset_or_404(request, dataset_id, Action.CHANGE)
    form = ProfileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            profile = catalogue.profile_upload(upload.read(), upload.name)
            services.dataset_profile_keep(
                actor=signed_in_user(request),
                dataset=dataset,
                profile=profile,
                file_name=upload.name,
            )
        except UserFacingError as error:
            form.add_error("file", str(error))
        else:
            if profile["personal_data"]:
                messages.warning(
                    request,
                    _(
                        "This file seems to hold personal data. Check it before you share "
                        "the file or this catalogue entry."
                    ),
                )
            else:
                messages.success(request, _("File profiled."))
            return redirect("datalab:dataset", dataset_id=dataset.pk)
    return render(request, "datalab/dataset_profile.html", {"form": form, "dataset": dataset})


@page_rule("datalab.lab")
def dataset_scorecard_svg(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset_or_404(request, dataset_id)
    if not dataset.profile:
        raise Http404
    rows = [
        {"dimension": str(row["name"]), "score": row["percent"] or 0}
        for row in _scorecard_rows(dataset.profile)
    ]
    spec = bar_chart(
        rows,
        category="dimension",
        value="score",
        title=_("Data-quality scorecard"),
        category_title=_("Dimension"),
        value_title=_("Score (out of 100)"),
    )
    response = HttpResponse(render_svg(spec), content_type="image/svg+xml")
    response["Cache-Control"] = "private, max-age=60"
    return response


@page_rule("datalab.lab")
def dataset_jsonld(request: HttpRequest, dataset_id: int) -> HttpResponse:
    dataset = _dataset_or_404(request, dataset_id)
    return JsonResponse(
        catalogue.dataset_dcat(dataset, _base(request), request.user),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@page_rule("datalab.lab")
def catalogue_jsonld(request: HttpRequest) -> HttpResponse:
    return JsonResponse(
        catalogue.catalogue_dcat(request.user, _base(request)),
        content_type="application/ld+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )
