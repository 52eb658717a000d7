"""A link worker moves through a case's pages (each under the same header, the page shown
marked in the sub-navigation), then logs a contact attempt from the caseload row and finds it
on the timeline; at phone and desktop size, every page checked by axe-core."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PAGES = [  # sub-navigation link -> a heading only that page shows
    ("Care plan", "Care and support plan"),
    ("Connections", "Support found"),
    ("Measures", "Outcome measures"),
    ("Message back", "Message back to the GP and referrer"),
    ("Summary", "Follow-ups and tasks"),
]


def test_case_pages_and_a_quick_contact_from_the_caseload(screen):
    page = screen
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena", last_name="Ward")
    case = make_case(practice=practice, by=worker, given_name="Edith", family_name="Crawley")

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/")
    nav = page.locator(".lw-case-nav")
    for link, heading in PAGES:
        nav.get_by_role("link", name=link).click()
        expect(nav.get_by_role("link", name=link)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", name=heading, level=2)).to_be_visible()
        expect(page.locator("#quick-contact")).to_contain_text("Record contact")
        expect(page.locator("#transition")).to_contain_text("Change status")
        assert_accessible(page)

    page.goto("/caseload/?sort=waiting")
    assert_accessible(page)
    row = page.locator("#new-referrals tr", has_text="Edith Crawley")
    row.get_by_text("Log contact").click()
    row.get_by_label("How").select_option(label="Attempted — no answer")
    assert_accessible(page)
    row.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Contact recorded for Edith Crawley")).to_be_visible()
    expect(page).to_have_url(f"{page.url.split('/caseload/')[0]}/caseload/?sort=waiting")
    assert_accessible(page)

    page.get_by_role("link", name="Edith Crawley").first.click()
    page.locator(".lw-case-nav").get_by_role("link", name="Timeline").click()
    expect(page.locator("#timeline-events")).to_contain_text("Tried to make contact — no answer")
    assert_accessible(page)
