from django.urls import path

from . import views

app_name = "programme"

urlpatterns = [
    path("", views.home, name="home"),
    path("intakes/new/", views.intake_new, name="intake-new"),
    path("intakes/<int:intake_id>/cohorts/new/", views.cohort_new, name="cohort-new"),
    path("cohorts/<int:cohort_id>/", views.cohort_detail, name="cohort"),
    path("cohorts/<int:cohort_id>/enrol/", views.cohort_enrol, name="cohort-enrol"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session-edit"),
    path("sessions/<int:session_id>/files/new/", views.session_file_new, name="session-file-new"),
    path("sessions/<int:session_id>/attendance/", views.attendance, name="attendance"),
    path("materials/<int:handout_id>/", views.session_file, name="session-file"),
    path(
        "cohorts/<int:cohort_id>/self-assessment/<str:timing>/",
        views.self_assessment,
        name="self-assessment",
    ),
    path("capability/", views.uplift, name="uplift"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment"),
    path("submissions/<int:submission_id>/", views.submission_detail, name="submission"),
    path("progress/", views.progress, name="progress"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("funder/", views.funder_list, name="funder"),
    path("funder/export/", views.funder_export, name="funder-export"),
    path("funder/<int:participant_id>/", views.funder_edit, name="funder-record"),
    path("certificates/check/", views.certificate_check, name="certificate-check"),
    path(
        "certificates/check/<str:certificate_code>/",
        views.certificate_check,
        name="certificate-check-code",
    ),
    path(
        "certificates/<int:certificate_id>/certificate.pdf",
        views.certificate_pdf,
        name="certificate-pdf",
    ),
    path(
        "certificates/<int:certificate_id>/revoke/",
        views.certificate_revoke,
        name="certificate-revoke",
    ),
    path("capability/statements/", views.capability_items, name="items"),
    path("capability/statements/new/", views.capability_item_edit, name="item-new"),
    path("capability/statements/<int:item_id>/", views.capability_item_edit, name="item"),
]
