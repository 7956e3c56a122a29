from django.urls import path

from . import views

app_name = "challenges"

urlpatterns = [
    path("", views.home, name="home"),
    path("funded/", views.funded, name="funded"),
    path("calls/new/", views.call_edit, name="call-new"),
    path("calls/<int:call_id>/", views.call_detail, name="call"),
    path("calls/<int:call_id>/edit/", views.call_edit, name="call-edit"),
    path("calls/<int:call_id>/publish/", views.call_publish, name="call-publish"),
    path("calls/<int:call_id>/bids/new/", views.bid_new, name="bid-new"),
    path("challenges/", views.challenge_list, name="challenges"),
    path("challenges/new/", views.challenge_edit, name="challenge-new"),
    path("challenges/<int:challenge_id>/", views.challenge_detail, name="challenge"),
    path("challenges/<int:challenge_id>/edit/", views.challenge_edit, name="challenge-edit"),
    path("bids/", views.bid_list, name="bids"),
    path("bids/<int:bid_id>/", views.bid_detail, name="bid"),
    path("bids/<int:bid_id>/edit/", views.bid_edit, name="bid-edit"),
    path("bids/<int:bid_id>/submit/", views.bid_submit, name="bid-submit"),
    path("bids/<int:bid_id>/links/", views.bid_link_add, name="bid-link-add"),
    path("calls/<int:call_id>/panel/", views.call_panel, name="call-panel"),
    path("bids/<int:bid_id>/panel/", views.bid_panel, name="bid-panel"),
    path("assess/", views.assess_list, name="assess"),
    path("bids/<int:bid_id>/assess/", views.bid_assess, name="bid-assess"),
    path(
        "bids/<int:bid_id>/links/<int:link_id>/remove/",
        views.bid_link_remove,
        name="bid-link-remove",
    ),
]
