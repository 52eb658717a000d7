"""`linkwell organisations import` refuses bad files whole: every problem at once, with its file,
line (the header is line 1) and column, and nothing written."""

import gzip

import pytest
from django.core.management import CommandError

from linkwell.accounts.management.commands.organisations import Command
from linkwell.accounts.models import AuditEntry, Organisation
from tests.accounts.area_files import HEADER, LOOKUP_HEADER, lookup, practice, run, snapshot, write

pytestmark = pytest.mark.django_db


def problems(*files, lookup, icb=""):
    """The problems reported, one a line, after checking that nothing was written."""
    before = snapshot()
    audited = AuditEntry.objects.count()
    with pytest.raises(CommandError) as refused:
        run(*files, lookup=lookup, icb=icb)
    assert snapshot() == before and AuditEntry.objects.count() == audited
    first, *rest = str(refused.value).splitlines()
    assert first.startswith("Nothing was changed: fix ")
    return rest


def test_ninety_nine_good_rows_and_one_bad_change_nothing(tmp_path):
    icbs = lookup(tmp_path)
    good = [practice(f"B{86000 + n}", pcn=f"U{11300 + n % 3}") for n in range(99)]
    run(write(tmp_path / "21-22.csv", *good[:50]), lookup=icbs)
    before = snapshot()
    # The new file would rename every PCN and add 49 practices, but line 101 is bad.
    renamed = [row.replace(" PCN,", " NETWORK,") for row in good]
    bad = write(tmp_path / "22-23.csv", *renamed, practice("B8610X"))
    assert problems(bad, lookup=icbs) == [
        f"{bad}, line 101, Practice Code: 'B8610X' is not a GP practice ODS code (a letter and "
        "five digits, like B86034)."
    ]
    assert snapshot() == before


def test_every_problem_is_reported_at_once_with_its_line_and_column(tmp_path):
    icbs = lookup(tmp_path, "15F,QWO,NHS West Yorkshire ICB", "15F,QWO,NHS West Yorkshire ICB")
    payments = write(
        tmp_path / "22-23.csv",
        practice("B86001"),
        practice(""),
        practice("86002", pcn="U1139"),
        practice("B86003", pcn="U1139"),
        practice("B86004", pcn=""),
        practice("B86005", sub_icb=""),
        practice("B86006", sub_icb="99X"),
        practice("B86001"),
        practice("B86007", name=" "),
    )
    assert problems(payments, lookup=icbs) == [
        f"{payments}, line 3, Practice Code: blank; give the practice's ODS code.",
        f"{payments}, line 4, Practice Code: '86002' is not a GP practice ODS code (a letter "
        "and five digits, like B86034).",
        f"{payments}, line 4, PCN Code: 'U1139' is not a PCN ODS code (U and five digits, like "
        "U11393); write 'Unknown or no PCN' for a practice in none.",
        f"{payments}, line 5, PCN Code: 'U1139' is not a PCN ODS code (U and five digits, like "
        "U11393); write 'Unknown or no PCN' for a practice in none.",
        f"{payments}, line 6, PCN Code: '' is not a PCN ODS code (U and five digits, like "
        "U11393); write 'Unknown or no PCN' for a practice in none.",
        f"{payments}, line 7, CCG Code: blank; give the practice's CCG code.",
        f"{payments}, line 9, Practice Code: B86001 is also on line 2; a practice has one row a "
        "file.",
        f"{payments}, line 10, Practice Name: blank; every organisation needs a name.",
        f"{icbs}, line 3, CCG Code: 15F is also on line 2; a CCG has one ICB.",
        f"{payments}, line 8, CCG Code: 99X is not in the ICB lookup, so the practice has no "
        "ICB; use a lookup that covers the files' year.",
    ]


def test_missing_columns_are_named(tmp_path):
    payments = write(tmp_path / "22-23.csv", "U11393,B86001", header="PCN Code,Practice Code")
    icbs = write(tmp_path / "lookup.csv", "15F,QWO", header="CCG Code,ICB")
    assert problems(payments, lookup=icbs) == [
        f"{payments}, line 1: no Practice Name, no CCG Code, no PCN Name or CCG NAME column; use "
        "NHS Payments to General Practice files from 2019-20 on.",
        f"{icbs}, line 1: no ICB Code, no ICB NAME column; use a `CCG Code,ICB Code,ICB NAME` "
        "lookup.",
    ]


def test_files_from_before_pcns_are_refused_with_the_reason(tmp_path):
    old = write(
        tmp_path / "18-19.csv",
        "15F,B86002,CITY VIEW",
        header="CCG Code,Practice Code,Practice Name",
    )
    [problem] = problems(old, lookup=lookup(tmp_path))
    assert "no PCN Code or Code, no PCN Name or CCG NAME column" in problem
    assert "from 2019-20 on" in problem


def test_empty_files_and_files_with_no_rows(tmp_path):
    empty = tmp_path / "22-23.csv"
    empty.write_bytes(b"")
    header_only = write(tmp_path / "lookup.csv", header=LOOKUP_HEADER)
    assert problems(empty, lookup=header_only) == [
        f"{empty}: the file is empty; use NHS Payments to General Practice files from 2019-20 on.",
        f"{header_only}: the file has a header but no rows; use a `CCG Code,ICB Code,ICB NAME` "
        "lookup.",
    ]


def test_a_file_that_is_not_utf8_is_refused_at_the_line(tmp_path):
    payments = tmp_path / "22-23.csv"
    rows = [HEADER, practice("B86001"), practice("B86002", name="CAFÉ SURGERY")]
    payments.write_bytes("\n".join(rows).encode("cp1252"))
    unreadable = tmp_path / "21-22.csv.gz"
    unreadable.write_bytes(b"not gzip")
    [not_utf8, not_gzip] = problems(payments, unreadable, lookup=lookup(tmp_path))
    assert not_utf8 == (
        f"{payments}, line 3: not UTF-8 text (byte 0xC9); save the file as UTF-8 (Excel: "
        "'CSV UTF-8')."
    )
    assert not_gzip.startswith(f"{unreadable}: cannot be read (Not a gzipped file")


def test_gzipped_files_are_read(tmp_path):
    payments = tmp_path / "22-23.csv.gz"
    payments.write_bytes(gzip.compress(f"{HEADER}\n{practice('B86001')}\n".encode()))
    run(payments, lookup=lookup(tmp_path))
    assert Organisation.objects.filter(kind="practice").count() == 1


def test_a_bad_lookup_is_refused_row_by_row(tmp_path):
    icbs = lookup(
        tmp_path,
        "15F,QWO,NHS West Yorkshire ICB",
        "02T,QWO,West Yorkshire",
        ",QWO,NHS West Yorkshire ICB",
        "03R,WY1,NHS West Yorkshire ICB",
        "03S,QHM,",
    )
    assert problems(write(tmp_path / "22-23.csv", practice("B86001")), lookup=icbs) == [
        f"{icbs}, line 3, ICB NAME: QWO is named 'NHS West Yorkshire ICB' on line 2; give an "
        "ICB one name.",
        f"{icbs}, line 4, CCG Code: blank; give the CCG / sub-ICB code.",
        f"{icbs}, line 5, ICB Code: 'WY1' is not an ICB ODS code (Q and two letters or digits, "
        "like QWO).",
        f"{icbs}, line 6, ICB NAME: blank; every organisation needs a name.",
    ]


def test_a_code_that_is_both_a_practice_and_a_pcn_is_refused(tmp_path):
    # A practice coded like its own PCN would be its own parent: a cycle.
    payments = write(
        tmp_path / "22-23.csv", practice("U11393", pcn="U11393"), practice("B86001", pcn="U11394")
    )
    assert problems(payments, lookup=lookup(tmp_path)) == [
        f"{payments}, line 2, Practice Code: U11393 is also a PCN's code in the files; an "
        "organisation is either a practice or a PCN."
    ]


def test_a_parent_or_practice_already_in_linkwell_as_another_kind_is_refused(tmp_path):
    Organisation.objects.create(name="Spa provider", kind="provider", ods_code="B86034")
    Organisation.objects.create(name="A PCN", kind="pcn", ods_code="QWO")
    icb = Organisation.objects.create(name="An ICB", kind="icb", ods_code="QHM")
    pcn = Organisation.objects.create(name="A PCN", kind="pcn", ods_code="U11111", parent=icb)
    Organisation.objects.create(name="Practice", kind="practice", ods_code="U22222", parent=pcn)
    payments = write(
        tmp_path / "22-23.csv",
        practice("B86034", pcn="U11393"),
        practice("B86035", pcn="U22222"),
    )
    assert problems(payments, lookup=lookup(tmp_path)) == [
        f"{tmp_path / 'CCG_ICB_code.csv'}, line 2, ICB Code: QWO is already A PCN in Linkwell, "
        "another kind of organisation (Primary care network, not Integrated care board); "
        "correct it or the file.",
        f"{payments}, line 3, PCN Code: U22222 is already Practice in Linkwell, another kind of "
        "organisation (GP practice, not Primary care network); correct it or the file.",
        f"{payments}, line 2, Practice Code: B86034 is already Spa provider in Linkwell, another "
        "kind of organisation (Community provider, not GP practice); correct it or the file.",
    ]


# Run as from a shell (run_from_argv: the exit status and stderr a shell sees), where Django
# closes the database connection after the command: outside a test transaction, so the check
# after it can connect again. Not through `linkwell.__main__`: its django.setup() would point
# the log handlers at this test's captured output, closed once the test ends.
@pytest.mark.django_db(transaction=True)
def test_the_command_exits_non_zero_with_the_problems_on_stderr(tmp_path, capsys):
    payments = write(tmp_path / "22-23.csv", practice("B8600"))
    argv = ["linkwell", "organisations", "import", str(payments), "--icb-lookup"]
    with pytest.raises(SystemExit) as exit:
        Command().run_from_argv([*argv, str(lookup(tmp_path))])
    assert exit.value.code == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "Nothing was changed: fix this problem and run it again." in err
    assert f"{payments}, line 2, Practice Code: 'B8600' is not a GP practice ODS code" in err
    assert not Organisation.objects.exists()
