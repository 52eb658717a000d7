"""`linkwell geo import-registered-population` on crafted rows in NHS Digital's published
`gp-reg-pat-prac-quin-age.csv` layout (tests/fixtures/population/SOURCE.md)."""

from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwell.geo.models import RegisteredPopulation

pytestmark = pytest.mark.django_db
POPULATION = (
    Path(__file__).resolve().parents[1]
    / "fixtures"
    / "population"
    / "gp-reg-pat-prac-quin-age_crafted.csv"
)
CCG_HEADER = (
    "PUBLICATION,EXTRACT_DATE,TYPE,CCG_CODE,ONS_CCG_CODE,ORG_CODE,POSTCODE,SEX,AGE_GROUP_5,"
    "NUMBER_OF_PATIENTS"
)


def _totals(code):
    """The file's own SEX=ALL, AGE_GROUP_5=ALL figure for a practice."""
    for line in POPULATION.read_text().splitlines():
        cells = line.split(",")
        if cells[5] == code and cells[7:9] == ["ALL", "ALL"]:
            return int(cells[9])
    raise AssertionError(code)


def _load(path):
    call_command("geo", "import-registered-population", str(path))


def test_the_sub_icb_layout_loads_bands_by_sex_without_the_total_rows(capsys):
    _load(POPULATION)
    out = capsys.readouterr().out
    assert "for 2 practices (80 rows)" in out
    leeds = RegisteredPopulation.objects.filter(ods_code="B86032")
    assert sum(leeds.values_list("patients", flat=True)) == _totals("B86032")
    assert set(leeds.values_list("sex", flat=True)) == {"M", "F"}
    assert sorted(set(leeds.values_list("age_from", flat=True))) == list(range(0, 100, 5))
    band = leeds.get(sex="M", age_from=0)
    assert (band.patients, band.extract_date) == (425, date(2025, 10, 1))


def test_the_ccg_layout_loads_too_and_other_types_are_skipped(tmp_path):
    lines = POPULATION.read_text().splitlines()
    older = tmp_path / "gp-reg-pat-prac-quin-age.csv"
    older.write_text(
        "\n".join(
            [
                CCG_HEADER,
                *lines[1:],
                "GP_PRAC_PAT_LIST,01OCT2025,SUB_ICB_LOCATION,15F,E38000225,15F,,MALE,0_4,99999",
            ]
        )
        + "\n"
    )
    _load(older)
    assert RegisteredPopulation.objects.count() == 80
    assert not RegisteredPopulation.objects.filter(ods_code="15F").exists()


def test_a_later_file_replaces_only_its_own_practices(tmp_path):
    _load(POPULATION)
    lines = POPULATION.read_text().splitlines()
    later = tmp_path / "later.csv"
    later.write_text(
        "\n".join(
            [
                lines[0],
                "GP_PRAC_PAT_LIST,01NOV2025,GP,15F,E38000225,B86032,LS6 1XX,FEMALE,20_24,7",
            ]
        )
        + "\n"
    )
    _load(later)
    assert list(
        RegisteredPopulation.objects.filter(ods_code="B86032").values_list("sex", "patients")
    ) == [("F", 7)]
    assert RegisteredPopulation.objects.filter(ods_code="B83628").count() == 40


@pytest.mark.parametrize(
    ("bad_row", "message"),
    [
        ("GP_PRAC_PAT_LIST,01OCT2025,GP,15F,E38000225,Z1,X,MALE,3_7,5", "line 88: AGE_GROUP_5"),
        ("GP_PRAC_PAT_LIST,01OCT2025,GP,15F,E38000225,Z1,X,MALE,0_4,many", "line 88: AGE_GROUP"),
        ("GP_PRAC_PAT_LIST,sometime,GP,15F,E38000225,Z1,X,MALE,0_4,5", "line 88: AGE_GROUP_5"),
        ("GP_PRAC_PAT_LIST,01OCT2025,GP,15F,E38000225,Z1,X,OTHER,0_4,5", "line 88: needs an"),
        (
            "GP_PRAC_PAT_LIST,01OCT2025,GP,15F,E38000225,B86032,X,MALE,0_4,5",
            "line 88: B86032 MALE 0_4 appears twice",
        ),
    ],
)
def test_a_bad_row_names_its_line_and_loads_nothing(tmp_path, monkeypatch, bad_row, message):
    _load(POPULATION)
    monkeypatch.setattr("linkwell.geo.services.BATCH", 10)  # earlier batches are written first
    before = list(
        RegisteredPopulation.objects.values_list("ods_code", "sex", "age_from", "patients")
    )
    bad = tmp_path / "bad.csv"
    # Line 2 onwards first replaces B86032's rows: the failure must undo that too.
    bad.write_text(POPULATION.read_text().replace(",425\n", ",426\n") + bad_row + "\n")
    with pytest.raises(CommandError, match=message):
        _load(bad)
    after = list(
        RegisteredPopulation.objects.values_list("ods_code", "sex", "age_from", "patients")
    )
    assert after == before


def test_a_wrong_or_empty_file_is_refused(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Practice Code,Number of Registered Patients\nB86032,100\n")
    with pytest.raises(CommandError, match="missing the columns .*SUB_ICB_LOCATION_CODE"):
        _load(wrong)
    totals_only = tmp_path / "totals.csv"
    totals_only.write_text(
        POPULATION.read_text().splitlines()[0]
        + "\n"
        + ("GP_PRAC_PAT_LIST,01OCT2025,GP,15F,E38000225,B86032,LS6 1XX,ALL,ALL,17860\n")
    )
    with pytest.raises(CommandError, match="no GP practice rows"):
        _load(totals_only)
    assert not RegisteredPopulation.objects.exists()
