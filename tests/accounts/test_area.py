"""`linkwell organisations import`: an ICB's PCNs and practices from NHS Payments files."""

from pathlib import Path

import pytest
from django.core.management import CommandError

from linkwell.accounts.models import AuditEntry, Organisation
from tests.accounts.area_files import lookup, practice, run, snapshot, write

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "area"
PAYMENTS = [
    FIXTURES / "payments-21-22-leeds-excerpt.csv",
    FIXTURES / "payments-22-23-leeds-excerpt.csv",
]
LOOKUP = FIXTURES / "CCG_ICB_code-west-yorkshire-excerpt.csv"
SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "nhs-public"


def test_builds_the_icb_its_pcns_and_practices_and_a_second_run_changes_nothing():
    assert "pcn: 2 created" in run(*PAYMENTS, lookup=LOOKUP)
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

    again = run(*PAYMENTS, lookup=LOOKUP)
    assert again == (
        "Nothing changed: Linkwell already has these 12 organisations as the files give them.\n"
    )
    assert snapshot() == before
    assert AuditEntry.objects.filter(detail__event="organisations imported").count() == 2


def test_the_latest_file_wins_and_moves_a_practice(tmp_path):
    run(*PAYMENTS, lookup=LOOKUP)
    moved = tmp_path / "23-24.csv"
    text = PAYMENTS[1].read_text(encoding="utf-8-sig")
    moved.write_text(text.replace("U11393,WETHERBY PCN,B86034", "U16878,BEESTON PCN,B86034"))
    assert "practice: 0 created, 1 changed" in run(*PAYMENTS, moved, lookup=LOOKUP)
    assert Organisation.objects.get(ods_code="B86034").parent.ods_code == "U16878"


def test_practices_closed_or_in_no_pcn_are_left_out(tmp_path):
    payments = write(
        tmp_path / "22-23.csv",
        practice("B86001"),
        practice("B86002", closed="31/03/2023"),
        practice("B86003", pcn="Unknown or no PCN"),
    )
    run(payments, lookup=lookup(tmp_path))
    assert Organisation.objects.filter(kind="practice").get().ods_code == "B86001"


def test_a_pcn_goes_under_the_icb_of_most_of_its_practices_and_a_tie_under_the_first_code(
    tmp_path,
):
    icbs = lookup(
        tmp_path, "15F,QWO,NHS West Yorkshire ICB", "03R,QHM,NHS North East and Cumbria ICB"
    )
    payments = write(
        tmp_path / "22-23.csv",
        # U00001: two practices in QHM, one in QWO, which comes first by row and by code.
        practice("A86001", pcn="U00001", sub_icb="15F"),
        practice("C81001", pcn="U00001", sub_icb="03R"),
        practice("C81002", pcn="U00001", sub_icb="03R"),
        # U00002: one in each, a tie: QHM comes before QWO.
        practice("A86003", pcn="U00002", sub_icb="15F"),
        practice("C81003", pcn="U00002", sub_icb="03R"),
        # U00003: all in QWO.
        practice("B86004", pcn="U00003", sub_icb="15F"),
    )
    run(payments, lookup=icbs, icb="qwo")
    # --icb keeps the PCNs the rule puts in the ICB, each with all its practices.
    assert snapshot() == [
        ("B86004", "practice", "B86004 SURGERY", "U00003"),
        ("QWO", "icb", "NHS West Yorkshire ICB", None),
        ("U00003", "pcn", "U00003 PCN", "QWO"),
    ]
    run(payments, lookup=icbs)
    parents = dict(Organisation.objects.values_list("ods_code", "parent__ods_code"))
    assert (parents["U00001"], parents["U00002"], parents["A86001"]) == ("QHM", "QHM", "U00001")


def test_one_icb_only_and_an_icb_with_no_pcn_is_refused():
    with pytest.raises(CommandError, match="No PCN in the files belongs to the ICB QHM"):
        run(*PAYMENTS, lookup=LOOKUP, icb="qhm")
    run(*PAYMENTS, lookup=LOOKUP, icb="qwo")
    assert Organisation.objects.filter(kind="pcn").count() == 2


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared/data/nhs-public")
def test_every_pcn_and_practice_in_the_real_files():
    payments = [SHARED / "payments" / f"{y}.csv.gz" for y in ("19-20", "20-21", "21-22", "22-23")]
    first = run(*payments, lookup=SHARED / "lookups" / "CCG_ICB_code.csv")
    assert "icb: 42 created" in first
    assert "pcn: 1268 created" in first and "practice: 6453 created" in first
    # The two PCNs whose practices straddle ICBs: 5 in QJ2 and 1 in QOP; 2 in QJK and 2 in QT6.
    parents = dict(Organisation.objects.values_list("ods_code", "parent__ods_code"))
    assert (parents["U60978"], parents["U41591"]) == ("QJ2", "QJK")
    second = run(*payments, lookup=SHARED / "lookups" / "CCG_ICB_code.csv")
    assert second.startswith("Nothing changed: Linkwell already has these 7763 organisations")
