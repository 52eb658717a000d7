"""A link worker writes the follow-up advice, reviews the message back, records the person's
agreement, sends it to the GP and reads the letter, on a phone screen; the worker delivers it
to the practice's mailbox in a local MESH sandbox and the page says when the practice has it."""

import pytest
from playwright.sync_api import expect

from linkwell.delivery.services import refresh_sent
from tests.delivery.conftest import (  # noqa: F401 — fixtures: MESH sandbox, database tasks
    GP_PRACTICE,
    database_tasks,
    gp_client,
    mesh,
    mesh_sandbox,
)
from tests.delivery.test_outbox import run_worker
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory
from tests.standards.helpers import recorded_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("mesh", "database_tasks")
def test_send_the_message_back_and_view_the_letter(page, settings):
    practice = PracticeFactory(name="Chapel Allerton Surgery", ods_code=GP_PRACTICE)
    case, worker = recorded_case(practice, discharge=False, given_name="Edith")

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/message-back/")
    page.get_by_text("Write the follow-up advice").click()
    page.get_by_label("Follow-up advice for the GP and referrer").fill(
        "Please review her mood at the next annual check."
    )
    page.get_by_role("button", name="Save advice").click()
    expect(page.locator("#follow-up-advice ~ p").first).to_contain_text("annual check")
    assert_accessible(page)

    page.get_by_role("link", name="Review and send the message back").click()
    expect(page.locator("h1")).to_contain_text("Message back to the GP and referrer")
    # What the GP receives, reviewed before sending (a refusal without agreement is a 422,
    # which the console-error guard would count: tests/standards/test_message_back.py has it).
    page.get_by_text("What goes to the GP practice").click()
    expect(page.locator("#preview-gp")).to_contain_text("annual check")
    assert_accessible(page)
    page.get_by_label("GP practice").check()
    page.get_by_label("The person agrees to this summary being sent").check()
    page.get_by_role("button", name="Send the message back").click()
    expect(
        page.get_by_text("Message back to Chapel Allerton Surgery saved and queued")
    ).to_be_visible()
    assert_accessible(page)
    run_worker()  # `linkwell worker`: MESH to the practice's mailbox
    page.reload()
    expect(page.locator("#sent ~ ul")).to_contain_text(
        f"In the practice's MESH mailbox {GP_PRACTICE}GP1"
    )
    assert_accessible(page)
    with gp_client(settings.MESH_URL) as gp:  # the practice's system collects it
        for message_id in gp.list_messages():
            gp.acknowledge_message(message_id)
    refresh_sent()
    page.reload()
    expect(page.locator("#sent ~ ul")).to_contain_text("Delivered to the practice on")
    assert_accessible(page)

    page.locator("#sent ~ ul").get_by_role("link", name="letter").first.click()
    expect(page.get_by_role("heading", name="Plan and requested actions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("annual check")
    expect(
        page.get_by_role("heading", name="About me: what is most important to me")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sent")
