"""Onward referrals POSTed to a provider's own FHIR endpoint, with only the shared details."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.models import Role
from linkwell.directory.models import DirectoryOrganisation
from linkwell.interop import provider_systems
from tests.connections.factories import connect, provider_service
from tests.factories import make_case, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoint():
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 — the http.server convention
            received.append(self.rfile.read(int(self.headers["Content-Length"])))
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.end_headers()
            self.wfile.write(b'{"resourceType": "Bundle", "type": "transaction-response"}')

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/fhir", received
    server.shutdown()
    server.server_close()  # the listening socket, else a ResourceWarning (an error here)


@pytest.fixture(autouse=True)
def tasks_inline(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_referral_reaches_the_providers_fhir_endpoint_with_only_shared_details(pcn, endpoint):
    url, received = endpoint
    worker = user_with_role(Role.LINK_WORKER, pcn)
    case = make_case(pcn=pcn, by=worker, family_name="Crawley", phone="07700 900123")
    service = provider_service(email="hello@example.org")
    DirectoryOrganisation.objects.filter(pk=service.organisation_id).update(
        extra={"fhir_endpoint": url}
    )
    connect(case, service, worker, shared=("name", "reasons"))
    (body,) = received
    bundle = Bundle.model_validate(json.loads(body))
    patient, request, task = (e.resource for e in bundle.entry)
    assert patient.name[0].family == "Crawley" and patient.telecom is None  # phone not shared
    assert patient.identifier is None and patient.birthDate is None
    assert request.reasonCode[0].coding[0].code == "loneliness"
    assert task.status == "requested" and task.focus.reference == bundle.entry[1].fullUrl


def test_no_endpoint_sends_nothing(pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    connection = connect(make_case(pcn=pcn, by=worker), provider_service(), worker)
    assert provider_systems.send_referral(connection) is False
