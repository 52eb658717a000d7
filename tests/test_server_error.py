"""An error nobody foresaw is answered in the format of the interface asked (handler500)."""

import pytest
from django.test import Client
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.directory import oruk_api
from linkwell.interop import capability
from linkwell.server_error import server_error

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
