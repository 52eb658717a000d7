"""The caseload at scale: counted sections, paging, sorting, and bulk assign or close."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.models import Role
from linkwell.cases import queries, services
from linkwell.cases.models import Case
from tests.factories import make_case, user_with_role

pytestmark = pytest.mark.django_db


def test_sections_are_counted_and_paged(client, link_worker, pcn):
    cases = [make_case(pcn=pcn, by=link_worker, given_name=f"Person{i:02d}") for i in range(4)]
    load = queries.caseload(link_worker, per_page=3)
    assert load.new_referrals.count == 4
    assert [c.pk for c in load.new_referrals] == [c.pk for c in cases[:3]]
    second = queries.caseload(link_worker, per_page=3, pages={"new": "2"})
    assert [c.pk for c in second.new_referrals] == [cases[3].pk]

    client.force_login(link_worker)
    for i in range(queries.PAGE_SIZE + 1 - 4):
        make_case(pcn=pcn, by=link_worker, given_name=f"More{i:02d}")
    page = client.get("/caseload/?sort=waiting").content.decode()
    assert f"({queries.PAGE_SIZE + 1}; 1–{queries.PAGE_SIZE} shown)" in page
    assert "new_page=2" in page and "Person00" in page
    last = client.get("/caseload/?sort=waiting&new_page=2").content.decode()
    assert "Person00" not in last and f"More{queries.PAGE_SIZE - 4:02d}" in last


def test_sorting_by_recently_updated_and_due_soonest(link_worker, pcn):
    first, second, third = (make_case(pcn=pcn, by=link_worker) for _ in range(3))
    for case in (first, second, third):
        services.record_contact(
            case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
        )
    today = timezone.localdate()
    services.add_task(case=third, title="Call", due_on=today + timedelta(days=1), by=link_worker)
    services.add_task(case=second, title="Call", due_on=today + timedelta(days=5), by=link_worker)

    def order(sort):
        return [c.pk for c in queries.caseload(link_worker, sort=sort).active_cases]

    assert order("waiting") == [first.pk, second.pk, third.pk]
    assert order("due") == [third.pk, second.pk, first.pk]  # no follow-up set comes last
    assert order("updated") == [second.pk, third.pk, first.pk]  # the last worked on first


def test_bulk_assign_moves_every_ticked_case(client, link_worker, pcn):
    colleague = user_with_role(Role.LINK_WORKER, pcn, first_name="Kofi", last_name="Mensah")
    a, b, untouched = (make_case(pcn=pcn, by=link_worker) for _ in range(3))
    client.force_login(link_worker)
    page = client.get("/caseload/").content.decode()
    assert f'id="select-{a.pk}"' in page and "Kofi Mensah" in page
    response = client.post(
        "/caseload/bulk/",
        {"cases": [a.pk, b.pk], "action": "assign", "link_worker": colleague.pk},
    )
    assert response.status_code == 302
    assert {c.link_worker_id for c in Case.objects.filter(pk__in=[a.pk, b.pk])} == {colleague.pk}
    untouched.refresh_from_db()
    assert untouched.link_worker_id != colleague.pk


def test_bulk_close_is_all_or_nothing_and_names_the_refusals(client, link_worker, pcn):
    waiting = make_case(pcn=pcn, by=link_worker, given_name="Wendy")
    supported = make_case(pcn=pcn, by=link_worker, given_name="Sunil")
    services.record_contact(
        case=supported, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
    )
    client.force_login(link_worker)
    # A contacted case cannot become "unable to contact": nothing may change.
    refused = client.post(
        "/caseload/bulk/",
        {"cases": [waiting.pk, supported.pk], "action": "close", "to": "unable_to_contact"},
    )
    assert refused.status_code == 422
    body = refused.content.decode()
    assert "Sunil" in body and "Nothing was changed" in body
    assert (
        f'id="select-{waiting.pk}" name="cases" type="checkbox" value="{waiting.pk}" checked'
        in body
    )
    assert Case.objects.get(pk=waiting.pk).status == "received"
    done = client.post(
        "/caseload/bulk/",
        {"cases": [waiting.pk, supported.pk], "action": "close", "to": "declined"},
    )
    assert done.status_code == 302
    assert set(
        Case.objects.filter(pk__in=[waiting.pk, supported.pk]).values_list("status", flat=True)
    ) == {"declined"}


def test_bulk_actions_refuse_missing_choices_and_other_pcns_cases(client, link_worker, pcn):
    ours = make_case(pcn=pcn, by=link_worker)
    theirs = make_case(by=None)
    client.force_login(link_worker)
    nothing = client.post("/caseload/bulk/", {"action": "assign", "link_worker": link_worker.pk})
    assert nothing.status_code == 422 and "Select at least one case." in nothing.content.decode()
    no_one = client.post("/caseload/bulk/", {"cases": [ours.pk], "action": "assign"})
    assert "Choose who to assign the cases to." in no_one.content.decode()
    other = client.post(
        "/caseload/bulk/",
        {"cases": [ours.pk, theirs.pk], "action": "close", "to": "declined"},
    )
    assert other.status_code == 422
    assert "not on your caseload" in other.content.decode()
    assert Case.objects.get(pk=ours.pk).status == "received"


def test_managers_see_no_bulk_actions(client, pcn):
    make_case(pcn=pcn, by=None)
    manager = user_with_role(Role.MANAGER, pcn)
    client.force_login(manager)
    page = client.get("/caseload/").content.decode()
    assert "Selected cases" not in page and 'name="cases"' not in page


def test_an_attempted_contact_is_kept_but_is_not_contact(link_worker, pcn):
    from linkwell.cases.models import Contact

    case = make_case(pcn=pcn, by=link_worker)
    services.record_contact(
        case=case, at=timezone.now(), mode="attempted", minutes=1, notes="", by=link_worker
    )
    case.refresh_from_db()
    assert case.status == "received" and case.first_contact_at is None
    assert Contact.objects.get(case=case).get_mode_display() == "Attempted — no answer"
    services.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=10, notes="", by=link_worker
    )
    case.refresh_from_db()
    assert case.status == "contacted" and case.first_contact_at is not None


def test_bulk_with_ticks_that_name_no_case_is_refused_not_a_server_error(client, link_worker):
    # "²" passed str.isdigit() and then failed int() while the form was shown again.
    client.force_login(link_worker)
    response = client.post("/caseload/bulk/", {"cases": ["²", "9" * 25], "action": "assign"})
    assert response.status_code == 422
