"""A refusal or error outside a view's own answer (handler400, 403, 404 and 500) is answered in
the format of the interface asked."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.directory import oruk_api
from linkwell.errors import permission_denied, server_error
from linkwell.interop import capability

pytestmark = pytest.mark.django_db


def failing(*args, **kwargs):
    raise RuntimeError("a bug")


def test_fhir_answers_an_operation_outcome_and_oruk_json(monkeypatch):
    client = Client(raise_request_exception=False)
    monkeypatch.setattr(capability, "statement", failing)
    fhir = client.get("/fhir/metadata")
    assert fhir.status_code == 500
    assert fhir["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert OperationOutcome.model_validate_json(fhir.content).issue[0].code == "exception"
    monkeypatch.setattr(oruk_api, "narrowed", failing)
    oruk = client.get("/oruk/services")
    assert oruk.status_code == 500
    assert oruk["Content-Type"] == "application/json; charset=utf-8"
    assert "a bug" not in oruk.json()["detail"]  # nothing of the failure itself is shown


def test_the_site_keeps_its_own_page(rf):
    response = server_error(rf.get("/caseload/"))
    assert response.status_code == 500 and response["Content-Type"].startswith("text/html")


# A Host header Django does not serve (DisallowedHost) is refused before any view runs: as
# schemathesis sends it, fuzzing the API's headers.
@pytest.mark.parametrize("host", [":,", "evil.example.com"])
def test_a_host_refused_before_any_view_is_answered_in_the_interfaces_format(client, host):
    api = client.get("/api/v1/cases", HTTP_HOST=host)
    assert api.status_code == 400
    assert api["Content-Type"] == "application/json; charset=utf-8" and api.json()["detail"]
    fhir = client.get("/fhir/metadata", HTTP_HOST=host)
    assert fhir.status_code == 400
    assert fhir["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert OperationOutcome.model_validate_json(fhir.content).issue[0].code == "invalid"
    page = client.get("/caseload/", HTTP_HOST=host)
    assert page.status_code == 400 and page["Content-Type"].startswith("text/html")


def test_an_address_no_route_matches_is_answered_in_the_interfaces_format(client):
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Nothing is at this address."}
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_permission_refused_outside_a_view_is_answered_in_the_interfaces_format(rf):
    api = permission_denied(rf.get("/api/v1/cases"), PermissionDenied())
    assert api.status_code == 403 and api["Content-Type"].startswith("application/json")
    page = permission_denied(rf.get("/caseload/"), PermissionDenied())
    assert page.status_code == 403 and page["Content-Type"].startswith("text/html")
