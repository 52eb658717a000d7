"""A NUL character (U+0000) anywhere a request can carry one is refused with 400 before any
view runs, in the shape the caller expects, and nothing is written. (PostgreSQL text cannot
hold it: before, each of these was a server error there.)"""

import json

import pytest
from fhir.resources.R4B.operationoutcome import OperationOutcome

from linkwell.cases.models import Referral
from tests.cases.test_api import bearer, post, referral_body
from tests.interop.test_fhir_referrals import gravity_bundle

pytestmark = pytest.mark.django_db
NOT_ACCEPTED = "NUL character (U+0000) in {} cannot be accepted"


@pytest.mark.parametrize(
    "url",
    ["/api/v1/cases?q=Ann%00", "/api/v1/cases?q%00=Ann", "/oruk/services?text=walk%00"],
)
def test_a_nul_in_an_api_query_string_is_a_400_in_json(client, link_worker, url):
    response = client.get(url, **bearer(link_worker))
    assert response.status_code == 400
    assert NOT_ACCEPTED.format("the query string") in response.json()["detail"]


def test_a_nul_in_an_oruk_address_is_a_400_in_json(client):
    response = client.get("/oruk/services/abc%00")
    assert response.status_code == 400
    assert NOT_ACCEPTED.format("the address") in response.json()["detail"]


def test_a_nul_in_a_json_body_is_refused_and_nothing_is_made(client, referrer):
    response = post(client, "/api/v1/referrals", referral_body(given_name="A\x00nn"), referrer)
    assert response.status_code == 400
    assert NOT_ACCEPTED.format("the JSON body") in response.json()["detail"]
    assert not Referral.objects.exists()


def test_an_escaped_backslash_before_u0000_is_ordinary_text(client, referrer):
    body = referral_body()
    body["details"] = "Typed \\u0000 into the form"  # JSON text: "Typed \\u0000 …"
    assert "\\\\u0000" in json.dumps(body)
    response = post(client, "/api/v1/referrals", body, referrer)
    assert response.status_code == 201, response.content
    assert Referral.objects.get().details == "Typed \\u0000 into the form"


def test_a_nul_in_a_fhir_body_is_an_operation_outcome(client, referrer):
    bundle = json.dumps(gravity_bundle()).replace('"pat-53234"', '"pat-\\u000053234"', 1)
    assert "\\u0000" in bundle
    response = client.post(
        "/fhir/", bundle, content_type="application/fhir+json", **bearer(referrer)
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8"
    issue = OperationOutcome.model_validate_json(response.content).issue[0]
    assert issue.code == "invalid" and NOT_ACCEPTED.format("the JSON body") in issue.diagnostics
    assert not Referral.objects.exists()


def test_a_nul_in_a_page_search_or_a_form_is_a_400_with_the_reason(client, link_worker):
    client.force_login(link_worker)
    search = client.get("/caseload/?q=Ann%00")
    assert search.status_code == 400
    assert NOT_ACCEPTED.format("the query string") in search.content.decode()
    form = client.post("/caseload/", {"q": "Ann\x00"})
    assert form.status_code == 400
    assert NOT_ACCEPTED.format("the form") in form.content.decode()


def test_a_nul_in_a_multipart_form_is_refused_and_a_clean_one_still_reaches_a_body_reader(
    client, referrer
):
    refused = client.post("/fhir/", {"resourceType": "Bundle\x00"}, **bearer(referrer))
    assert refused.status_code == 400
    # Without NUL the FHIR view reads the body itself, after the form was checked: its own
    # answer (not JSON), never a server error.
    clean = client.post("/fhir/", {"resourceType": "Bundle"}, **bearer(referrer))
    assert 400 <= clean.status_code < 500


def test_ordinary_requests_pass(client, link_worker):
    client.force_login(link_worker)
    assert client.get("/caseload/?q=Ann").status_code == 200


# What is parsed, not what is declared (issue 15, item 6): the API and FHIR read JSON sent as
# text/plain, with no type or in UTF-16, so the check reads the body the way a parser does.
def _json_with_nul(encoding="utf-8") -> bytes:
    return json.dumps(referral_body(given_name="A\x00nn")).encode(encoding)


@pytest.mark.parametrize("content_type", ["text/plain", "", "application/octet-stream"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32"])
def test_a_nul_in_a_body_of_any_declared_type_is_refused(client, referrer, content_type, encoding):
    response = client.generic(
        "POST",
        "/api/v1/referrals",
        _json_with_nul(encoding),
        content_type=content_type,
        **bearer(referrer),
    )
    assert response.status_code == 400, response.content
    assert NOT_ACCEPTED.format("the body") in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_raw_nul_byte_in_a_json_body_is_refused(client, referrer):
    body = json.dumps(referral_body(given_name="Ann")).replace("Ann", "A\x00nn").encode()
    response = client.generic(
        "POST", "/api/v1/referrals", body, content_type="text/plain", **bearer(referrer)
    )
    assert response.status_code == 400 and not Referral.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", ""])
@pytest.mark.parametrize("path", ["/fhir/", "/fhir/ServiceRequest"])
def test_a_nul_in_an_undeclared_fhir_body_is_an_operation_outcome(
    client, referrer, content_type, path
):
    bundle = json.dumps(gravity_bundle()).replace('"pat-53234"', '"pat-\\u000053234"', 1)
    response = client.generic("POST", path, bundle, content_type=content_type, **bearer(referrer))
    assert response.status_code == 400
    assert OperationOutcome.model_validate_json(response.content).issue[0].code == "invalid"
    assert not Referral.objects.exists()


def test_a_nul_in_a_header_is_refused(client, referrer):
    response = post(
        client, "/api/v1/referrals", referral_body(), referrer, HTTP_IDEMPOTENCY_KEY="k\x00"
    )
    assert response.status_code == 400
    assert NOT_ACCEPTED.format("a header") in response.json()["detail"]
    assert not Referral.objects.exists()


def test_a_utf16_body_without_a_nul_is_not_refused_for_its_zero_bytes(client, referrer):
    body = json.dumps(referral_body()).encode("utf-16-le")
    response = client.generic(
        "POST", "/api/v1/referrals", body, content_type="application/json", **bearer(referrer)
    )
    assert response.status_code != 400 or "U+0000" not in response.content.decode(errors="replace")


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]
)
def test_json_declared_as_a_form_is_still_checked_as_json(client, case, link_worker, content_type):
    # django-ninja reads the body as JSON whatever its type; its form parse holds no NUL, so
    # the form check alone let the note through to PostgreSQL (a 500 there).
    body = {"at": "2026-01-01T10:00:00Z", "mode": "phone", "minutes": 5, "notes": "a\x00b"}
    response = client.generic(
        "POST",
        f"/api/v1/cases/{case.pk}/contacts",
        json.dumps(body).encode(),
        content_type=content_type,
        **bearer(link_worker),
    )
    assert response.status_code == 400, response.content
    assert NOT_ACCEPTED.format("the body") in response.json()["detail"]
    assert not case.contacts.exists()
