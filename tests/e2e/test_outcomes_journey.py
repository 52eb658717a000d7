"""A link worker takes SWEMWBS with the person at baseline and follow-up, on a phone-sized
screen, and sees the change on the case."""

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.outcomes.instruments import BUILT_IN
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def take_swemwbs(page, timepoint: str, answer: str):
    page.get_by_role("link", name="Take a measure").click()
    assert_accessible(page)
    page.get_by_role("link", name="SWEMWBS", exact=True).click()
    assert_accessible(page)
    form = page.locator("form", has=page.get_by_role("button", name="Save SWEMWBS"))
    form.get_by_role("group", name="Point in the person's support").get_by_label(timepoint).check()
    form.get_by_label("In person").check()
    for item in BUILT_IN["swemwbs"].items:
        form.get_by_role("group", name=item.text).get_by_label(answer, exact=True).check()
    form.get_by_role("button", name="Save SWEMWBS").click()


def test_baseline_and_follow_up_show_the_change_on_the_case(page):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = make_case(practice=practice, by=worker, given_name="Edith", family_name="Crawley")

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/measures/")
    measures = page.locator("section.lw-measure")
    expect(page.locator("#measures ~ p").first).to_contain_text("No outcome measures taken yet")
    assert_accessible(page)

    take_swemwbs(page, "Baseline", "Rarely")  # raw 14 → metric 15.32
    expect(page.locator("h1")).to_contain_text("Edith Crawley")
    expect(measures).to_contain_text("15.32")
    assert_accessible(page)

    take_swemwbs(page, "Follow-up", "Some of the time")  # raw 21 → metric 19.25
    table = measures.get_by_role("table")
    expect(table).to_contain_text("19.25")
    follow_up = table.locator("tr", has_text="Follow-up")
    expect(follow_up).to_contain_text("+3.93")
    expect(follow_up).to_contain_text("Meaningful improvement")
    expect(measures.locator("svg.lw-chart circle")).to_have_count(2)
    expect(measures).to_contain_text("2.87 points or more")
