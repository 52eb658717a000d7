"""Steps shared by the browser journeys."""

from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible
from tests.factories import PASSWORD


def sign_in(page, username):
    page.goto("/accounts/sign-in/")
    assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert_accessible(page)  # where they land


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to Linkwell")).to_be_visible()
    assert_accessible(page)


def fill_person(page, *, given, family, born, postcode, phone, nhs_number=""):
    """The person's details as both referral forms ask for them; `born` is (day, month, year)."""
    page.get_by_label("First name").fill(given)
    page.get_by_label("Last name").fill(family)
    for label, part in zip(("Day", "Month", "Year"), born, strict=True):
        page.get_by_label(label).fill(str(part))
    if nhs_number:
        page.get_by_label("NHS number").fill(nhs_number)
    page.get_by_label("Postcode").fill(postcode)
    page.get_by_label("Phone number").fill(phone)


def open_from_header(page, name):
    """Follow a header link; on a phone the header moves what does not fit into "More"."""
    link = page.get_by_role("navigation", name="Menu").get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        page.get_by_role("button", name="More").click()
    link.click()
