from django.urls import include, path

from linkwell import api
from linkwell.cases.views import home
from linkwell.healthz import healthz

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("linkwell.accounts.urls")),
    path("", include("linkwell.people.urls")),
    path("", include("linkwell.portal.urls")),
    path("api/", api.urls()),
    path("", include("linkwell.directory.urls")),  # before cases: cases/<pk>/find-support/
    path("", include("linkwell.cases.urls")),
    path("", include("linkwell.outcomes.urls")),
    path("", include("linkwell.connections.urls")),
    path("", include("linkwell.reporting.urls")),
    path("", include("linkwell.checkins.urls")),
    path("", include("linkwell.standards.urls")),
    path("", include("linkwell.delivery.urls")),
    path("fhir/", include("linkwell.interop.urls")),
]
# an unforeseen error under /fhir/, /oruk/ or /api/ is answered in that interface's format
handler500 = "linkwell.server_error.server_error"
