"""The managers' landing page: headline figures and the PCN-by-PCN comparison, through the
same disclosure control as every other report."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.models import Role
from linkwell.cases.models import Case
from linkwell.connections.models import Connection
from linkwell.outcomes.models import Administration
from linkwell.reporting import engine, headlines
from linkwell.reporting.queries import Filters
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def _filters(world, pcns):
    now = timezone.now()
    return Filters(tuple(p.pk for p in pcns), now - timedelta(days=400), now + timedelta(days=1))


def _expected(world, pcn):
    """The figures for one PCN counted straight from the records, to compare with the SQL."""
    cases = Case.objects.filter(organisation=pcn)
    connections = Connection.objects.filter(case__organisation=pcn)
    measured = improved = 0
    for case in cases:
        scores = list(Administration.objects.filter(case=case).order_by("administered_at", "id"))
        if len(scores) > 1:
            measured += 1
            improved += scores[-1].score < scores[0].score  # UCLA-3: lower is better
    return [
        cases.count(),
        cases.filter(first_contact_at__isnull=True).count(),
        connections.count(),
        sum(1 for c in connections if c.status == "attended"),
        improved,
        measured - improved,
    ]


def test_the_figures_of_each_pcn_are_its_true_counts(world):
    for pcn in world.pcns:
        found = headlines.figures(engine.current(), _filters(world, [pcn]))
        assert found == _expected(world, pcn)
    assert _expected(world, world.pcns[0])[0] == 12  # the world is as it says


def test_the_comparison_and_headline_are_published_under_the_rule(world, settings):
    settings.REPORTING_SUPPRESS_UP_TO, settings.REPORTING_ROUND_TO = 7, 5
    (table,) = headlines.comparison(engine.current(), _filters(world, world.pcns))
    published = table.publish()
    assert published.labels == sorted(p.name for p in world.pcns)
    truth = [_expected(world, p) for p in sorted(world.pcns, key=lambda p: p.name)]
    for row, true_row in zip(published.body, truth, strict=True):
        for shown, true in zip(row[1:], true_row, strict=True):
            if 1 <= true <= 7:
                assert shown == "*"
            elif shown != "*":  # a larger count may be hidden as well (secondary suppression)
                assert shown % 5 == 0 and abs(shown - true) <= 2
    figures = dict(headlines.headline(published))
    assert list(figures) == headlines.FIGURES
    totals = [sum(column) for column in zip(*truth, strict=True)]
    assert figures["Referrals"] == 25 and totals[0] == 24  # 24 rounds to 25
    for name, total in zip(headlines.FIGURES, totals, strict=True):
        assert figures[name] == ("*" if 1 <= total <= 7 else (total + 2) // 5 * 5)


def test_a_commissioner_lands_on_the_headlines_and_compares_pcns(client, world):
    client.force_login(world.manager)
    response = client.get("/", follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == "/reporting/headlines/"
    assert 'id="headline-figures"' in html and 'id="table-pcn_comparison"' in html
    for pcn in world.pcns:
        assert pcn.name in html and f'href="/reporting/pcn/{pcn.pk}/"' in html
    assert world.other_pcn.name not in html
    assert "/caseload/" not in html and "Person1" not in html  # no person, no caseload link
    assert 'class="nhsuk-table-responsive__heading">Referrals </span>' in html


def test_a_pcn_manager_sees_only_their_pcn(client, world):
    client.force_login(world.pcn_manager)
    html = client.get("/reporting/headlines/").content.decode()
    assert f"PCN: {world.pcns[0].name};" in html and world.pcns[1].name not in html


def test_the_comparison_exports_with_its_filters_named(client, world):
    client.force_login(world.manager)
    response = client.get("/reporting/export/pcn_comparison.csv?page=headlines&start=2026-01")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith(
        "PCN: All 2 PCNs; GP practice: All; Link worker: All; From: 2026-01-01;"
    )
    assert rows[4][0] == "PCN" and rows[4][1:] == headlines.FIGURES


def test_bad_filters_on_the_headline_page_are_explained(client, world):
    client.force_login(world.manager)
    html = client.get("/reporting/headlines/?start=2026-13").content.decode()
    assert "is not a month" in html and 'id="headline-figures"' not in html


def test_others_may_not_see_the_headlines(client, world):
    client.force_login(user_with_role(Role.LINK_WORKER, world.pcns[0]))
    assert client.get("/reporting/headlines/").status_code == 403


def test_export_file_names_carry_the_filters_in_safe_characters(client, world):
    from linkwell.accounts.models import Organisation

    Organisation.objects.filter(pk=world.pcns[0].pk).update(name='Leeds "North"/West PCN')
    client.force_login(world.manager)
    pcn = world.pcns[0].pk
    query = f"pcn={pcn}&start=2026-01&end=2026-03"
    response = client.get(f"/reporting/export/referrals_by_month.csv?{query}")
    assert response["Content-Disposition"] == (
        'attachment; filename="referrals_by_month_leeds-northwest-pcn_2026-01-01_2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0].startswith(
        'PCN: Leeds "North"/West PCN; GP practice: All; Link worker: All; '
        "From: 2026-01-01; To: 2026-03-31"
    )
    practice, worker = world.practices[0], world.workers[0]
    narrowed = f"{query}&practice={practice.pk}&link_worker={worker.pk}"
    book = client.get(f"/reporting/export/all.xlsx?{narrowed}")
    name = book["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name.startswith("all_leeds-northwest-pcn_") and name.endswith(
        "_2026-01-01_2026-03-31.xlsx"
    )
    assert all(c.isalnum() or c in "-_." for c in name)
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(book.content))["referrals_by_month"]
    line = sheet.cell(row=2, column=1).value
    assert f"GP practice: {practice.name}" in line and worker.get_full_name() in line
    pdf = client.get(f"/reporting/report.pdf?{query}")
    assert "report_leeds-northwest-pcn_2026-01-01_2026-03-31.pdf" in pdf["Content-Disposition"]
