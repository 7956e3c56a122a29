from django.urls import path

from . import views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path("bodies/<str:code>/workspace/", views.body_workspace, name="body-workspace"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("api-docs/", views.api_docs, name="api-docs"),
]
