"""Data Lab pages: data questions with a facilitator's review, and their ethics canvas."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infuse.accounts.policy import (
    Action,
    can,
    can_review,
    may_author_for_own_body,
    page_rule,
    signed_in_user,
)
from infuse.errors import UserFacingError

from . import selectors, services
from .forms import (
    CommentForm,
    DefAssessmentForm,
    DpiaForm,
    EthicsActionForm,
    EthicsAreaForm,
    QuestionForm,
)
from .models import DPIA_QUESTIONS, ETHICS_AREAS, ODI_CREDIT, DataQuestion, EthicsArea


def _question_or_404(
    request: HttpRequest, question_id: int, action: Action = Action.VIEW
) -> DataQuestion:
    question = selectors.question_for(request.user, question_id)
    if question is None or not can(request.user, action, question):
        raise Http404
    return question


@page_rule("datalab.lab")
def question_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "datalab/home.html",
        {
            "questions": selectors.questions_visible_to(request.user),
            "may_write": may_author_for_own_body(request.user),
        },
    )


@page_rule("datalab.lab")
def question_edit(request: HttpRequest, question_id: int | None = None) -> HttpResponse:
    question = None
    if question_id is not None:
        question = _question_or_404(request, question_id, Action.CHANGE)
    elif not may_author_for_own_body(request.user):
        raise Http404
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        user = signed_in_user(request)
        try:
            saved = services.question_save(
                actor=user,
                body=question.owner_body if question else user.body,
                values=form.values(),
                themes=list(form.cleaned_data["themes"]),
                goals=list(form.cleaned_data["goals"]),
                # A fresh copy: the form has already written its values onto ``question``.
                question=DataQuestion.objects.get(pk=question.pk) if question else None,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Data question saved."))
            return redirect("datalab:question", question_id=saved.pk)
    return render(request, "datalab/question_form.html", {"form": form, "question": question})


@page_rule("datalab.lab")
def question_detail(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    complete, total = selectors.ethics_progress(question)
    return render(
        request,
        "datalab/question_detail.html",
        {
            "question": question,
            "comments": question.comments.select_related("author"),
            "may_change": can(request.user, Action.CHANGE, question),
            "may_review": can_review(request.user, question),
            "comment_form": CommentForm(),
            "dpia": question.dpia_screenings.first(),
            "ethics_complete": complete,
            "ethics_total": total,
        },
    )


def _review_target(request: HttpRequest, question_id: int) -> DataQuestion:
    question = _question_or_404(request, question_id)
    if not can_review(request.user, question):
        raise PermissionDenied
    return question


@require_POST
@page_rule("datalab.lab")
def question_comment(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _review_target(request, question_id)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            services.question_comment(
                actor=signed_in_user(request), question=question, text=form.cleaned_data["text"]
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Comment added."))
            return redirect("datalab:question", question_id=question.pk)
    complete, total = selectors.ethics_progress(question)
    return render(
        request,
        "datalab/question_detail.html",
        {
            "question": question,
            "comments": question.comments.select_related("author"),
            "may_change": can(request.user, Action.CHANGE, question),
            "may_review": True,
            "comment_form": form,
            "dpia": question.dpia_screenings.first(),
            "ethics_complete": complete,
            "ethics_total": total,
        },
    )


@require_POST
@page_rule("datalab.lab")
def question_ready(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _review_target(request, question_id)
    try:
        services.question_mark_ready(actor=signed_in_user(request), question=question)
    except UserFacingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Marked ready."))
    return redirect("datalab:question", question_id=question.pk)


@page_rule("datalab.lab")
def question_pdf(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    from weasyprint import HTML

    html = render_to_string(
        "datalab/question_report.html",
        {
            "question": question,
            "comments": question.comments.select_related("author"),
            "canvas": selectors.ethics_canvas_of(question),
            "odi_credit": ODI_CREDIT,
        },
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="data-question-{question.pk}.pdf"'
    return response


@page_rule("datalab.lab")
def ethics_canvas(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    complete, total = selectors.ethics_progress(question)
    return render(
        request,
        "datalab/ethics_canvas.html",
        {
            "question": question,
            "canvas": selectors.ethics_canvas_of(question),
            "may_change": can(request.user, Action.CHANGE, question),
            "odi_credit": ODI_CREDIT,
            "ethics_complete": complete,
            "ethics_total": total,
        },
    )


@page_rule("datalab.lab")
def ethics_area(request: HttpRequest, question_id: int, area: str) -> HttpResponse:
    question = _question_or_404(request, question_id, Action.CHANGE)
    found = [entry for entry in ETHICS_AREAS if entry[0] == area]
    if not found:
        raise Http404
    _key, _group, name, prompt = found[0]
    existing = EthicsArea.objects.filter(question=question, area=area).first()
    initial = {"answer": existing.answer, "status": existing.status} if existing else None
    posted = request.POST if request.method == "POST" else None
    adding_action = posted is not None and "add_action" in posted
    area_form = EthicsAreaForm(None if adding_action else posted, initial=initial)
    action_form = EthicsActionForm(posted if adding_action else None)
    if posted is not None:
        form = action_form if adding_action else area_form
        if form.is_valid():
            try:
                if adding_action:
                    services.ethics_action_add(
                        actor=signed_in_user(request),
                        question=question,
                        area=area,
                        text=form.cleaned_data["text"],
                        owner=form.cleaned_data["owner"],
                        priority=form.cleaned_data["priority"],
                    )
                else:
                    services.ethics_area_save(
                        actor=signed_in_user(request),
                        question=question,
                        area=area,
                        answer=form.cleaned_data["answer"],
                        status=form.cleaned_data["status"],
                    )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                if adding_action:
                    messages.success(request, _("Action added."))
                    return redirect("datalab:ethics-area", question_id=question.pk, area=area)
                messages.success(request, _("Answer saved."))
                return redirect("datalab:ethics", question_id=question.pk)
    return render(
        request,
        "datalab/ethics_area.html",
        {
            "question": question,
            "area": area,
            "name": name,
            "prompt": prompt,
            "area_form": area_form,
            "action_form": action_form,
            "actions": question.ethics_actions.filter(area=area),
            "has_errors": bool(area_form.errors or action_form.errors),
            "odi_credit": ODI_CREDIT,
        },
    )


@page_rule("datalab.lab")
def dpia_screening(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    may_change = can(request.user, Action.CHANGE, question)
    screenings = list(question.dpia_screenings.select_related("created_by"))
    latest = screenings[0] if screenings else None
    initial = DpiaForm.initial_from(latest.answers) if latest else None
    form = DpiaForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            try:
                services.dpia_screening_save(
                    actor=signed_in_user(request), question=question, answers=form.answers()
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Screening saved."))
                return redirect("datalab:dpia", question_id=question.pk)
    return render(
        request,
        "datalab/dpia.html",
        {
            "question": question,
            "form": form,
            "may_change": may_change,
            "latest": latest,
            "reasons": [DPIA_QUESTIONS[key][1] for key in latest.reasons] if latest else [],
            "earlier": screenings[1:],
        },
    )


@page_rule("datalab.lab")
def def_assessment(request: HttpRequest, question_id: int) -> HttpResponse:
    question = _question_or_404(request, question_id)
    may_change = can(request.user, Action.CHANGE, question)
    versions = list(question.def_assessments.select_related("created_by"))
    latest = versions[-1] if versions else None
    initial = None
    if latest is not None:
        # A new version starts from the last one, so only what changed needs typing.
        initial = {name: getattr(latest, name) for name in services.DEF_FIELDS if name != "version"}
    form = DefAssessmentForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not may_change:
            raise Http404
        if form.is_valid():
            try:
                services.def_assessment_save(
                    actor=signed_in_user(request),
                    question=question,
                    scores=form.scores(),
                    rationales=form.rationales(),
                    actions=form.cleaned_data["actions"],
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Self-assessment saved as a new version."))
                return redirect("datalab:def", question_id=question.pk)
    return render(
        request,
        "datalab/def_assessment.html",
        {
            "question": question,
            "form": form,
            "may_change": may_change,
            "versions": versions,
            "latest": latest,
        },
    )
