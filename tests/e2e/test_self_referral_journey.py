"""A person refers themselves on a phone; the link worker finds them on the caseload."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.portal import abuse
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import fill_person, sign_in
from tests.factories import PracticeFactory, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_self_referral_arrives_on_the_caseload(page, monkeypatch):
    # A test fills the form faster than any person; the time check has its own unit tests.
    monkeypatch.setattr(abuse, "MIN_SECONDS", 0)
    practice = PracticeFactory(name="Hyde Park Surgery")
    worker = user_with_role(Role.LINK_WORKER, practice.parent)

    page.goto("/accounts/sign-in/")
    page.get_by_role("link", name="Refer yourself to social prescribing").click()
    assert_accessible(page)
    page.get_by_label("Your GP practice").select_option(label="Hyde Park Surgery")
    fill_person(
        page,
        given="Gwen",
        family="Morgan",
        born=(2, 3, 1962),
        postcode="LS6 1AB",
        phone="07700 900321",
    )
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("I agree to the social prescribing team").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert_accessible(page)

    sign_in(page, worker.username)
    new = page.locator("#new-referrals")
    expect(new).to_contain_text("Gwen Morgan")
    new.get_by_role("link", name="Gwen Morgan").click()
    expect(page.locator("#person")).to_contain_text("Self-referral")
