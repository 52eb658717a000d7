"""`linkwell organisations import`: an ICB's PCNs and practices from NHS Payments files."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwell.accounts.models import AuditEntry, Organisation

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "area"
PAYMENTS = [
    FIXTURES / "payments-21-22-leeds-excerpt.csv",
    FIXTURES / "payments-22-23-leeds-excerpt.csv",
]
LOOKUP = FIXTURES / "CCG_ICB_code-west-yorkshire-excerpt.csv"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nhs-public"


def run(*files, lookup=LOOKUP, icb=""):
    from io import StringIO

    out = StringIO()
    args = ["organisations", "import", *map(str, files), "--icb-lookup", str(lookup)]
    call_command(*args, *(["--icb", icb] if icb else []), stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(Organisation.objects.values_list("ods_code", "kind", "name", "parent__ods_code"))


def test_builds_the_icb_its_pcns_and_practices_and_a_second_run_changes_nothing():
    assert "pcn: 2 created" in run(*PAYMENTS)
    wetherby = Organisation.objects.get(ods_code="U11393")
    assert (wetherby.kind, wetherby.name, wetherby.parent.ods_code) == (
        "pcn",
        "WETHERBY PCN",
        "QWO",
    )
    assert wetherby.parent.name == "NHS West Yorkshire Integrated Care Board"
    spa = Organisation.objects.get(ods_code="B86034")
    assert (spa.kind, spa.name, spa.parent) == ("practice", "SPA SURGERY", wetherby)
    assert Organisation.objects.filter(kind="practice").count() == 9
    before = snapshot()

    again = run(*PAYMENTS)
    assert "0 created, 0 changed" in again and "unchanged: 12" in again
    assert snapshot() == before
    assert AuditEntry.objects.filter(detail__event="organisations imported").count() == 2


def test_the_latest_file_wins_and_moves_a_practice(tmp_path):
    run(*PAYMENTS)
    moved = tmp_path / "23-24.csv"
    text = PAYMENTS[1].read_text(encoding="utf-8-sig")
    moved.write_text(text.replace("U11393,WETHERBY PCN,B86034", "U16878,BEESTON PCN,B86034"))
    assert "practice: 0 created, 1 changed" in run(*PAYMENTS, moved)
    assert Organisation.objects.get(ods_code="B86034").parent.ods_code == "U16878"


def test_a_bad_file_changes_nothing_even_after_good_ones(tmp_path):
    bad = tmp_path / "bad.csv"
    lines = PAYMENTS[1].read_text(encoding="utf-8-sig").splitlines(keepends=True)
    bad.write_text(lines[0] + lines[1].replace("B86002", "NOT-A-CODE"))
    with pytest.raises(CommandError, match=r"bad.csv, line 2: 'NOT-A-CODE' is not a GP practice"):
        run(*PAYMENTS, bad)
    assert not Organisation.objects.exists()


def test_a_code_already_used_by_another_kind_of_organisation_changes_nothing():
    Organisation.objects.create(name="Spa provider", kind="provider", ods_code="B86034")
    with pytest.raises(CommandError, match="B86034 is already in Linkwell as a Community provider"):
        run(*PAYMENTS)
    assert Organisation.objects.count() == 1


def test_files_from_before_pcns_are_refused_with_the_reason(tmp_path):
    old = tmp_path / "18-19.csv"
    old.write_text("CCG Code,Practice Code,Practice Name\n15F,B86002,CITY VIEW\n")
    with pytest.raises(CommandError, match="earlier years predate PCNs"):
        run(old)


def test_one_icb_only(tmp_path):
    with pytest.raises(CommandError, match="No practice in the files belongs to the ICB QHM"):
        run(*PAYMENTS, icb="qhm")
    run(*PAYMENTS, icb="qwo")
    assert Organisation.objects.filter(kind="pcn").count() == 2


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data/nhs-public")
def test_every_pcn_and_practice_in_the_real_files():
    payments = [SHARED / "payments" / f"{y}.csv.gz" for y in ("19-20", "20-21", "21-22", "22-23")]
    first = run(*payments, lookup=SHARED / "lookups" / "CCG_ICB_code.csv")
    assert "icb: 42 created" in first
    assert "pcn: 1268 created" in first and "practice: 6453 created" in first
    second = run(*payments, lookup=SHARED / "lookups" / "CCG_ICB_code.csv")
    assert second.count("0 created, 0 changed") == 3
