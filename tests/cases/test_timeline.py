"""The case timeline: every kind of event from every app, newest first, filtered by kind, and
nothing from another PCN's case."""

import pytest
from django.core.exceptions import ValidationError

from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.cases.models import Contact
from linkwell.cases.timeline import Kind, gather
from linkwell.checkins import services as checkins
from linkwell.connections.services import update_status
from linkwell.standards.services import send_message_back
from tests.checkins.test_views import sent_link
from tests.connections.conftest import tasks_inline  # noqa: F401 — tasks inline, SMS in memory
from tests.factories import PracticeFactory, user_with_role
from tests.standards.helpers import recorded_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(practice):
    """A case recorded to the standard whose check-in was sent and answered before discharge."""
    case, worker = recorded_case(practice, discharge=False, preferred_contact="text")
    connection = case.connections.get()
    update_status(connection=connection, to="accepted", by=worker, via="provider portal")
    token = sent_link(connection).strip("/").split("/")[-1]  # the check-in text: a message sent
    checkins.answer(token=token, answer="call_me")
    services.record_follow_up_advice(case=case, follow_up_advice="Review in a year.", by=worker)
    services.transition(case=case, to="discharged", note="Goals met", by=worker)
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    return case, worker


def test_newest_first_with_every_kind(recorded):
    case, worker = recorded
    events = gather(case=case, user=worker)
    assert [e.at for e in events] == sorted((e.at for e in events), reverse=True)
    assert {e.kind for e in events} >= {
        Kind.CONTACT,
        Kind.STATUS,
        Kind.CONNECTION,
        Kind.MEASURE,
        Kind.CHECKIN,
        Kind.MESSAGE,
    }
    titles = [e.title for e in events]
    assert "Phone contact, 20 minutes" in titles
    assert "Tuesday Walkers: accepted" in titles and "Referred to Tuesday Walkers" in titles
    assert "Asked whether they got to Tuesday Walkers (text message)" in titles
    assert "Answered about Tuesday Walkers: “Please call me”" in titles
    assert "Check-in by text message" in titles


def test_filter_keeps_only_the_kinds_asked_for(recorded):
    case, worker = recorded
    events = gather(case=case, user=worker, kinds=[Kind.MEASURE, Kind.CONTACT])
    assert events and {e.kind for e in events} == {Kind.MEASURE, Kind.CONTACT}


def test_nothing_leaks_to_another_pcn(recorded):
    case, _ = recorded
    stranger = user_with_role(Role.LINK_WORKER, PracticeFactory().parent)
    assert gather(case=case, user=stranger) == []


def test_the_page_filters_without_javascript(client, recorded):
    case, worker = recorded
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/timeline/?kind=measure").content.decode()
    assert "UCLA" in page or "loneliness" in page.lower()
    assert "Phone contact, 20 minutes" not in page
    assert client.get(f"/cases/{case.pk}/timeline/?kind=nonsense").status_code == 400


def test_quick_contact_attempt_needs_no_minutes_and_moves_no_status(case, link_worker):
    contact = services.record_quick_contact(case=case, mode="attempted", by=link_worker)
    case.refresh_from_db()
    assert contact.mode == "attempted" and case.status == "received"
    assert case.first_contact_at is None


def test_quick_contact_made_needs_minutes(case, link_worker):
    with pytest.raises(ValidationError) as e:
        services.record_quick_contact(case=case, mode="phone", by=link_worker)
    assert "minutes" in e.value.message_dict
    assert not Contact.objects.filter(case=case).exists()
    services.record_quick_contact(case=case, mode="phone", minutes=15, by=link_worker)
    case.refresh_from_db()
    assert case.status == "contacted"


def test_quick_contact_returns_to_the_caseload(client, case, link_worker):
    client.force_login(link_worker)
    answer = client.post(
        f"/cases/{case.pk}/quick-contact/", {"mode": "attempted", "next": "/caseload/?mine=1"}
    )
    assert answer.status_code == 302 and answer["Location"] == "/caseload/?mine=1"
    away = client.post(
        f"/cases/{case.pk}/quick-contact/", {"mode": "attempted", "next": "https://evil.example/"}
    )
    assert away["Location"] == f"/cases/{case.pk}/"
    refused = client.post(f"/cases/{case.pk}/quick-contact/", {"mode": "phone", "notes": "kept"})
    assert refused.status_code == 422 and "kept" in refused.content.decode()
