from django.urls import path

from . import views

app_name = "adaption"

urlpatterns = [
    path("", views.lab_home, name="home"),
    path("innovations/", views.innovation_list, name="innovations"),
    path("innovations/new/", views.innovation_edit, name="innovation-new"),
    path("innovations/<int:innovation_id>/", views.innovation_detail, name="innovation"),
    path("innovations/<int:innovation_id>/edit/", views.innovation_edit, name="innovation-edit"),
    path("innovations/<int:innovation_id>/assess/", views.assessment_new, name="assessment-new"),
    path("assessments/<int:assessment_id>/", views.assessment_detail, name="assessment"),
    path("power/", views.power_calculator, name="power"),
    path("power/<str:design>/", views.power_calculator, name="power-design"),
    path("experiments/new/", views.experiment_new, name="experiment-new"),
    path("experiments/<int:experiment_id>/", views.experiment_detail, name="experiment"),
    path(
        "experiments/<int:experiment_id>/design/",
        views.experiment_design,
        name="experiment-design",
    ),
    path("experiments/<int:experiment_id>/amend/", views.experiment_amend, name="experiment-amend"),
    path("experiments/<int:experiment_id>/power/", views.experiment_power, name="experiment-power"),
    path("experiments/<int:experiment_id>/lock/", views.experiment_lock, name="experiment-lock"),
    path(
        "experiments/<int:experiment_id>/publish/",
        views.experiment_publish,
        name="experiment-publish",
    ),
    path("experiments/<int:experiment_id>/units/", views.experiment_units, name="experiment-units"),
    path(
        "experiments/<int:experiment_id>/outcomes/",
        views.experiment_outcomes,
        name="experiment-outcomes",
    ),
    path(
        "experiments/<int:experiment_id>/randomise/",
        views.experiment_randomise,
        name="experiment-randomise",
    ),
    path(
        "experiments/<int:experiment_id>/allocation.csv",
        views.experiment_allocation,
        name="experiment-allocation",
    ),
    path(
        "experiments/<int:experiment_id>/decision/",
        views.experiment_decision,
        name="experiment-decision",
    ),
    path(
        "experiments/<int:experiment_id>/summary/",
        views.experiment_summary,
        name="experiment-summary",
    ),
    path(
        "experiments/<int:experiment_id>/results.pdf",
        views.experiment_results_pdf,
        name="experiment-results-pdf",
    ),
    path(
        "experiments/<int:experiment_id>/plan.pdf",
        views.experiment_plan_pdf,
        name="experiment-plan-pdf",
    ),
]
