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
# Refusals and errors outside a view's own answer, under /fhir/, /oruk/ or /api/, are
# answered in that interface's format (linkwell/errors.py).
handler400 = "linkwell.errors.bad_request"
handler403 = "linkwell.errors.permission_denied"
handler404 = "linkwell.errors.page_not_found"
handler500 = "linkwell.errors.server_error"
