from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path

from infuse.api import api
from infuse.web import views as web_views

handler400 = "infuse.web.views.bad_request"
handler403 = "infuse.web.views.permission_denied"
handler404 = "infuse.web.views.page_not_found"
handler500 = "infuse.web.views.server_error"

urlpatterns = [
    path("api/", api.urls),
    path("language/<str:language>/", web_views.language_switch, name="language-switch"),
]

urlpatterns += i18n_patterns(
    path("", include("infuse.web.urls")),
    path("accounts/", include("infuse.accounts.urls")),
    path("reference/", include("infuse.reference.urls")),
    path("audit/", include("infuse.audit.urls")),
    path("jobs/", include("infuse.jobs.urls")),
    path("procurement/", include("infuse.procurement.urls")),
    path("adaption/", include("infuse.adaption.urls")),
    path("datalab/", include("infuse.datalab.urls")),
    path("challenge-fund/", include("infuse.challenges.urls")),
    path("tenders/", include("infuse.tenders.urls")),
    path("programme/", include("infuse.programme.urls")),
    prefix_default_language=True,
)
