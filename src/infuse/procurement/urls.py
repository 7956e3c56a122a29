from django.urls import path

from . import views

app_name = "procurement"

urlpatterns = [
    path("spend/", views.spend_overview, name="spend"),
    path("spend/chart/<str:kind>.svg", views.spend_chart, name="spend-chart"),
    path("spend/lines/", views.spend_lines, name="spend-lines"),
    path("spend/duplicates/", views.spend_duplicates, name="spend-duplicates"),
    path("spend/region/", views.spend_region, name="spend-region"),
    path("spend/files/", views.spend_files, name="spend-files"),
    path("spend/files/<int:batch_id>/", views.spend_file_detail, name="spend-file"),
    path(
        "spend/files/<int:batch_id>/columns/", views.spend_file_mapping, name="spend-file-mapping"
    ),
    path(
        "spend/files/<int:batch_id>/replace/",
        views.spend_file_confirm_replace,
        name="spend-file-replace",
    ),
]
