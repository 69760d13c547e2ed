from django.urls import include, path, re_path
from django.views.i18n import set_language

from amends.accounts.urls import console_urlpatterns as accounts_console
from amends.api.api import api, no_endpoint
from amends.core.views import favicon

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    # Browsers and feed readers ask for /favicon.ico whatever the page links; answer rather than log a 404.
    path("favicon.ico", favicon, name="favicon"),
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<path>.*)$", no_endpoint),
    path("accounts/", include("amends.accounts.urls")),
    path("console/", include("amends.cases.urls")),
    path("console/", include("amends.triage.urls")),
    path("console/", include("amends.replies.urls")),
    path("console/", include("amends.brands.urls")),
    path("console/", include("amends.playbooks.urls")),
    path("console/", include(accounts_console)),
    path("console/", include("amends.remedies.codes_urls")),
    path("console/", include("amends.incidents.urls")),
    path("console/", include("amends.campaigns.urls")),
    path("console/", include("amends.insights.urls")),
    path("status/", include("amends.portal.urls")),
    path("apology/", include("amends.campaigns.public_urls")),
    path("", include("amends.incidents.public_urls")),
    path("", include("amends.remedies.urls")),
    path("", include("amends.aftercare.urls")),
    path("", include("amends.intake.urls")),
]

# Refusals are logged in one line, server errors with their traceback and an id the page shows (core.errors).
handler400 = "amends.core.errors.bad_request"
handler403 = "amends.core.errors.permission_denied"
handler404 = "amends.core.errors.page_not_found"
handler500 = "amends.core.errors.server_error"
