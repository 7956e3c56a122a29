from django.urls import path

from . import views

app_name = "reference"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/upload/", views.bodies_upload, name="bodies-upload"),
    path("bodies/<str:code>/", views.body_detail, name="body"),
    path("reload/", views.reload, name="reload"),
    path("postcode-districts/", views.postcode_districts, name="postcode-districts"),
]
