"""/fhir/: every pattern comes from the route table in routes.py."""

from .routes import urlpatterns as _patterns

app_name = "interop"
urlpatterns = _patterns()
