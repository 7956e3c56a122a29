"""The real URLs plus one view that fails, to test the designed 500 page."""

from django.conf.urls.i18n import i18n_patterns
from django.http import HttpRequest, HttpResponse
from django.urls import path

from infuse.config.urls import *  # noqa: F403
from infuse.config.urls import urlpatterns as real_urlpatterns


def explode(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("deliberate failure for the test")


urlpatterns = [*i18n_patterns(path("explode/", explode)), *real_urlpatterns]
