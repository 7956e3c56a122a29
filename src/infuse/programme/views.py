"""Programme pages: intakes and cohorts, sessions with their materials, enrolment, attendance."""

from __future__ import annotations

import base64
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from infuse.accounts.policy import (
    can_run_cohort,
    may_see_special_category,
    page_rule,
    programme_overseer,
    signed_in_user,
)
from infuse.errors import UserFacingError
from infuse.web.charts import bar_chart, render_svg
from infuse.web.exports import spreadsheet_safe

from . import selectors, services
from .forms import (
    CONSENT_WORDING,
    CapabilityItemForm,
    CohortForm,
    ComparisonForm,
    ConsentForm,
    EnrolForm,
    ExportForm,
    FunderRecordForm,
    IntakeForm,
    ReviewForm,
    SelfAssessmentForm,
    SessionFileForm,
    SessionForm,
    SpecialCategoryForm,
    SubmitForm,
)
from .models import AttendanceStatus, CapabilityItem, Cohort, Intake, Session, Timing


def _cohort_or_404(request: HttpRequest, cohort_id: int) -> Cohort:
    cohort = selectors.cohort_for(request.user, cohort_id)
    if cohort is None:
        raise Http404
    return cohort


def _session_or_404(request: HttpRequest, session_id: int, *, run: bool = False) -> Session:
    session = selectors.session_for(request.user, session_id)
    if session is None:
        raise Http404
    if run and not can_run_cohort(request.user, session.cohort):
        raise PermissionDenied
    return session


@page_rule("programme.cohorts")
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "programme/home.html",
        {
            "intakes": selectors.intakes_with_cohorts(request.user),
            "may_manage": programme_overseer(request.user),
            "empty_intakes": Intake.objects.filter(cohorts__isnull=True)
            if programme_overseer(request.user)
            else [],
        },
    )


@page_rule("programme.manage")
def intake_new(request: HttpRequest) -> HttpResponse:
    form = IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            intake = services.intake_create(actor=signed_in_user(request), **form.cleaned_data)
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Intake created. Now add its cohorts."))
            return redirect("programme:cohort-new", intake_id=intake.pk)
    return render(request, "programme/intake_form.html", {"form": form})


@page_rule("programme.manage")
def cohort_new(request: HttpRequest, intake_id: int) -> HttpResponse:
    intake = get_object_or_404(Intake, pk=intake_id)
    form = CohortForm(request.POST or None, facilitators=selectors.facilitators())
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(
                actor=signed_in_user(request), intake=intake, **form.cleaned_data
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Cohort created with a session for each week."))
            return redirect("programme:cohort", cohort_id=cohort.pk)
    return render(request, "programme/cohort_form.html", {"form": form, "intake": intake})


@page_rule("programme.cohorts")
def cohort_detail(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_or_404(request, cohort_id)
    counts = selectors.session_counts(cohort)
    sessions = list(cohort.sessions.select_related("facilitator"))
    for session in sessions:
        session.marks = counts.get(session.pk, {})  # type: ignore[attr-defined]
    certificates = selectors.certificates_of(cohort)
    lines = selectors.attendance_summary(cohort)
    for line in lines:
        line.certificate = certificates.get(line.enrolment.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "programme/cohort_detail.html",
        {
            "cohort": cohort,
            "sessions": sessions,
            "lines": lines,
            "may_run": can_run_cohort(request.user, cohort),
            "statuses": AttendanceStatus.choices,
            "own": _own_assessments(request, cohort),
            "assignments": _assignment_rows(request, cohort),
            "certificates": certificates,
            "own_certificate": next(
                (c for c in certificates.values() if c.enrolment.participant_id == request.user.pk),
                None,
            ),
            "may_manage": programme_overseer(request.user),
        },
    )


def _assignment_rows(request: HttpRequest, cohort: Cohort) -> list[dict[str, Any]]:
    """Each assignment with the viewer's own submission, or the cohort's counts for runners."""
    enrolment = selectors.own_enrolment(request.user, cohort)
    own = selectors.own_submissions(enrolment) if enrolment else {}
    counts = selectors.assignment_counts(cohort) if can_run_cohort(request.user, cohort) else {}
    rows = []
    for assignment in cohort.assignments.all():
        kind = selectors.kind_of(assignment)
        rows.append(
            {
                "assignment": assignment,
                "kind": kind.label if kind else assignment.kind,
                "own": own.get(assignment.pk),
                "handed": sum(counts.get(assignment.pk, {}).values()),
                "accepted": counts.get(assignment.pk, {}).get("accepted", 0),
            }
        )
    return rows


def _own_assessments(request: HttpRequest, cohort: Cohort) -> list[dict[str, Any]] | None:
    """For a participant on ``cohort``: each self-assessment point and whether it is done."""
    enrolment = selectors.own_enrolment(request.user, cohort)
    if enrolment is None:
        return None
    done = selectors.assessments_of(enrolment)
    return [
        {"timing": value, "label": label, "done": done.get(value)}
        for value, label in Timing.choices
    ]


@page_rule("programme.cohorts")
def cohort_enrol(request: HttpRequest, cohort_id: int) -> HttpResponse:
    cohort = _cohort_or_404(request, cohort_id)
    if not can_run_cohort(request.user, cohort):
        raise PermissionDenied
    form = EnrolForm(request.POST or None, candidates=selectors.participants_to_enrol(cohort))
    if request.method == "POST" and form.is_valid():
        try:
            made = services.enrol(
                actor=signed_in_user(request),
                cohort=cohort,
                participants=list(form.cleaned_data["participants"]),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Enrolled: %(count)s.") % {"count": len(made)})
            return redirect("programme:cohort", cohort_id=cohort.pk)
    return render(request, "programme/enrol.html", {"cohort": cohort, "form": form})


@page_rule("programme.cohorts")
def session_detail(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id)
    return render(
        request,
        "programme/session_detail.html",
        {
            "session": session,
            "cohort": session.cohort,
            "files": session.files.all(),
            "may_run": can_run_cohort(request.user, session.cohort),
            "file_form": SessionFileForm(),
        },
    )


@page_rule("programme.cohorts")
def session_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id, run=True)
    form = SessionForm(
        request.POST or None,
        initial=SessionForm.initial_from(session),
        facilitators=selectors.facilitators(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.session_update(
                actor=signed_in_user(request),
                session=Session.objects.get(pk=session.pk),
                values=form.values(),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Session saved."))
            return redirect("programme:session", session_id=session.pk)
    return render(
        request,
        "programme/session_form.html",
        {"session": session, "cohort": session.cohort, "form": form},
    )


@page_rule("programme.cohorts")
def session_file_new(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id, run=True)
    form = SessionFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            services.session_file_add(
                actor=signed_in_user(request),
                session=session,
                title=form.cleaned_data["title"],
                language=form.cleaned_data["language"],
                file_name=upload.name,
                content=upload.read(services.MATERIAL_MAX_BYTES + 1),
            )
        except UserFacingError as error:
            form.add_error("upload", str(error))
        else:
            messages.success(request, _("File added to the session."))
            return redirect("programme:session", session_id=session.pk)
    return render(
        request,
        "programme/session_file_form.html",
        {"session": session, "cohort": session.cohort, "form": form},
    )


@page_rule("programme.cohorts")
def session_file(request: HttpRequest, handout_id: int) -> FileResponse:
    handout = selectors.session_file_for(request.user, handout_id)
    if handout is None:
        raise Http404
    return FileResponse(handout.upload.open("rb"), as_attachment=True, filename=handout.file_name)


@page_rule("programme.cohorts")
def attendance(request: HttpRequest, session_id: int) -> HttpResponse:
    session = _session_or_404(request, session_id, run=True)
    rows = selectors.attendance_sheet(session)
    error = ""
    missing: list[selectors.SheetRow] = []
    if request.method == "POST":
        marks: dict[int, str] = {}
        for row in rows:
            value = request.POST.get(f"mark-{row.enrolment.pk}", "")
            if value:
                marks[row.enrolment.pk] = value
            row.status = value or row.status
        missing = [row for row in rows if not row.status]
        if missing:
            error = _("Choose present, late, excused or absent for each person.")
        else:
            try:
                services.attendance_record(
                    actor=signed_in_user(request), session=session, marks=marks
                )
            except UserFacingError as refused:
                error = str(refused)
            else:
                messages.success(request, _("Attendance saved."))
                return redirect("programme:cohort", cohort_id=session.cohort_id)
    return render(
        request,
        "programme/attendance.html",
        {
            "session": session,
            "cohort": session.cohort,
            "rows": rows,
            "statuses": AttendanceStatus.choices,
            "error": error,
            "missing": missing,
        },
        status=400 if error else 200,
    )


# --- Capability -------------------------------------------------------------------------------


@page_rule("programme.cohorts")
def self_assessment(request: HttpRequest, cohort_id: int, timing: str) -> HttpResponse:
    cohort = _cohort_or_404(request, cohort_id)
    enrolment = selectors.own_enrolment(request.user, cohort)
    if enrolment is None or timing not in Timing.values:
        raise Http404
    existing = selectors.assessments_of(enrolment).get(timing)
    scores, before = selectors.ratings_of(existing)
    initial = {f"item-{k}": str(v) for k, v in scores.items()}
    initial.update({f"before-{k}": str(v) for k, v in before.items()})
    looking_back = timing == Timing.EXIT and cohort.retrospective_pre
    form = SelfAssessmentForm(
        request.POST or None,
        initial=initial,
        items=list(selectors.items_to_rate()),
        looking_back=looking_back,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.self_assessment_save(
                actor=signed_in_user(request),
                enrolment=enrolment,
                timing=timing,
                scores=form.scores(),
                before_scores=form.before_scores(),
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Thank you: your self-assessment is saved."))
            return redirect("programme:cohort", cohort_id=cohort.pk)
    return render(
        request,
        "programme/self_assessment.html",
        {
            "cohort": cohort,
            "form": form,
            "timing_label": Timing(timing).label,
            "looking_back": looking_back,
        },
    )


def _chart(rows: list[selectors.UpliftRow], title: str, category_title: str) -> str:
    spec = bar_chart(
        [{"group": row.label, "change": round(row.uplift.mean_change, 2)} for row in rows],
        category="group",
        value="change",
        title=title,
        category_title=category_title,
        value_title=_("Mean change on the 1 to 5 scale"),
    )
    return "data:image/svg+xml;base64," + base64.b64encode(render_svg(spec).encode()).decode()


@page_rule("programme.reports")
def uplift(request: HttpRequest) -> HttpResponse:
    form = ComparisonForm(request.GET or None)
    comparison = "entry-exit"
    if form.is_valid() and form.cleaned_data["compare"]:
        comparison = form.cleaned_data["compare"]
    report = selectors.uplift_report(request.user, comparison)
    charts = {}
    if report.by_lab:
        charts["lab"] = _chart(report.by_lab, _("Capability uplift by lab"), _("Lab"))
    if report.by_body:
        charts["body"] = _chart(
            report.by_body, _("Capability uplift by authority"), _("Public body")
        )
    return render(
        request,
        "programme/uplift.html",
        {"form": form, "report": report, "charts": charts, "timings": Timing.choices},
    )


@page_rule("programme.reports")
def capability_items(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not programme_overseer(request.user):
            raise PermissionDenied
        made = services.capability_items_seed(actor=signed_in_user(request))
        messages.success(request, _("Default statements added: %(count)s.") % {"count": len(made)})
        return redirect("programme:items")
    return render(
        request,
        "programme/items.html",
        {
            "items": CapabilityItem.objects.all(),
            "may_manage": programme_overseer(request.user),
        },
    )


@page_rule("programme.manage")
def capability_item_edit(request: HttpRequest, item_id: int | None = None) -> HttpResponse:
    item = get_object_or_404(CapabilityItem, pk=item_id) if item_id is not None else None
    form = CapabilityItemForm(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        try:
            services.capability_item_save(
                actor=signed_in_user(request),
                values=form.cleaned_data,
                item=CapabilityItem.objects.get(pk=item.pk) if item else None,
            )
        except UserFacingError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Statement saved."))
            return redirect("programme:items")
    return render(request, "programme/item_form.html", {"form": form, "item": item})


# --- Assignments and progress ---------------------------------------------------------------------


@page_rule("programme.cohorts")
def assignment_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = selectors.assignment_for(request.user, assignment_id)
    if assignment is None:
        raise Http404
    cohort = assignment.cohort
    enrolment = selectors.own_enrolment(request.user, cohort)
    may_run = can_run_cohort(request.user, cohort)
    if enrolment is None and not may_run:
        raise Http404
    submission = selectors.own_submissions(enrolment).get(assignment.pk) if enrolment else None
    form = None
    if enrolment is not None:
        choices = selectors.candidates_for(request.user, assignment)
        initial = {"artefact": submission.object_id} if submission else None
        form = SubmitForm(request.POST or None, initial=initial, choices=choices)
        if request.method == "POST" and form.is_valid():
            try:
                services.assignment_submit(
                    actor=signed_in_user(request),
                    assignment=assignment,
                    enrolment=enrolment,
                    object_id=form.cleaned_data["artefact"],
                    note=form.cleaned_data["note"],
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Handed in. Your facilitator will review it."))
                return redirect("programme:assignment", assignment_id=assignment.pk)
    elif request.method == "POST":
        raise PermissionDenied
    kind = selectors.kind_of(assignment)
    return render(
        request,
        "programme/assignment.html",
        {
            "assignment": assignment,
            "cohort": cohort,
            "kind": kind,
            "form": form,
            "submission": submission,
            "comments": submission.comments.select_related("author") if submission else [],
            "may_run": may_run,
            "submissions": assignment.submissions.select_related("enrolment__participant__body")
            if may_run
            else [],
        },
    )


@page_rule("programme.cohorts")
def submission_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = selectors.submission_for(request.user, submission_id)
    if submission is None:
        raise Http404
    cohort = submission.assignment.cohort
    may_review = can_run_cohort(request.user, cohort)
    form = ReviewForm(request.POST or None)
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.submission_review(
                    actor=signed_in_user(request),
                    submission=submission,
                    verdict=form.cleaned_data["verdict"],
                    text=form.cleaned_data["text"],
                )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Review saved."))
                return redirect("programme:assignment", assignment_id=submission.assignment_id)
    return render(
        request,
        "programme/submission.html",
        {
            "submission": submission,
            "cohort": cohort,
            "artefact": selectors.artefact_of(submission, request.user),
            "comments": submission.comments.select_related("author"),
            "may_review": may_review,
            "form": form,
        },
    )


@page_rule("programme.reports")
def progress(request: HttpRequest) -> HttpResponse:
    return render(
        request, "programme/progress.html", {"report": selectors.progress_report(request.user)}
    )


@page_rule("programme.reports")
def dashboard(request: HttpRequest) -> HttpResponse:
    from .dashboard import dashboard as sections_for

    sections = sections_for(request.user)
    charts = {}
    for section in sections:
        if section.chart_column is not None and section.chart_rows:
            spec = bar_chart(
                section.chart_rows,
                category="label",
                value="value",
                title=section.title,
                category_title=section.columns[0],
                value_title=section.columns[section.chart_column],
            )
            charts[section.key] = (
                "data:image/svg+xml;base64," + base64.b64encode(render_svg(spec).encode()).decode()
            )
    return render(
        request,
        "programme/dashboard.html",
        {"sections": [(section, charts.get(section.key)) for section in sections]},
    )


# --- Certificates ---------------------------------------------------------------------------------


@page_rule("programme.certificate_check")
def certificate_check(request: HttpRequest, certificate_code: str = "") -> HttpResponse:
    """Anyone can check a code; the answer shows only name, lab, cohort, date and validity."""
    typed = certificate_code or request.GET.get("code", "")
    certificate = selectors.certificate_by_code(typed) if typed else None
    return render(
        request,
        "programme/certificate_check.html",
        {"typed": typed, "certificate": certificate, "searched": bool(typed)},
        status=404 if typed and certificate is None else 200,
    )


@page_rule("programme.cohorts")
def certificate_pdf(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_for(request.user, certificate_id)
    if certificate is None:
        raise Http404
    from weasyprint import HTML

    with translation.override("en"):
        check_url = request.build_absolute_uri(
            reverse("programme:certificate-check-code", args=[certificate.code])
        )
    html = render_to_string(
        "programme/certificate_pdf.html",
        {"certificate": certificate, "cohort": certificate.enrolment.cohort, "check": check_url},
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{certificate.code}.pdf"'
    return response


@page_rule("programme.manage")
def certificate_revoke(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_for(request.user, certificate_id)
    if certificate is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            services.certificate_revoke(
                actor=signed_in_user(request),
                certificate=certificate,
                reason=request.POST.get("reason", ""),
            )
        except UserFacingError as refused:
            error = str(refused)
        else:
            messages.success(request, _("Certificate revoked."))
            return redirect("programme:cohort", cohort_id=certificate.enrolment.cohort_id)
    return render(
        request,
        "programme/certificate_revoke.html",
        {"certificate": certificate, "cohort": certificate.enrolment.cohort, "error": error},
        status=400 if error else 200,
    )


# --- Funder reporting -----------------------------------------------------------------------------


@page_rule("programme.funder")
def funder_list(request: HttpRequest) -> HttpResponse:
    from infuse.accounts.models import Role, User

    people = (
        User.objects.filter(role=Role.PARTICIPANT, body__isnull=False)
        .select_related("body", "funder_record")
        .order_by("body__name_en", "last_name", "first_name")
    )
    return render(
        request,
        "programme/funder_list.html",
        {
            "people": people,
            "export_form": ExportForm(),
            "may_see_special": may_see_special_category(request.user),
        },
    )


@page_rule("programme.funder")
def funder_edit(request: HttpRequest, participant_id: int) -> HttpResponse:
    from infuse.accounts.models import Role, User

    from .models import ParticipantRecord, SpecialCategoryRecord

    person = get_object_or_404(User, pk=participant_id, role=Role.PARTICIPANT, body__isnull=False)
    record = ParticipantRecord.objects.filter(participant=person).first()
    special_allowed = may_see_special_category(request.user)
    posted = request.POST if request.method == "POST" else None
    which = posted.get("form", "record") if posted is not None else ""
    record_form = FunderRecordForm(posted if which == "record" else None, instance=record)
    consent_form = ConsentForm(posted if which == "consent" else None)
    special_form = SpecialCategoryForm(posted if which == "special" else None)
    if posted is not None:
        if which != "record" and not special_allowed:
            raise PermissionDenied
        actor = signed_in_user(request)
        form = {"record": record_form, "consent": consent_form, "special": special_form}.get(which)
        if form is not None and form.is_valid():
            try:
                if which == "record":
                    services.funder_record_save(
                        actor=actor, participant=person, values=record_form.cleaned_data
                    )
                elif which == "consent":
                    services.special_category_consent_record(
                        actor=actor, participant=person, wording=str(CONSENT_WORDING)
                    )
                else:
                    services.special_category_save(
                        actor=actor, participant=person, **special_form.cleaned_data
                    )
            except UserFacingError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("programme:funder-record", participant_id=person.pk)
        elif posted.get("form") == "withdraw":
            try:
                services.special_category_consent_withdraw(actor=actor, participant=person)
            except UserFacingError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Consent withdrawn and the answers deleted."))
            return redirect("programme:funder-record", participant_id=person.pk)
    context: dict[str, Any] = {
        "person": person,
        "record_form": record_form,
        "may_see_special": special_allowed,
    }
    if special_allowed:
        consent = selectors.consent_in_force(person)
        context.update(
            {
                "consent": consent,
                "consent_form": consent_form,
                "consent_wording": CONSENT_WORDING,
                "special_form": special_form,
                "special": SpecialCategoryRecord.objects.filter(participant=person).first(),
            }
        )
    return render(request, "programme/funder_record.html", context)


@page_rule("programme.funder")
def funder_export(request: HttpRequest) -> HttpResponse:
    import csv
    import io

    form = ExportForm(request.GET or None)
    if not form.is_valid():
        return render(
            request,
            "programme/funder_export.html",
            {"export_form": form, "may_see_special": may_see_special_category(request.user)},
            status=400 if request.GET else 200,
        )
    data = form.cleaned_data
    try:
        rows = services.funder_export(
            actor=signed_in_user(request),
            date_from=data["date_from"],
            date_to=data["date_to"],
            include_special=data["include_special"],
            file_format=data["file_format"],
        )
    except UserFacingError as error:
        form.add_error(None, str(error))
        return render(
            request,
            "programme/funder_export.html",
            {"export_form": form, "may_see_special": may_see_special_category(request.user)},
            status=400,
        )
    columns = list(selectors.FUNDER_COLUMNS)
    if data["include_special"]:
        columns += selectors.SPECIAL_COLUMNS
    name = f"participants-{data['date_from']}-{data['date_to']}"
    if data["file_format"] == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: spreadsheet_safe("" if v is None else str(v)) for k, v in row.items()}
            )
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    import xlsxwriter

    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet("Participants")
    for column, heading in enumerate(columns):
        sheet.write_string(0, column, heading)
    for index, row in enumerate(rows, start=1):
        for column, heading in enumerate(columns):
            value = row.get(heading)
            if isinstance(value, int):
                sheet.write_number(index, column, value)
            else:
                sheet.write_string(index, column, "" if value is None else str(value))
    workbook.close()
    response = HttpResponse(
        output.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response
