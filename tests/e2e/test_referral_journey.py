"""The foundation journey, on a phone-sized screen: refer, work the case, discharge, see it."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import fill_person, sign_in, sign_out
from tests.factories import PracticeFactory, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_referral_to_discharge(page):
    practice = PracticeFactory(name="Moor Lane Surgery")
    referrer = user_with_role(Role.REFERRER, practice, first_name="Rachel", last_name="Green")
    worker = user_with_role(
        Role.LINK_WORKER, practice.parent, first_name="Lena", last_name="Walker"
    )

    # The GP practice refers.
    sign_in(page, referrer.username)
    # The vendored NHS.UK frontend styles are served (the header is NHS blue).
    expect(page.locator("header.nhsuk-header")).to_have_css("background-color", "rgb(0, 94, 184)")
    expect(page.get_by_role("heading", name="Referrals from your practice")).to_be_visible()
    page.get_by_role("link", name="Make a new referral").click()
    assert_accessible(page)
    fill_person(
        page,
        given="Edith",
        family="Crawley",
        born=(12, 7, 1939),
        nhs_number="943 476 5919",
        postcode="ls6 2ab",
        phone="0113 496 0123",
    )
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("Bereavement").check()
    page.get_by_label("What would help the link worker").fill(
        "Husband died in spring; rarely goes out."
    )
    page.get_by_label("The person agrees to be referred").check()
    page.get_by_role("button", name="Send referral").click()
    expect(page.locator("#referral-status")).to_have_text("Referral received")
    assert_accessible(page)
    sign_out(page)

    # The link worker finds it on their caseload and works it.
    sign_in(page, worker.username)
    new = page.locator("#new-referrals")
    expect(new).to_contain_text("Edith Crawley")
    expect(new).to_contain_text("943 476 5919")
    new.get_by_role("link", name="Edith Crawley").click()
    assert_accessible(page)
    page.get_by_role("button", name="Assign to me").click()
    page.wait_for_load_state()
    assert_accessible(page)

    quick = page.locator("#quick-contact")  # the header's quick contact
    quick.get_by_text("Record contact").click()
    quick.get_by_label("Phone", exact=True).check()
    quick.get_by_label("Minutes").fill("40")
    quick.get_by_label("Notes").fill("Long chat; keen to meet people.")
    quick.get_by_role("button", name="Save contact now").click()
    expect(page.locator("h1")).to_contain_text("Contacted")
    assert_accessible(page)

    page.locator(".lw-case-nav").get_by_role("link", name="Care plan").click()
    page.get_by_text("Record the what matters conversation").click()
    page.get_by_label("What matters to the person").fill("Having someone to talk to about Bert.")
    page.get_by_role("button", name="Save conversation").click()
    expect(page.locator("h1")).to_contain_text("What matters explored")
    assert_accessible(page)

    page.get_by_text("Agree a care and support plan").click()
    page.get_by_label("Plan agreed with the person").fill(
        "Try the bereavement café and a walking group."
    )
    page.get_by_role("button", name="Save plan").click()
    expect(page.locator("h1")).to_contain_text("Being supported")
    assert_accessible(page)

    page.get_by_text("Add a goal").click()
    page.get_by_label("Goal", exact=True).fill("Go to the café on Tuesday")
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator("#care-plan ~ .nhsuk-card").first).to_contain_text(
        "Go to the café on Tuesday"
    )
    assert_accessible(page)

    status = page.locator("#transition")  # in the header, on every page of the case
    status.get_by_text("Change status").first.click()
    status.get_by_label("Discharged").check()
    status.get_by_label("Reason or note").fill("Settled at the café; knows how to come back.")
    status.get_by_role("button", name="Change status").click()
    expect(page.locator("h1")).to_contain_text("Discharged")
    expect(page.locator(".lw-case-nav [aria-current=page]")).to_have_text("Care plan")
    page.locator(".lw-case-nav").get_by_role("link", name="Summary").click()
    expect(page.locator(".lw-timeline")).to_contain_text("Settled at the café")
    assert_accessible(page)
    sign_out(page)

    # The referrer sees what happened, without the notes.
    sign_in(page, referrer.username)
    row = page.locator("#referrals tr", has_text="Edith Crawley")
    expect(row).to_contain_text("Discharged")
    row.get_by_role("link", name="Edith Crawley").click()
    expect(page.locator("#referral-status")).to_have_text("Discharged")
    assert_accessible(page)
    expect(page.locator("main")).not_to_contain_text("Long chat")
