from django.urls import path

from . import dataset_views, views

app_name = "datalab"

urlpatterns = [
    path("", views.question_list, name="home"),
    path("questions/new/", views.question_edit, name="question-new"),
    path("questions/<int:question_id>/", views.question_detail, name="question"),
    path("questions/<int:question_id>/edit/", views.question_edit, name="question-edit"),
    path("questions/<int:question_id>/comment/", views.question_comment, name="question-comment"),
    path("questions/<int:question_id>/ready/", views.question_ready, name="question-ready"),
    path("questions/<int:question_id>/question.pdf", views.question_pdf, name="question-pdf"),
    path("questions/<int:question_id>/ethics/", views.ethics_canvas, name="ethics"),
    path("questions/<int:question_id>/dpia/", views.dpia_screening, name="dpia"),
    path("questions/<int:question_id>/ethics-framework/", views.def_assessment, name="def"),
    path("questions/<int:question_id>/ethics/<str:area>/", views.ethics_area, name="ethics-area"),
    # Datasets: the catalogue and profiling (dataset_views.py)
    path("datasets/", dataset_views.dataset_list, name="datasets"),
    path("datasets/catalogue.jsonld", dataset_views.catalogue_jsonld, name="catalogue-jsonld"),
    path("datasets/new/", dataset_views.dataset_edit, name="dataset-new"),
    path("datasets/<int:dataset_id>/", dataset_views.dataset_detail, name="dataset"),
    path("datasets/<int:dataset_id>/edit/", dataset_views.dataset_edit, name="dataset-edit"),
    path(
        "datasets/<int:dataset_id>/profile/", dataset_views.dataset_profile, name="dataset-profile"
    ),
    path(
        "datasets/<int:dataset_id>/scorecard.svg",
        dataset_views.dataset_scorecard_svg,
        name="dataset-scorecard",
    ),
    path(
        "datasets/<int:dataset_id>/dataset.jsonld",
        dataset_views.dataset_jsonld,
        name="dataset-jsonld",
    ),
]

# Indicator explorer (issue 8)
from . import indicator_views  # noqa: E402

urlpatterns += [
    path("indicators/", indicator_views.indicator_list, name="indicators"),
    path("indicators/<slug:indicator>/", indicator_views.indicator_detail, name="indicator"),
    path(
        "indicators/<slug:indicator>/chart.svg",
        indicator_views.indicator_chart,
        name="indicator-chart",
    ),
    path(
        "indicators/<slug:indicator>/trend.svg",
        indicator_views.indicator_trend_chart,
        name="indicator-trend",
    ),
    path(
        "indicators/<slug:indicator>/data.csv", indicator_views.indicator_csv, name="indicator-csv"
    ),
    path(
        "indicators/<slug:indicator>/link/",
        indicator_views.indicator_link_question,
        name="indicator-link",
    ),
]
