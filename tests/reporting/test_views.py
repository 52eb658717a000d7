"""The dashboard, its filters, scope and downloads, as a manager uses them."""

import csv
import io

import pytest
from openpyxl import load_workbook

from linkwell.accounts.models import AuditEntry, Role
from linkwell.geo.services import import_imd, import_list_sizes
from linkwell.reporting.sections import SECTIONS
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _csv(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_an_icb_manager_sees_every_section_with_charts_and_tables(client, world):
    client.force_login(world.manager)
    response = client.get("/reporting/")
    html = response.content.decode()
    assert response.status_code == 200
    for section in SECTIONS:
        assert f'id="section-{section.key}"' in html
    assert html.count('<svg class="lw-chart"') >= 5 and "<caption" in html
    assert "Counts of 1 to 7 are shown as *" in html
    assert world.pcns[1].name in html and world.other_pcn.name not in html


def test_another_icbs_pcn_is_a_404_that_is_audited(client, world):
    client.force_login(world.manager)
    assert client.get(f"/reporting/pcn/{world.pcns[1].pk}/").status_code == 200
    assert client.get(f"/reporting/pcn/{world.other_pcn.pk}/").status_code == 404
    assert AuditEntry.objects.filter(action="denied", user=world.manager).exists()
    client.force_login(world.pcn_manager)  # a PCN manager: not even the sister PCN
    assert client.get(f"/reporting/pcn/{world.pcns[1].pk}/").status_code == 404


@pytest.mark.parametrize(
    "query, message",
    [
        ("pcn=999999", "Choose a PCN from the list"),
        ("practice=abc", "Choose a GP practice from the list"),
        ("link_worker=-1", "Choose a Link worker from the list"),
        ("start=2026-13", "is not a month"),
        ("start=2026-06&end=2026-01", "must not be after"),
        ("start=2020-01&end=2026-01", "at most 36 months"),
    ],
)
def test_bad_filters_are_explained_never_a_crash(client, world, query, message):
    client.force_login(world.manager)
    response = client.get(f"/reporting/?{query}")
    assert response.status_code == 200 and message in response.content.decode()
    assert 'id="section-referrals"' not in response.content.decode()
    download = client.get(f"/reporting/export/all.csv?{query}")
    assert download.status_code == 400 and message in download.content.decode()


def test_a_period_with_no_data_shows_zeros(client, world):
    client.force_login(world.manager)
    rows = _csv(client.get("/reporting/export/referrals_by_month.csv?start=2019-01&end=2019-03"))
    assert ["Total", "0", "0", "0", "0"] in rows


def test_another_icbs_pcn_in_the_filter_is_refused(client, world):
    client.force_login(world.manager)
    response = client.get(f"/reporting/?pcn={world.other_pcn.pk}")
    assert "Choose a PCN from the list" in response.content.decode()


def test_csv_and_xlsx_exports_are_suppressed_and_rounded(client, world):
    client.force_login(world.manager)
    rows = _csv(client.get(f"/reporting/export/referrals_by_month.csv?pcn={world.pcns[0].pk}"))
    assert "Counts of 1 to 7" in rows[1][0]
    numbers = [c for row in rows[4:] for c in row[1:] if c.isdigit()]
    assert numbers and all(int(n) % 5 == 0 and not 1 <= int(n) <= 7 for n in numbers)
    assert any("*" in row for row in rows)  # 12 referrals over months: small cells hidden
    book = load_workbook(io.BytesIO(client.get("/reporting/export/all.xlsx").content))
    assert "referrals_by_month" in book.sheetnames and "discharges" in book.sheetnames
    cells = [c for ws in book for row in ws.iter_rows(values_only=True) for c in row]
    assert not any(isinstance(c, int) and 1 <= c <= 7 for c in cells)


def test_unknown_table_or_format_is_404(client, world):
    client.force_login(world.manager)
    assert client.get("/reporting/export/nothing.csv").status_code == 404
    assert client.get("/reporting/export/all.docx").status_code == 404


def test_printable_page_and_pdf(client, world):
    client.force_login(world.manager)
    page = client.get("/reporting/print/").content.decode()
    assert "reporting/print.css" in page and "Show the report" not in page
    pdf = client.get("/reporting/report.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_the_national_return_download_and_bad_month(client, world):
    client.force_login(world.manager)
    rows = _csv(client.get("/reporting/national-return.csv?month=2026-11"))
    assert rows[0] == [
        "reporting_period",
        "pcn_ods_code",
        "pcn_name",
        "snomed_code",
        "snomed_term",
        "count",
    ]
    assert {r[2] for r in rows[1:]} == {p.name for p in world.pcns}
    bad = client.get("/reporting/national-return.csv?month=November")
    assert bad.status_code == 400 and b"YYYY-MM" in bad.content


def test_deprivation_compares_referrals_with_registered_patients(client, world, settings):
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 0, 1  # exact, to check
    from tests.geo.test_imd import IMD, LIST_SIZES

    import_imd(path=IMD)
    import_list_sizes(path=LIST_SIZES)
    for practice, code in zip(world.practices, ("B86032", "B83628"), strict=True):
        practice.ods_code = code
        practice.save()
    client.force_login(world.manager)
    rows = _csv(client.get("/reporting/export/referrals_by_practice.csv"))
    by_name = {r[0]: r for r in rows if r}
    leeds = by_name[world.practices[0].name]
    assert leeds[1] == "12" and leeds[2] == "18982"
    assert leeds[3] == f"{1000 * 12 / 18982:.1f}"


def test_the_person_s_area_quintile_is_shown_as_counts_with_its_basis(client, world, settings):
    from tests.reporting.world import add_deprivation

    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 0, 1
    add_deprivation(world)
    client.force_login(world.manager)
    rows = _csv(client.get("/reporting/export/referrals_by_person_deprivation.csv"))
    heading = [
        "IMD quintile",
        "By the person's area",
        "By the referring practice",
        "Not known",
        "Total",
    ]
    assert heading in rows  # counts only: no rate per 1,000 registered
    by_label = {r[0]: r for r in rows if r}
    assert by_label["1 (most deprived)"][1:] == ["8", "0", "0", "8"]
    assert by_label["Total"][1:] == ["8", "8", "8", "24"]
    html = client.get("/reporting/").content.decode()
    assert "IMD 2019 by LSOA" in html and "Referrals by the deprivation quintile" in html


def test_roles_without_the_capability_are_refused(client, world):
    client.force_login(user_with_role(Role.LINK_WORKER, world.pcns[0]))
    assert client.get("/reporting/").status_code == 403


def test_completeness_by_standard_item_is_a_report_page(client, world, settings):
    """On its own page (not the dashboard, to keep that fast): the standard's own counts, exact
    when a deployment turns suppression off, and under the default rule no small number."""
    from linkwell import standards
    from linkwell.cases.models import Case

    client.force_login(world.manager)
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 0, 1
    page = client.get("/reporting/completeness/")
    assert page.status_code == 200 and b'id="section-completeness"' in page.content
    assert b'id="section-completeness"' not in client.get("/reporting/").content
    url = "/reporting/export/standard_completeness.csv?page=completeness"
    body = slice(5, -1)  # after the period, rule, caption and heading; before the note
    exact = {row[0]: row[1:3] for row in _csv(client.get(url))[body]}
    mine = Case.objects.filter(referral__organisation__in=world.pcns)
    expected = standards.completeness(mine)
    assert expected and all(exact[name] == [str(r), str(d)] for name, r, d in expected)
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 7, 5
    cells = [c for row in _csv(client.get(url))[body] for c in row[1:3]]
    assert all(c == "*" or int(c) % 5 == 0 and not 1 <= int(c) <= 7 for c in cells)


def test_an_unknown_report_page_is_404(client, world):
    client.force_login(world.manager)
    assert client.get("/reporting/?page=nope").status_code == 404


@pytest.mark.parametrize("month", ["0001-01", "9999-12"])
def test_a_month_at_the_end_of_the_calendar_is_a_form_error_not_a_server_error(
    client, world, month
):
    # The period's arithmetic (a year before, the month after) left the dates Python and the
    # database hold: ValueError or OverflowError, a 500 on each of these.
    client.force_login(world.manager)
    national = client.get(f"/reporting/national-return.csv?month={month}")
    assert national.status_code == 400 and b"to report on" in national.content
    for url in ("/reporting/", "/reporting/export/all.csv", "/reporting/report.pdf"):
        response = client.get(f"{url}?start={month}&end={month}")
        assert response.status_code in (200, 400), (url, response.status_code)
        assert b"to report on" in response.content, url
