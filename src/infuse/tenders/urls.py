from django.urls import path

from . import views

app_name = "tenders"

urlpatterns = [
    path("", views.home, name="home"),
    path("<int:procurement_id>/", views.detail, name="detail"),
    path("<int:procurement_id>/declare/", views.declare, name="declare"),
    path("<int:procurement_id>/score/", views.score, name="score"),
    path("<int:procurement_id>/moderate/", views.moderate, name="moderate"),
    path("<int:procurement_id>/lots/<int:lot_id>/award/", views.award, name="award"),
    path(
        "<int:procurement_id>/commitments/<int:commitment_id>/delivery/",
        views.delivery,
        name="delivery",
    ),
    path("<int:procurement_id>/award-report.pdf", views.report_pdf, name="report"),
    path("<int:procurement_id>/bidders/<int:bidder_id>/feedback/", views.feedback, name="feedback"),
]
