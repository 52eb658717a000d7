"""A text to a number that does not exist: the link worker sees it failed on the case, with a
task to check the number; the admin sees it in the Outbox, without the number."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.delivery.services import queue
from tests.delivery.conftest import database_tasks, notify, notify_server  # noqa: F401
from tests.delivery.test_outbox import run_worker
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import open_from_header, sign_in
from tests.factories import PracticeFactory, arrange, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("notify", "database_tasks")
def test_a_failed_text_shows_on_the_case_and_in_the_outbox(page):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = arrange(make_case(practice=practice, by=worker), link_worker=worker)
    queue(key="t", what="check-in", channel="text", to="0113 496 0000", case=case, body="Hi")
    run_worker()  # Notify answers 400: not a UK mobile number

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/message-back/")
    section = page.locator("#messages-sent + ul")
    expect(section).to_contain_text("Failed")
    expect(section).to_contain_text("Not a UK mobile number")
    expect(page.locator("main")).to_contain_text("Check the person's phone number")
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()

    admin = user_with_role(Role.ADMIN, practice.parent.parent)
    sign_in(page, admin.username)
    open_from_header(page, "Outbox")
    expect(page.locator("#problems + ul")).to_contain_text("Not a UK mobile number")
    expect(page.locator("main")).not_to_contain_text("0113 496 0000")
    assert_accessible(page)
