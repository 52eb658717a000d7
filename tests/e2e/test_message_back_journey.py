"""A link worker writes the follow-up advice, reviews the message back, records the person's
agreement, sends it to the GP and reads the letter, on a phone screen."""

import pytest
from playwright.sync_api import expect

from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory
from tests.standards.helpers import recorded_case

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_send_the_message_back_and_view_the_letter(page):
    practice = PracticeFactory(name="Chapel Allerton Surgery")
    case, worker = recorded_case(practice, discharge=False, given_name="Edith")

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/")
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
    expect(page.get_by_text("Message back sent to Chapel Allerton Surgery")).to_be_visible()
    assert_accessible(page)

    page.locator("#sent ~ ul").get_by_role("link", name="letter").first.click()
    expect(page.get_by_role("heading", name="Plan and requested actions")).to_be_visible()
    expect(page.locator("main")).to_contain_text("annual check")
    expect(
        page.get_by_role("heading", name="About me: what is most important to me")
    ).to_be_visible()
    expect(page.locator("main")).to_contain_text("Sent")
