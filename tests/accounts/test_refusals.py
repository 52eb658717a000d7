"""Every refused request is audited (401 and 403), rate-limited per client address so a
scanner cannot flood the log (issue 15, item 12)."""

import pytest

from linkwell.accounts.models import AuditEntry

pytestmark = pytest.mark.django_db


def refusals():
    return AuditEntry.objects.filter(action="denied", object_type="request")


def test_an_anonymous_refusal_is_audited(client):
    assert client.get("/api/v1/cases", REMOTE_ADDR="198.51.100.3").status_code == 401
    assert client.get("/fhir/Patient/1", REMOTE_ADDR="198.51.100.3").status_code == 401
    entries = list(refusals())
    assert len(entries) == 2 and {e.detail["status"] for e in entries} == {401}
    assert {e.ip_address for e in entries} == {"198.51.100.3"} and entries[0].user is None


def test_a_role_refusal_is_audited_with_who(client, link_worker):
    client.force_login(link_worker)
    assert client.get("/accounts/audit/").status_code == 403
    entry = refusals().get()
    assert entry.user == link_worker and entry.detail == {"status": 403}
    assert entry.path == "/accounts/audit/"


def test_a_scanner_cannot_flood_the_log(client, settings):
    settings.REFUSALS_AUDITED_PER_MINUTE = 5
    for _ in range(12):
        client.get("/api/v1/cases", REMOTE_ADDR="203.0.113.66")
    assert refusals().filter(ip_address="203.0.113.66").count() == 5
    client.get("/api/v1/cases", REMOTE_ADDR="203.0.113.67")  # another client is still heard
    assert refusals().filter(ip_address="203.0.113.67").count() == 1
