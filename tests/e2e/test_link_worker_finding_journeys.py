"""A link worker at phone and desktop size: finds a closed case by phone number, postcode and
date of birth; pages through find support and picks a service from the directory; sees a
"please call me" answered today in the Today inbox. Every page checked by axe-core."""

import re

import pytest
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.checkins import services as checkins
from tests.directory.test_views import many, world  # noqa: F401 — 27 services near Jo Bloggs
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import open_from_header, sign_in
from tests.e2e.test_checkin_journey import checked_in, texts  # noqa: F401
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_search_finds_a_closed_case_and_says_it_is_closed(screen):
    page = screen
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    closed = make_case(
        practice=practice,
        by=worker,
        given_name="Ada",
        family_name="Okafor",
        phone="07700 900456",
        postcode="LS6 2QW",
    )
    services.transition(case=closed, to="declined", note="Did not want support", by=worker)
    make_case(practice=practice, by=worker, given_name="Bea", family_name="Okafor")

    sign_in(page, worker.username)
    search = page.get_by_label("Search by name, NHS number, date of birth, phone, email or")
    for query in ("07700900456", "ls6 2qw", "17/5/1950"):
        search.fill(query)
        page.get_by_role("button", name="Search").click()
        expect(page.locator("#closed-cases")).to_contain_text("Ada Okafor")
        expect(page.locator("#closed-cases")).to_contain_text("Closed")
        assert_accessible(page)
    # Both were born on 17 May 1950 (the factory's date): one open, one closed.
    expect(page.locator("#search-summary")).to_have_text(
        "2 cases match “17/5/1950”. 1 of these cases is closed."
    )


def test_find_support_pages_and_picks_from_the_directory(screen, world, many):  # noqa: F811
    page = screen
    case = world["case"]
    worker = user_with_role(Role.LINK_WORKER, world["pcn"])

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/find-support/")
    expect(page.locator("#match-count")).to_have_text("27 services; 1–20 shown")
    assert_accessible(page)
    page.get_by_role("link", name="Next").click()
    expect(page.locator("#match-count")).to_have_text("27 services; 21–27 shown")
    # Another page of results is no preference: the panel stays closed.
    expect(page.get_by_label("Free services only")).to_be_hidden()
    assert_accessible(page)

    page.get_by_role("link", name="Search the whole directory").click()
    expect(page.get_by_text("Finding support for Jo Bloggs")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Search (optional)").fill("money")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#result-count")).to_have_text("1 service")
    assert_accessible(page)
    page.get_by_role("link", name="Money matters").click()
    assert_accessible(page)
    page.get_by_role("button", name="Pick for Jo Bloggs").click()
    expect(page.locator("#shortlist")).to_contain_text("Money matters")
    assert_accessible(page)


def test_please_call_me_raised_today_is_in_the_inbox(screen, texts):  # noqa: F811
    page = screen
    worker, case, path = checked_in(texts)
    checkins.answer(token=path.strip("/").split("/")[-1], answer="call_me")

    sign_in(page, worker.username)
    expect(page.locator("#nav-today")).to_contain_text("2")  # the answer, and the call it asks
    open_from_header(page, re.compile(r"^Today"))
    answers = page.locator("#check-ins-list")
    expect(answers).to_contain_text("Call them")
    expect(answers).to_contain_text("“Please call me” about Chapeltown walking group")
    expect(page.locator("#tasks-list")).to_contain_text("Edith Crawley: Phone Edith")
    assert_accessible(page)
    answers.get_by_role("link", name="Edith Crawley").click()
    expect(page.locator("h1")).to_contain_text("Edith Crawley")
    assert f"/cases/{case.pk}/" in page.url
    assert_accessible(page)
