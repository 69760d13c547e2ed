from django.urls import include, path
from django.views.i18n import set_language

from amends.api.api import api

urlpatterns = [
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("accounts/", include("amends.accounts.urls")),
    path("console/", include("amends.cases.urls")),
    path("console/", include("amends.triage.urls")),
    path("console/", include("amends.replies.urls")),
    path("console/", include("amends.brands.urls")),
    path("status/", include("amends.portal.urls")),
    path("", include("amends.intake.urls")),
]
