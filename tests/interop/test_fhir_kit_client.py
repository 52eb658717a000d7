"""A Node FHIR client against a running Linkwell: the npm package fhir-kit-client refers,
searches, reads and updates with If-Match over HTTP (tests/interop/node/fhir_kit_client.mjs),
as tests/interop/test_clients.py does with Python's fhirclient."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases.models import Referral
from tests.connections.factories import connect, provider_with_user
from tests.factories import user_with_role
from tests.interop.test_fhir_referrals import gravity_bundle

NODE_DIR = Path(__file__).parent / "node"
NODE, NPM = shutil.which("node"), shutil.which("npm")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(NODE is None, reason="node is not installed"),
]


@pytest.fixture(scope="module")
def node_client():
    """fhir-kit-client installed from package-lock.json (npm ci) the first time it is needed."""
    if not (NODE_DIR / "node_modules" / "fhir-kit-client").exists():
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund"], cwd=NODE_DIR, check=True)

    def run(phase, **given):
        done = subprocess.run(
            [NODE, "fhir_kit_client.mjs", phase],
            cwd=NODE_DIR,
            input=json.dumps(given),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


def test_fhir_kit_client_refers_searches_reads_and_updates(live_server, practice, node_client):
    gp = user_with_role(Role.REFERRER, practice)
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    base = f"{live_server.url}/fhir/"

    seen = node_client("refer", base=base, token=create_token(user=gp), bundle=gravity_bundle())
    referral = Referral.objects.get()
    assert seen["reply"]["type"] == "transaction-response"
    assert [e["resource"]["id"] for e in seen["found"]["entry"]] == [str(referral.pk)]
    assert seen["request"]["meta"]["profile"] == [
        "http://hl7.org/fhir/us/sdoh-clinicalcare/StructureDefinition/SDOHCC-ServiceRequest"
    ]

    service, volunteer = provider_with_user()
    connection = connect(referral.case, service, worker)
    seen = node_client(
        "update", base=base, token=create_token(user=volunteer), task=f"connection-{connection.pk}"
    )
    assert seen["updated"]["status"] == "accepted"
    assert seen["stale"] == 412  # the second writer held the version read first
