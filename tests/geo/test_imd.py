"""`linkwell geo import-imd` and `import-list-sizes` on real excerpts, and the area (LSOA)
IMD on crafted rows in the published File 1 layout (tests/fixtures/imd/SOURCE.md)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from linkwell.geo.models import AreaDeprivation, PracticeDeprivation, PracticeListSize
from linkwell.geo.services import import_imd

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imd"
IMD = FIXTURES / "fingertips_93553_practice_imd_excerpt.csv"
LIST_SIZES = FIXTURES / "payments_22-23_list_size_excerpt.csv"
AREAS = FIXTURES / "iod2019_file1_lsoa_imd_crafted.csv"


def test_the_latest_vintage_loads_with_quintiles_most_deprived_first():
    assert import_imd(path=IMD) == (47, 2019)
    rows = list(PracticeDeprivation.objects.order_by("-score"))
    assert rows[0].quintile == 1 and rows[-1].quintile == 5
    assert sorted({r.quintile for r in rows}) == [1, 2, 3, 4, 5]
    assert all(a.quintile <= b.quintile for a, b in zip(rows, rows[1:], strict=False))
    assert PracticeDeprivation.objects.get(ods_code="B83628").quintile == 1


def test_an_earlier_vintage_can_be_chosen_and_replaces_the_table(capsys):
    call_command("geo", "import-imd", str(IMD), "--year", "2015")
    assert "Loaded IMD 2015 for 47 practices" in capsys.readouterr().out
    assert set(PracticeDeprivation.objects.values_list("imd_year", flat=True)) == {2015}


def test_list_sizes_load_rounded(capsys):
    call_command("geo", "import-list-sizes", str(LIST_SIZES))
    assert PracticeListSize.objects.get(ods_code="B86032").registered_patients == 18982


def test_a_wrong_file_is_refused_and_nothing_is_loaded(tmp_path):
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("Practice,Score\nA1,3\n")
    with pytest.raises(CommandError, match="missing the columns"):
        call_command("geo", "import-imd", str(wrong))
    bad = tmp_path / "bad.csv"
    bad.write_text(IMD.read_text() + "93553,2019,Z99999,Broken,1,not-a-number\n")
    with pytest.raises(CommandError, match="line 96"):
        call_command("geo", "import-imd", str(bad))
    assert not PracticeDeprivation.objects.exists()


def test_the_file_1_layout_is_recognised_and_loads_areas_with_quintiles(capsys):
    import_imd(path=IMD)
    call_command("geo", "import-imd", str(AREAS))
    assert "Loaded IMD 2019 for 6 areas (LSOAs)" in capsys.readouterr().out
    quintiles = dict(AreaDeprivation.objects.values_list("lsoa", "quintile"))
    assert quintiles == {
        "E01099901": 1,
        "E01099902": 1,
        "E01099903": 2,
        "E01099904": 3,
        "E01099905": 4,
        "E01099906": 5,
    }
    leeds = AreaDeprivation.objects.get(lsoa="E01099903")
    assert (leeds.name, leeds.imd_year, leeds.rank, leeds.decile) == ("Leeds 903C", 2019, 11002, 4)
    assert PracticeDeprivation.objects.count() == 47  # the practice table is left alone


def test_a_bad_file_1_row_loads_nothing_and_names_the_line(tmp_path):
    call_command("geo", "import-imd", str(AREAS))
    lines = AREAS.read_text().splitlines()
    for bad_row, message in (
        ("E01099907,Leeds 907,E08000035,Leeds,many,1", "line 8: the IMD rank and decile"),
        ("E01099907,Leeds 907,E08000035,Leeds,30000,11", "line 8: needs an LSOA code"),
        (lines[1], "line 8: the LSOA E01099901 appears twice"),
    ):
        bad = tmp_path / "file1.csv"
        bad.write_text("\n".join([*lines, bad_row]) + "\n")
        with pytest.raises(CommandError, match=message):
            call_command("geo", "import-imd", str(bad))
    assert AreaDeprivation.objects.count() == 6  # the earlier load is untouched
    with pytest.raises(CommandError, match="--year does not apply"):
        call_command("geo", "import-imd", str(AREAS), "--year", "2015")
