"""Small NHS Payments and CCG → ICB lookup files for `linkwell organisations import` tests."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from linkwell.accounts.models import Organisation

# The 2019-20 to 2021-22 header's columns the import reads (the files have ~70 more).
HEADER = "CCG Code,PCN Code,PCN Name,Practice Code,Practice Name,Practice Close Date"
LOOKUP_HEADER = "CCG Code,ICB Code,ICB NAME"
LOOKUP_ROWS = ["15F,QWO,NHS West Yorkshire ICB", "02T,QWO,NHS West Yorkshire ICB"]


def practice(code, pcn="U11393", sub_icb="15F", name="", pcn_name="", closed=""):
    return f"{sub_icb},{pcn},{pcn_name or f'{pcn} PCN'},{code},{name or f'{code} SURGERY'},{closed}"


def write(path: Path, *lines: str, header: str = HEADER) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def lookup(tmp_path: Path, *rows: str) -> Path:
    return write(tmp_path / "CCG_ICB_code.csv", *(rows or LOOKUP_ROWS), header=LOOKUP_HEADER)


def run(*files, lookup: Path, icb="") -> str:
    out = StringIO()
    args = ["organisations", "import", *map(str, files), "--icb-lookup", str(lookup)]
    call_command(*args, *(["--icb", icb] if icb else []), stdout=out)
    return out.getvalue()


def snapshot():
    return sorted(Organisation.objects.values_list("ods_code", "kind", "name", "parent__ods_code"))
