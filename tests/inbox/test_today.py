"""The link worker's Today inbox and the count in the header."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell import inbox
from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.checkins import services as checkins
from linkwell.connections import services as connections
from tests.checkins.test_views import sent_link
from tests.connections.conftest import tasks_inline  # noqa: F401 — tasks inline, SMS in memory
from tests.connections.factories import connect, provider_service, provider_with_user
from tests.factories import make_case, person_details, user_with_role

pytestmark = pytest.mark.django_db


def texts(user, key):
    section = next(s for s in inbox.sections(user) if s.key == key)
    return [f"{e.person}: {e.text}" for e in section.entries()]


def test_follow_ups_due_today_and_overdue_for_my_cases_and_unassigned_ones(link_worker, pcn):
    today = timezone.localdate()
    mine = make_case(pcn=pcn, by=link_worker, given_name="Mine")
    services.assign(case=mine, link_worker=link_worker, by=link_worker)
    unassigned = make_case(pcn=pcn, by=link_worker, given_name="Nobody")
    colleague = user_with_role(Role.LINK_WORKER, pcn)
    theirs = make_case(pcn=pcn, by=link_worker, given_name="Theirs")
    services.assign(case=theirs, link_worker=colleague, by=colleague)
    elsewhere = make_case(by=None, given_name="Elsewhere")
    services.add_task(case=mine, title="Call today", due_on=today, by=link_worker)
    services.add_task(
        case=unassigned, title="Late", due_on=today - timedelta(days=2), by=link_worker
    )
    services.add_task(
        case=mine, title="Next week", due_on=today + timedelta(days=7), by=link_worker
    )
    done = services.add_task(case=mine, title="Done", due_on=today, by=link_worker)
    services.complete_task(task=done, by=link_worker)
    services.add_task(case=theirs, title="Not mine", due_on=today, by=colleague)
    services.add_task(case=elsewhere, title="Other PCN", due_on=today, by=None)

    assert texts(link_worker, "tasks") == ["Nobody Bloggs: Late", "Mine Bloggs: Call today"]
    overdue = next(s for s in inbox.sections(link_worker) if s.key == "tasks").entries()[0]
    assert overdue.flag == "Overdue"


def test_please_call_me_today_is_in_the_inbox_twice_over(client, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    case = make_case(pcn=pcn, by=worker, given_name="Edith", preferred_contact="text")
    services.assign(case=case, link_worker=worker, by=worker)
    connection = connect(case, provider_service(name="Walking group"), worker)
    token = sent_link(connection).strip("/").split("/")[-1]
    checkins.answer(token=token, answer="call_me")
    assert texts(worker, "check-ins") == ["Edith Bloggs: “Please call me” about Walking group"]
    assert any("Edith" in t for t in texts(worker, "tasks"))  # the task it made, due today

    client.force_login(worker)
    page = client.get("/today/").content.decode()
    assert "Call them" in page and "Please call me" in page
    assert f'href="/cases/{case.pk}/connections/#check-ins"' in page


def test_replies_from_services_but_not_the_link_workers_own_news(link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker, given_name="Ravi")
    service, provider = provider_with_user()
    replied = connect(case, service, link_worker)
    connections.update_status(
        connection=replied, to="accepted", by=provider, via="provider portal", provider=True
    )
    heard = connect(case, provider_service(name="Food bank"), link_worker)
    connections.update_status(connection=heard, to="accepted", by=link_worker, via="case page")
    assert texts(link_worker, "replies") == [f"Ravi Bloggs: {service.name}: accepted"]


def test_new_self_referrals_this_week(link_worker, pcn, practice):
    referral, _ = services.make_referral(
        origin_code=practice.ods_code,
        person=person_details(given_name="Sam"),
        source="self",
        reasons=["loneliness"],
        consent_given=True,
        by=None,
    )
    make_case(pcn=pcn, by=link_worker, given_name="FromGP")
    assert texts(link_worker, "self-referrals") == [
        "Sam Bloggs: Referred themselves: Loneliness and isolation"
    ]


def test_the_header_counts_the_inbox_for_link_workers_only(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker)
    services.add_task(case=case, title="Call", due_on=timezone.localdate(), by=link_worker)
    client.force_login(link_worker)
    page = client.get("/caseload/").content.decode()
    assert (
        'href="/today/" id="nav-today">Today <span class="nhsuk-tag nhsuk-tag--blue lw-count">1<'
        in page
    )
    client.force_login(user_with_role(Role.MANAGER, pcn))
    assert "nav-today" not in client.get("/caseload/").content.decode()
