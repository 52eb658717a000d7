"""Setting up an area in one command: an ICB's PCNs and GP practices from NHS Digital's
"NHS Payments to General Practice, England" files (one CSV per financial year, Open Government
Licence v3.0), whose rows name each practice's PCN, and a CCG → ICB lookup that names the ICB.

The files are read first, whole, and checked; then one transaction creates what is missing and
renames or moves what changed, keyed by ODS code, so a second run over the same files changes
nothing, and a bad file changes nothing at all.
"""

import csv
import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from . import audit
from .models import AuditAction, Organisation, OrganisationKind


class AreaFileError(ValueError):
    """A file that cannot be read as expected; the message names the file, line and fix."""


# The 2022-23 file labels the PCN code column `Code` and the PCN name `CCG NAME` (a header slip
# in NHS Digital's publication), so those are accepted after the proper names.
PCN_CODE = ("PCN Code", "Code")
PCN_NAME = ("PCN Name", "CCG NAME")
# A PCN's ODS code is U and five digits; anything else ("Unknown or no PCN") means no PCN.
PCN_CODE_SHAPE = re.compile(r"^U\d{5}$")
PRACTICE_CODE_SHAPE = re.compile(r"^[A-Z]\d{5}$")


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    pcn_code: str
    pcn_name: str
    sub_icb: str  # the CCG / sub-ICB location code, which the lookup turns into an ICB


@dataclass(frozen=True)
class Icb:
    code: str
    name: str


def _open(path: Path):
    opener = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", newline="", encoding="utf-8-sig")


def _column(header: list[str], names: tuple[str, ...], path: Path, what: str) -> str:
    for name in names:
        if name in header:
            return name
    raise AreaFileError(
        f"{path}: no {what} column ({' or '.join(names)}). Use NHS Payments to General Practice "
        "files from 2019-20 on: earlier years predate PCNs."
    )


def read_payments(paths: list[Path]) -> dict[str, Practice]:
    """Open practices in a PCN, by practice code; a later file's row replaces an earlier one's
    (give the files oldest first), and a practice whose latest row has closed is left out."""
    practices: dict[str, Practice] = {}
    for path in paths:
        try:
            with _open(path) as f:
                reader = csv.DictReader(f)
                header = reader.fieldnames or []
                pcn_code = _column(header, PCN_CODE, path, "PCN code")
                pcn_name = _column(header, PCN_NAME, path, "PCN name")
                for name in ("Practice Code", "Practice Name", "CCG Code"):
                    _column(header, (name,), path, name)
                for line, row in enumerate(reader, start=2):
                    code = (row["Practice Code"] or "").strip().upper()
                    if not PRACTICE_CODE_SHAPE.match(code):
                        raise AreaFileError(
                            f"{path}, line {line}: {code!r} is not a GP practice ODS code "
                            "(a letter and five digits)."
                        )
                    pcn = (row[pcn_code] or "").strip().upper()
                    closed = (row.get("Practice Close Date") or "").strip()
                    if closed or not PCN_CODE_SHAPE.match(pcn):
                        practices.pop(code, None)
                        continue
                    practices[code] = Practice(
                        code=code,
                        name=row["Practice Name"].strip(),
                        pcn_code=pcn,
                        pcn_name=row[pcn_name].strip(),
                        sub_icb=row["CCG Code"].strip().upper(),
                    )
        except (OSError, UnicodeDecodeError, csv.Error, gzip.BadGzipFile) as e:
            raise AreaFileError(f"{path}: cannot be read as a CSV file ({e}).") from e
    return practices


def read_icb_lookup(path: Path) -> dict[str, Icb]:
    """CCG / sub-ICB code → its ICB, from a `CCG Code,ICB Code,ICB NAME` file."""
    try:
        with _open(path) as f:
            reader = csv.DictReader(f)
            for name in ("CCG Code", "ICB Code", "ICB NAME"):
                _column(reader.fieldnames or [], (name,), path, name)
            return {
                row["CCG Code"].strip().upper(): Icb(
                    row["ICB Code"].strip().upper(), row["ICB NAME"].strip()
                )
                for row in reader
            }
    except (OSError, UnicodeDecodeError, csv.Error, gzip.BadGzipFile) as e:
        raise AreaFileError(f"{path}: cannot be read as a CSV file ({e}).") from e


@dataclass
class Built:
    created: dict[str, int]
    changed: dict[str, int]
    unchanged: int = 0


def _upsert(kind, code, name, parent, existing, built: Built) -> Organisation:
    org = existing.get(code)
    if org is None:
        org = Organisation.objects.create(kind=kind, ods_code=code, name=name, parent=parent)
        built.created[kind] = built.created.get(kind, 0) + 1
        existing[code] = org
        return org
    if org.kind != kind:
        raise AreaFileError(
            f"{code} is already in Linkwell as a {org.get_kind_display()} ({org.name}), "
            f"not a {OrganisationKind(kind).label}: correct it or the file first."
        )
    if (org.name, org.parent_id) != (name, parent.pk if parent else None):
        org.name, org.parent = name, parent
        org.save(update_fields=["name", "parent"])
        built.changed[kind] = built.changed.get(kind, 0) + 1
    else:
        built.unchanged += 1
    return org


@transaction.atomic
def build_area(
    *, practices: dict[str, Practice], icbs: dict[str, Icb], only_icb: str = "", by=None
) -> Built:
    """Create or update the ICBs, PCNs and practices the rows name; `only_icb` (an ICB code)
    keeps one ICB's. A PCN goes under the ICB of its practices' sub-ICB location."""
    rows = [p for p in practices.values() if not only_icb or _icb(p, icbs).code == only_icb]
    if only_icb and not rows:
        raise AreaFileError(f"No practice in the files belongs to the ICB {only_icb}.")
    codes = {p.code for p in rows} | {p.pcn_code for p in rows}
    codes |= {_icb(p, icbs).code for p in rows}
    existing = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
    built = Built(created={}, changed={})
    icb_orgs, pcns = {}, {}
    for p in sorted(rows, key=lambda p: (p.pcn_code, p.code)):
        icb = _icb(p, icbs)
        if icb.code not in icb_orgs:
            icb_orgs[icb.code] = _upsert(
                OrganisationKind.ICB, icb.code, icb.name, None, existing, built
            )
        if p.pcn_code not in pcns:
            pcns[p.pcn_code] = _upsert(
                OrganisationKind.PCN, p.pcn_code, p.pcn_name, icb_orgs[icb.code], existing, built
            )
        _upsert(OrganisationKind.PRACTICE, p.code, p.name, pcns[p.pcn_code], existing, built)
    audit.record(
        user=by,
        action=AuditAction.ACCOUNT,
        object_type="accounts.organisation",
        event="organisations imported",
        created=built.created,
        changed=built.changed,
    )
    return built


def _icb(practice: Practice, icbs: dict[str, Icb]) -> Icb:
    try:
        return icbs[practice.sub_icb]
    except KeyError:
        raise AreaFileError(
            f"Practice {practice.code}'s CCG / sub-ICB code {practice.sub_icb} is not in the "
            "ICB lookup: use a lookup that covers the files' year."
        ) from None
