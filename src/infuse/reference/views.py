from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_noop, ngettext
from django.views.decorators.http import require_POST

from infuse.accounts.policy import may_open, page_rule
from infuse.jobs.services import job_start

from . import selectors
from .forms import BodiesFileForm, PostcodeLookupForm
from .loading import ReferenceFileError, read_bodies_csv
from .models import Body
from .services import bodies_load, postcode_districts_load
from .tasks import reference_reload


@page_rule("public")
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reference/index.html",
        {
            "regions": selectors.regions(),
            "bodies": selectors.bodies(),
            "themes": selectors.themes(),
            "labs": selectors.labs(),
            "goals": selectors.wellbeing_goals(),
            "ways": selectors.ways_of_working(),
            "may_manage": may_open(request.user, "reference.manage"),
        },
    )


@page_rule("public")
def body_detail(request: HttpRequest, code: str) -> HttpResponse:
    body = get_object_or_404(Body.objects.select_related("region"), code=code)
    return render(request, "reference/body_detail.html", {"body": body})


@require_POST
@page_rule("reference.manage")
def reload(request: HttpRequest) -> HttpResponse:
    job = job_start(
        actor=request.user,
        kind="reference.reload",
        # Stored untranslated and translated when shown, so each reader sees their language.
        label=gettext_noop("Reload reference data"),
        task=reference_reload,
    )
    return redirect("jobs:detail", job_id=job.pk)


@page_rule("reference.manage")
def bodies_upload(request: HttpRequest) -> HttpResponse:
    form = BodiesFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            bodies = read_bodies_csv(form.cleaned_data["file"].read())
            counts = bodies_load(actor=request.user, bodies=bodies)
        except ReferenceFileError as error:
            form.add_error("file", str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "%(created)d body added and %(updated)d updated.",
                    "%(created)d bodies added and %(updated)d updated.",
                    counts["created"],
                )
                % {"created": counts["created"], "updated": counts["updated"]},
            )
            return redirect("reference:index")
    return render(request, "reference/bodies_upload.html", {"form": form})


@page_rule("reference.manage")
def postcode_districts(request: HttpRequest) -> HttpResponse:
    form = PostcodeLookupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.cleaned_data["lookup_files"]
        try:
            table = postcode_districts_load(
                actor=request.user, sources=[(upload.name, upload.read()) for upload in uploads]
            )
        except ReferenceFileError as error:
            form.add_error("lookup_files", str(error))
        else:
            if selectors.postcode_districts_file()[1] == "loaded":
                done = ngettext(
                    "%(districts)d postcode district loaded: the local share now uses it.",
                    "%(districts)d postcode districts loaded: the local share now uses them.",
                    table.districts,
                )
            else:
                done = ngettext(
                    "%(districts)d postcode district loaded, but not used while the "
                    "INFUSE_POSTCODE_DISTRICTS setting names another table.",
                    "%(districts)d postcode districts loaded, but not used while the "
                    "INFUSE_POSTCODE_DISTRICTS setting names another table.",
                    table.districts,
                )
            messages.success(request, done % {"districts": table.districts})
            return redirect("reference:postcode-districts")
    _path, origin = selectors.postcode_districts_file()
    geography = selectors.postcode_geography()
    return render(
        request,
        "reference/postcode_districts.html",
        {
            "form": form,
            "origin": origin,
            "table": selectors.postcode_districts_table(),
            "complete_districts": len(geography.complete_districts),
            "programme_bodies": selectors.programme_bodies(),
            "placed_codes": geography.authorities_with_whole_districts,
        },
    )
