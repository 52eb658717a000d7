"""A manager opens the report, narrows it to one PCN and downloads a table as CSV."""

import csv
import io

import pytest
from playwright.sync_api import expect

import linkwell.urls  # noqa: F401 — loaded here, not in the server's first request (seconds)
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import open_from_header, sign_in
from tests.reporting.world import build_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_manager_filters_the_report_and_downloads_a_csv(page):
    world = build_world()
    sign_in(page, world.manager.username)  # an ICB commissioner: lands on the headlines
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    expect(page.get_by_role("table", name="Headline figures, PCN by PCN")).to_be_visible()
    expect(page.get_by_role("link", name="Caseload", exact=True)).to_have_count(0)
    open_from_header(page, "Reports")
    expect(page.get_by_role("heading", name="Referrals", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("PCN").select_option(label=world.pcns[0].name)
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_role("table", name="Referrals received by month and source")).to_be_visible()
    assert_accessible(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV of Referrals by age band at referral").click()
    content = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(content)))
    assert "Counts of 1 to 7 are shown as *" in rows[1][0]
    assert ["Age band", "Referrals"] in rows
    total = next(r for r in rows if r and r[0] == "Total")
    assert total[1] == "10"  # the PCN's 12 referrals, rounded to the nearest 5
