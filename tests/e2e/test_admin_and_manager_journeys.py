"""The admin's journey on a phone-sized screen; the manager's at phone and desktop size."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Organisation, Role
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import open_from_header, sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_admin_requires_two_factor_and_reads_the_audit_log(page):
    practice = PracticeFactory()
    pcn = practice.parent
    admin = user_with_role(Role.ADMIN, pcn.parent, first_name="Ada", last_name="Mills")
    sign_in(page, admin.username)
    expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
    expect(page.locator("table")).to_contain_text(admin.username)  # their own sign-in

    open_from_header(page, "Organisations")
    assert_accessible(page)
    row = page.locator("tr", has_text=pcn.name)
    row.get_by_role("button", name="Require").click()
    expect(page.locator("main")).to_contain_text(f"Members of {pcn.name} now must")
    assert_accessible(page)
    assert Organisation.objects.get(pk=pcn.pk).require_two_factor


def test_manager_sees_the_caseload_and_exports_a_persons_record(screen):
    page = screen
    practice = PracticeFactory()
    manager = user_with_role(Role.MANAGER, practice.parent)
    case = make_case(practice=practice, by=None, given_name="Iris", family_name="Hale")
    sign_in(page, manager.username)  # lands on the headline figures (decision 0006)
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    open_from_header(page, "Caseload")
    assert_accessible(page)
    page.locator("#new-referrals").get_by_role("link", name="Iris Hale").click()
    expect(page.get_by_role("heading", name="Data protection")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Subject access export (PDF)").click()
    assert download.value.suggested_filename == f"subject-access-{case.person_id}.pdf"
    # A manager reads; only link workers change a case.
    expect(page.get_by_role("button", name="Change status")).to_have_count(0)
