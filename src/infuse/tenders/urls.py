from django.urls import path

from . import setup_views, views

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
    path(
        "<int:procurement_id>/bidders/<int:bidder_id>/feedback.pdf",
        views.feedback_pdf,
        name="feedback_pdf",
    ),
    # Setting up
    path("new/", setup_views.new, name="new"),
    path("measures/", setup_views.measures, name="measures"),
    path("<int:procurement_id>/setup/", setup_views.setup, name="setup"),
    path("<int:procurement_id>/setup/lots/", setup_views.lots, name="lots"),
    path("<int:procurement_id>/setup/lots/<int:lot_id>/", setup_views.lot_edit, name="lot_edit"),
    path("<int:procurement_id>/setup/scale/", setup_views.scale, name="scale"),
    path("<int:procurement_id>/setup/criteria/", setup_views.criteria, name="criteria"),
    path("<int:procurement_id>/setup/bidders/", setup_views.bidders, name="bidders"),
    path("<int:procurement_id>/setup/evaluators/", setup_views.evaluators, name="evaluators"),
    # Correcting the set-up
    path("<int:procurement_id>/setup/details/", setup_views.details, name="details"),
    path(
        "<int:procurement_id>/setup/lots/<int:lot_id>/remove/",
        setup_views.lot_remove,
        name="lot_remove",
    ),
    path(
        "<int:procurement_id>/setup/bidders/<int:bidder_id>/",
        setup_views.bidder_edit,
        name="bidder_edit",
    ),
    path(
        "<int:procurement_id>/setup/bidders/<int:bidder_id>/remove/",
        setup_views.bidder_remove,
        name="bidder_remove",
    ),
    path(
        "<int:procurement_id>/setup/bidders/<int:bidder_id>/withdraw/",
        setup_views.bidder_withdraw,
        name="bidder_withdraw",
    ),
    path(
        "<int:procurement_id>/setup/commitments/<int:commitment_id>/remove/",
        setup_views.commitment_remove,
        name="commitment_remove",
    ),
    path(
        "<int:procurement_id>/setup/evaluators/<int:evaluator_id>/remove/",
        setup_views.evaluator_remove,
        name="evaluator_remove",
    ),
    path(
        "<int:procurement_id>/setup/evaluators/<int:evaluator_id>/stand-down/",
        setup_views.evaluator_stand_down,
        name="evaluator_stand_down",
    ),
    path("measures/<int:measure_id>/", setup_views.measure_edit, name="measure_edit"),
    path("measures/<int:measure_id>/remove/", setup_views.measure_remove, name="measure_remove"),
]
