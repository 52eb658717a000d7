"""A link worker refers a case to a service; the provider, on a phone, accepts and marks the
person as attended with one tap each; the case shows the history."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.directory.services import shortlist
from tests.connections.factories import provider_with_user
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in, sign_out
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_provider_one_tap_updates_on_a_phone(page):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = make_case(practice=practice, given_name="Edith", family_name="Crawley")
    service, volunteer = provider_with_user(first_name="Vic")
    shortlist(case=case, service=service, by=worker)

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/connections/")
    page.get_by_role("link", name="Refer to a service").click()
    expect(page.get_by_role("heading", name="Refer Edith Crawley to a service")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Service", exact=True).select_option(service.pk)
    page.get_by_label("They agreed to share these details with this service").check()
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator(f"#connection-{case.connections.get().pk}")).to_contain_text("Sent")
    assert_accessible(page)
    sign_out(page)

    sign_in(page, volunteer.username)
    page.goto("/provider/")
    card = page.locator("#waiting ~ .nhsuk-card").first
    expect(card).to_contain_text("Edith Crawley")
    assert_accessible(page)
    accept = card.get_by_role("button", name="Accept")
    box = accept.bounding_box()
    assert box["width"] >= 300 and box["height"] >= 40  # a thumb-sized, full-width button
    accept.click()
    expect(page.get_by_role("status")).to_contain_text("Edith Crawley: marked as accepted")
    assert_accessible(page)
    page.get_by_role("button", name="Attended").click()
    expect(page.get_by_role("status")).to_contain_text("marked as attended")
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    sign_out(page)

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/connections/")
    history = page.locator("#connections ~ .nhsuk-card .lw-timeline").first
    expect(history).to_contain_text("Sent")
    expect(history).to_contain_text("Accepted")
    expect(history).to_contain_text("Attended")
    expect(history).to_contain_text("Vic")
