"""Every answer under /fhir/ is FHIR; versions, formats and Prefer as the RESTful API says
(http://hl7.org/fhir/R4/http.html)."""

import functools
import json

import pytest
from django.test import Client
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.capabilitystatement import CapabilityStatement
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.task import Task

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.connections.lifecycle import Status
from linkwell.interop.routes import KINDS
from tests.connections.factories import connect, provider_with_user
from tests.factories import make_case, user_with_role
from tests.test_route_matrix import build_world

pytestmark = pytest.mark.django_db
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}


def fhir(response):
    """The FHIR resource of an answer (OperationOutcome for every refusal)."""
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"] == "application/fhir+json; charset=utf-8", response.content
    data = json.loads(response.content)
    if response.status_code >= 400:
        return OperationOutcome.model_validate(data)
    return get_fhir_model_class(data["resourceType"]).model_validate(data)


def _ids(world) -> dict:
    return {
        "Task": str(world.case.referral.pk),
        "ServiceRequest": str(world.case.referral.pk),
        "Patient": str(world.case.person.pk),
        "Consent": str(world.case.person.consents.first().pk),
        "Goal": str(world.goal.pk),
        "QuestionnaireResponse": str(world.measure.pk),
        "Observation": str(world.measure.pk),
        "Questionnaire": "swemwbs",
    }


def walk(world) -> list[str]:
    """Every route of the table with good and bad ids, sub-paths and parameters, and paths
    that name no route."""
    paths = ["", "metadata", "metadata?_format=nonsense", "Practitioner/1", "Nothing"]
    paths += ["Task/1/deep/path", "$everything", "_history", "Task/_history", "metadata/"]
    for kind, good in _ids(world).items():
        paths += [kind, f"{kind}?_count=lots", f"{kind}?nonsense=1", f"{kind}/_search"]
        for pk in (good, "999999", "not-a-number", "connection-999999"):
            paths += [f"{kind}/{pk}", f"{kind}/{pk}/_history", f"{kind}/{pk}/_history/1"]
        paths += [f"{kind}/{good}?_format=nonsense", f"{kind}/{good}/_history/1/more"]
    return paths


def test_every_route_answers_fhir_to_every_method_id_and_parameter():
    world = build_world()
    user = user_with_role(Role.LINK_WORKER, world.practice.parent)
    client = Client(enforce_csrf_checks=True)  # a bearer's PUT and DELETE need no CSRF token
    seen = set()
    for path in walk(world):
        for method in METHODS:
            response = client.generic(
                method, f"/fhir/{path}", b"{}", content_type="application/fhir+json", **bearer(user)
            )
            resource = fhir(response)
            seen.add(response.status_code)
            if response.status_code == 405:
                allowed = response["Allow"].split(", ")
                assert method not in allowed and allowed, (path, method)
                assert resource.issue[0].code == "not-supported"
    assert {200, 400, 404, 405, 422} <= seen


def test_unknown_types_and_history_are_404_operation_outcomes(client, link_worker):
    for path in ("Practitioner/1", "Patient", "Task/1/_history"):
        response = client.get(f"/fhir/{path}", **bearer(link_worker))
        assert response.status_code == 404
        assert fhir(response).issue[0].code == "not-supported"


def test_a_trailing_slash_is_a_404_naming_the_address_without_it(client, link_worker):
    for path in ("metadata/", "Task/", "Task/1/"):
        response = client.get(f"/fhir/{path}", **bearer(link_worker))
        assert response.status_code == 404
        diagnostics = fhir(response).issue[0].diagnostics
        assert f"/fhir/{path.rstrip('/')}." in diagnostics and "without a slash" in diagnostics


def test_a_session_write_without_the_csrf_token_is_a_403_operation_outcome(link_worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(link_worker)
    response = client.put("/fhir/Task/connection-1", b"{}", content_type="application/fhir+json")
    assert response.status_code == 403
    assert fhir(response).issue[0].diagnostics == "CSRF check failed."


def test_the_capability_statement_says_what_the_router_serves(client):
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    served = {r.type: [i.code for i in r.interaction] for r in statement.rest[0].resource}
    assert served == {kind.type: kind.interactions for kind in KINDS.values()}
    task = next(r for r in statement.rest[0].resource if r.type == "Task")
    assert {p.name for p in task.searchParam} >= {
        "_id",
        "_count",
        "status",
        "patient",
        "subject",
        "based-on",
        "owner",
        "_lastUpdated",
    }
    assert set(statement.format) == {"json", "xml"}


@pytest.fixture
def onward(pcn, link_worker):
    """An onward referral to a provider with a Linkwell account, and that provider's user."""
    service, volunteer = provider_with_user()
    case = make_case(pcn=pcn, by=link_worker, family_name="Crawley")
    return connect(case, service, link_worker), volunteer


def test_a_provider_sees_the_person_as_referred_and_the_pcn_sees_the_record(
    client, onward, link_worker
):
    connection, volunteer = onward
    url = f"/fhir/Task/connection-{connection.pk}"
    case = connection.case
    provider = json.loads(client.get(url, **bearer(volunteer)).content)
    assert provider["for"]["reference"] == f"Patient/referral-{case.referral_id}"
    staff = json.loads(client.get(url, **bearer(link_worker)).content)
    assert staff["for"]["reference"] == f"Patient/{case.person_id}"
    accepted = {**provider, "status": "accepted"}
    written = client.put(
        url, json.dumps(accepted), content_type="application/fhir+json", **bearer(volunteer)
    )
    assert json.loads(written.content)["for"] == provider["for"]


def test_read_modify_write_of_status_alone(client, onward):
    connection, volunteer = onward
    read = client.get(f"/fhir/Task/connection-{connection.pk}", **bearer(volunteer))
    task = json.loads(read.content)
    assert task["businessStatus"]["coding"][0]["code"] == "sent"
    task["status"] = "accepted"  # and nothing else, as a generic client does
    reply = client.put(
        f"/fhir/Task/connection-{connection.pk}",
        json.dumps(task),
        content_type="application/fhir+json",
        **bearer(volunteer),
    )
    assert reply.status_code == 200, reply.content
    connection.refresh_from_db()
    assert connection.status == Status.ACCEPTED


def test_a_declined_task_reads_back_with_its_reason(client, onward):
    connection, volunteer = onward
    read = client.get(f"/fhir/Task/connection-{connection.pk}", **bearer(volunteer))
    declined = {**json.loads(read.content), "status": "rejected"}
    declined["statusReason"] = {"text": "The group is full until spring"}
    reply = client.put(
        f"/fhir/Task/connection-{connection.pk}",
        json.dumps(declined),
        content_type="application/fhir+json",
        **bearer(volunteer),
    )
    assert reply.status_code == 200, reply.content
    again = Task.model_validate_json(
        client.get(f"/fhir/Task/connection-{connection.pk}", **bearer(volunteer)).content
    )
    assert again.status == "rejected"
    assert again.statusReason.text == "The group is full until spring"


def put_with_if_match(client, user, url, body, if_match):
    return client.put(
        url, body, content_type="application/fhir+json", HTTP_IF_MATCH=if_match, **bearer(user)
    )


def test_versions_etags_and_if_match(client, onward):
    connection, volunteer = onward
    url = f"/fhir/Task/connection-{connection.pk}"
    read = client.get(url, **bearer(volunteer))
    task = Task.model_validate_json(read.content)
    assert read["ETag"] == f'W/"{task.meta.versionId}"' and read["Last-Modified"]
    body = json.dumps({**json.loads(read.content), "status": "accepted"})

    put = functools.partial(put_with_if_match, client, volunteer, url, body)

    assert put('W/"12345"').status_code == 412  # a version it never had
    for malformed in ('W/"1', 'W/""', "W/", '"1" "2"', "1;2", 'W/"1", ,'):
        refused = put(malformed)  # not an entity tag: the client's mistake, said as such
        assert refused.status_code == 400, malformed
        assert "entity tags" in fhir(refused).issue[0].diagnostics
    connection.refresh_from_db()
    assert connection.status == Status.SENT
    done = put(read["ETag"])
    assert done.status_code == 200
    new = Task.model_validate_json(done.content)
    assert new.meta.versionId != task.meta.versionId
    assert done["ETag"] == f'W/"{new.meta.versionId}"'
    assert done["Location"].endswith(f"{url}/_history/{new.meta.versionId}")
    assert client.get(done["Location"], **bearer(volunteer)).status_code == 200
    stale = put(read["ETag"])  # the version read first has moved on
    assert stale.status_code == 412 and fhir(stale).issue[0].code == "conflict"
    old = client.get(f"{url}/_history/{task.meta.versionId}", **bearer(volunteer))
    assert old.status_code == 404


def test_formats_follow_format_and_accept(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker, given_name="Siân", family_name="Ó Brádaigh")
    url = f"/fhir/Patient/{case.person_id}"
    as_json = client.get(url, **bearer(link_worker))
    assert as_json["Content-Type"] == "application/fhir+json; charset=utf-8"
    assert json.loads(as_json.content.decode("utf-8"))["name"][0]["given"] == ["Siân"]
    patient = get_fhir_model_class("Patient")
    for how in ({"HTTP_ACCEPT": "application/fhir+xml"}, {"QUERY_STRING": "_format=xml"}):
        as_xml = client.get(url, **how, **bearer(link_worker))
        assert as_xml["Content-Type"] == "application/fhir+xml; charset=utf-8"
        assert patient.model_validate_xml(as_xml.content).name[0].family == "Ó Brádaigh"
    refused = client.get(url, HTTP_ACCEPT="text/plain", **bearer(link_worker))
    assert refused.status_code == 406 and fhir(refused).issue[0].code == "not-supported"
    browser = client.get(url, HTTP_ACCEPT="text/html,*/*;q=0.8", **bearer(link_worker))
    assert browser.status_code == 200


def test_bodies_of_another_type_are_415(client, onward):
    connection, volunteer = onward
    response = client.put(
        f"/fhir/Task/connection-{connection.pk}",
        "status=accepted",
        content_type="text/plain",
        **bearer(volunteer),
    )
    assert response.status_code == 415 and fhir(response).issue[0].code == "not-supported"


@pytest.mark.parametrize(
    ("prefer", "kind"),
    [
        ("return=minimal", None),
        ("return=representation", "Task"),
        ("return=OperationOutcome", "OperationOutcome"),
    ],
)
def test_prefer_return(client, onward, prefer, kind):
    connection, volunteer = onward
    url = f"/fhir/Task/connection-{connection.pk}"
    body = {**json.loads(client.get(url, **bearer(volunteer)).content), "status": "accepted"}
    reply = client.put(
        url,
        json.dumps(body),
        content_type="application/fhir+json",
        HTTP_PREFER=prefer,
        **bearer(volunteer),
    )
    assert reply.status_code == 200 and reply["ETag"] and reply["Location"]
    assert reply["Content-Type"] == "application/fhir+json; charset=utf-8"  # even with no body
    if kind is None:
        assert reply.content == b""
    else:
        assert json.loads(reply.content)["resourceType"] == kind


def test_the_bearer_scheme_is_matched_without_regard_to_case(client, onward):
    connection, volunteer = onward
    token = create_token(user=volunteer)
    url = f"/fhir/Task/connection-{connection.pk}"
    for scheme in ("bearer", "BEARER"):
        assert client.get(url, HTTP_AUTHORIZATION=f"{scheme} {token}").status_code == 200
    # a bearer's write needs no CSRF token, whatever the scheme's case
    csrf = Client(enforce_csrf_checks=True)
    body = json.dumps({**json.loads(client.get(url, **bearer(volunteer)).content)})
    put = csrf.put(
        url, body, content_type="application/fhir+json", HTTP_AUTHORIZATION=f"bearer {token}"
    )
    assert put.status_code == 200


def test_a_refused_token_is_challenged_as_invalid(client):
    missing = client.get("/fhir/Task")
    assert missing.status_code == 401 and missing["WWW-Authenticate"] == "Bearer"
    wrong = client.get("/fhir/Task", HTTP_AUTHORIZATION="Bearer lw_nothing_here")
    assert wrong.status_code == 401
    assert wrong["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert "refused" in fhir(wrong).issue[0].diagnostics


def test_a_conditional_read_answers_304_for_the_version_held(client, onward):
    connection, volunteer = onward
    url = f"/fhir/Task/connection-{connection.pk}"
    read = client.get(url, **bearer(volunteer))
    for held in (read["ETag"], read["ETag"].removeprefix("W/"), f'W/"0", {read["ETag"]}'):
        again = client.get(url, HTTP_IF_NONE_MATCH=held, **bearer(volunteer))
        assert again.status_code == 304 and again.content == b""
        assert "Content-Type" not in again
        assert again["ETag"] == read["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"0"', **bearer(volunteer)).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH='W/"0', **bearer(volunteer)).status_code == 400
    statement = CapabilityStatement.model_validate_json(client.get("/fhir/metadata").content)
    resources = {r.type: r for r in statement.rest[0].resource}
    assert resources["Task"].conditionalRead == "not-match"
    assert resources["ServiceRequest"].conditionalCreate is True  # If-None-Exist


def test_another_fhir_version_is_not_acceptable(client):
    asked = "application/fhir+json; fhirVersion=3.0"
    assert client.get("/fhir/metadata", HTTP_ACCEPT=asked).status_code == 406
    for version in ("4.0", "4.0.1"):
        accept = f"application/fhir+json; fhirVersion={version}"
        assert client.get("/fhir/metadata", HTTP_ACCEPT=accept).status_code == 200


def test_a_nul_character_is_refused_in_fhir_with_its_charset(client):
    response = client.get("/fhir/Task/%00")
    assert response.status_code == 400
    assert fhir(response).issue[0].code == "invalid"


def test_if_match_may_list_several_versions(client, onward):
    connection, volunteer = onward
    url = f"/fhir/Task/connection-{connection.pk}"
    read = client.get(url, **bearer(volunteer))
    body = json.dumps({**json.loads(read.content), "status": "accepted"})

    put = functools.partial(put_with_if_match, client, volunteer, url, body)

    stale = put('W/"1", W/"2"')
    assert stale.status_code == 412 and "1, 2" in fhir(stale).issue[0].diagnostics
    assert put(f'W/"1", {read["ETag"]}').status_code == 200  # one of them is current
