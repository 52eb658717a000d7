"""A link worker's day at phone and desktop size: the Today inbox, a long caseload paged and
sorted, bulk assignment; every page checked by axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.cases import services
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_inbox_and_a_paged_caseload_with_bulk_assignment(screen):
    page = screen
    practice = PracticeFactory()
    pcn = practice.parent
    worker = user_with_role(Role.LINK_WORKER, pcn, first_name="Lena", last_name="Walker")
    user_with_role(Role.LINK_WORKER, pcn, first_name="Kofi", last_name="Mensah")
    cases = [
        make_case(practice=practice, by=worker, given_name=f"Person{i:02d}") for i in range(27)
    ]
    due = cases[0]
    services.assign(case=due, link_worker=worker, by=worker)
    services.add_task(case=due, title="Ring back", due_on=timezone.localdate(), by=worker)
    services.add_task(
        case=cases[1],
        title="Send leaflet",
        due_on=timezone.localdate() - timedelta(days=3),
        by=worker,
    )

    sign_in(page, worker.username)
    expect(page.locator("#nav-today")).to_contain_text("2")
    expect(page.locator("#new-heading")).to_contain_text("(27; 1–25 shown)")
    page.get_by_role("link", name=re.compile("Next.*New referrals waiting, page 2 of 2")).click()
    expect(page.locator("#new-referrals")).to_contain_text("Person26")
    expect(page.locator("#new-referrals")).not_to_contain_text("Person00")
    assert_accessible(page)

    page.get_by_label("Select Person25 Bloggs").check()
    page.get_by_label("Select Person26 Bloggs").check()
    page.get_by_label("Assign to").select_option(label="Kofi Mensah")
    page.get_by_role("button", name="Assign selected").click()
    expect(page.get_by_text("Assigned 2 to Kofi Mensah.")).to_be_visible()
    assert_accessible(page)

    page.goto("/today/")
    tasks = page.locator("#tasks-list")
    expect(tasks).to_contain_text("Person00 Bloggs: Ring back")
    expect(tasks).to_contain_text("Overdue")
    assert_accessible(page)
    tasks.get_by_role("link", name="Person01 Bloggs").click()
    expect(page.locator("h1")).to_contain_text("Person01 Bloggs")
    assert_accessible(page)
