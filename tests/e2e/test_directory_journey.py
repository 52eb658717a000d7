"""From a case, find support, pick a service and see it on the case (phone-sized screen)."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.geo.demo import SAMPLE
from linkwell.geo.services import import_onspd
from tests.directory.factories import HOME, load, record
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_find_support_and_pick_a_service(page):
    import_onspd(path=SAMPLE)
    load(
        record(name="Headingley Lunch Club", at=(HOME[0] + 0.01, HOME[1])),
        record(name="Money Matters", terms=("debt-advice",), at=HOME),
    )
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = make_case(
        practice=practice, given_name="Edith", family_name="Crawley", postcode="LS6 1AB"
    )

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/connections/")
    expect(page.locator("#support ~ p").first).to_contain_text("No services picked yet")
    assert_accessible(page)
    page.get_by_role("link", name="Find support").click()
    expect(page.get_by_role("heading", name="Find support for Edith Crawley")).to_be_visible()
    assert_accessible(page)

    page.get_by_text("When they can go and what suits them").click()
    page.get_by_label("Tuesday").check()
    page.get_by_label("Morning").check()
    page.get_by_role("button", name="Update the list").click()
    first = page.locator("#matches > li").first
    expect(first).to_contain_text("Headingley Lunch Club")
    expect(first).to_contain_text("Matches: loneliness and isolation")
    expect(first).to_contain_text("Open Tuesday mornings")
    expect(page.locator("#matches")).not_to_contain_text("Money Matters")
    assert_accessible(page)

    first.get_by_role("button", name="Pick Headingley Lunch Club").click()
    expect(page.locator("#shortlist")).to_contain_text("Headingley Lunch Club")
    expect(page.locator("#shortlist")).to_contain_text("Open Tuesday mornings")
