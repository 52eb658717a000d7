"""The case page at phone and desktop size: a quick contact attempt from the header, then the
timeline filtered by kind through its plain GET form; every page checked by axe-core."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_quick_contact_and_the_filtered_timeline(screen):
    page = screen
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena", last_name="Ward")
    case = make_case(practice=practice, by=worker, given_name="Edith")

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/")
    expect(page.locator("#case-facts")).to_contain_text("Unassigned")
    assert_accessible(page)
    quick = page.locator("#quick-contact")
    quick.get_by_text("Record contact").click()
    quick.get_by_label("Attempted — no answer").check()
    quick.get_by_role("button", name="Save contact now").click()
    expect(page.get_by_text("Contact recorded for Edith")).to_be_visible()
    assert_accessible(page)

    page.locator(".lw-case-nav").get_by_role("link", name="Timeline").click()
    events = page.locator("#timeline-events")
    expect(events).to_contain_text("Tried to make contact — no answer")
    assert_accessible(page)
    page.get_by_label("Status changes").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(f"{page.url.split('?')[0]}?kind=status")
    expect(page.locator("#maincontent")).not_to_contain_text("Tried to make contact")
    expect(page.get_by_label("Status changes")).to_be_checked()
    assert_accessible(page)
