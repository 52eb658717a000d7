"""Real FHIR clients against a running Linkwell: the SMART `fhirclient` package (FHIR R4
models of its own) refers, searches, reads and updates with If-Match over HTTP, exactly as a
GP system or a provider's system built on it would."""

import pytest
import requests
from fhirclient import client as smart
from fhirclient.models.bundle import Bundle
from fhirclient.models.codeableconcept import CodeableConcept
from fhirclient.models.task import Task

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases.models import Referral
from tests.connections.factories import connect, provider_with_user
from tests.factories import user_with_role
from tests.interop.test_fhir_referrals import gravity_bundle

pytestmark = pytest.mark.django_db(transaction=True)


def server_for(live_server, user):
    """A fhirclient FHIRServer for the live server, sending `user`'s bearer token."""
    client = smart.FHIRClient(
        settings={"app_id": "linkwell-tests", "api_base": f"{live_server.url}/fhir/"}
    )
    client.server.session.headers["Authorization"] = f"Bearer {create_token(user=user)}"
    return client.server


def test_refer_search_read_and_update_with_if_match(live_server, practice):
    gp = user_with_role(Role.REFERRER, practice)
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    gp_system = server_for(live_server, gp)

    # create: the GP system posts a transaction Bundle (Patient + ServiceRequest)
    answer = Bundle(gravity_bundle()).create(gp_system)
    referral = Referral.objects.get()
    assert answer["type"] == "transaction-response"
    assert answer["entry"][-1]["response"]["location"].startswith(f"Task/{referral.pk}/_history/")

    # search: the referral's Task by the ServiceRequest it fulfils, through the searchset
    found = list(Task.where({"based-on": str(referral.pk)}).perform_resources_iter(gp_system))
    assert [t.id for t in found] == [str(referral.pk)] and found[0].status == "requested"

    # the link worker refers the person on to a provider whose system talks FHIR
    service, volunteer = provider_with_user()
    connection = connect(referral.case, service, worker)
    provider_system = server_for(live_server, volunteer)

    # read → change status → update, conditional on the version read
    task = Task.read(f"connection-{connection.pk}", provider_system)
    assert task.status == "requested" and task.meta.versionId
    read_version = task.meta.versionId
    task.status = "accepted"
    provider_system.session.headers["If-Match"] = f'W/"{read_version}"'
    updated = task.update(provider_system)
    assert updated["status"] == "accepted" and updated["meta"]["versionId"] != read_version

    # a second writer still holding the version read first is refused with 412
    task.status = "rejected"
    task.statusReason = CodeableConcept({"text": "Full"})
    with pytest.raises(requests.HTTPError) as refused:
        task.update(provider_system)
    assert refused.value.response.status_code == 412
    assert Task.read(f"connection-{connection.pk}", provider_system).status == "accepted"
