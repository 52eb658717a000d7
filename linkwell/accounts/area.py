"""Setting up an area in one command: an ICB's PCNs and GP practices from NHS Digital's
"NHS Payments to General Practice, England" files (one CSV per financial year, Open Government
Licence v3.0), whose rows name each practice's PCN, and a CCG → ICB lookup that names the ICB.

Everything is read and checked first, and every problem is reported at once with its file, line
and column; only a clean set of files is written, in one transaction that creates what is
missing and renames or moves what changed, keyed by ODS code. So a bad file changes nothing,
and a second run over the same files changes nothing either.
"""

import csv
import gzip
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from linkwell.people.identifiers import is_gp_practice_code

from . import audit
from .models import AuditAction, Organisation, OrganisationKind


class AreaFileError(ValueError):
    """Every problem found in the files, one a line, each naming the file, line and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


PAYMENTS_FIX = "use NHS Payments to General Practice files from 2019-20 on."
PAYMENTS_COLUMNS = {
    "practice": ("Practice Code",),
    "name": ("Practice Name",),
    "sub_icb": ("CCG Code",),
    # The 2022-23 file labels the PCN code column `Code` and the PCN name `CCG NAME` (a header
    # slip in NHS Digital's publication), so those are accepted after the proper names.
    "pcn": ("PCN Code", "Code"),
    "pcn_name": ("PCN Name", "CCG NAME"),
}
LOOKUP_FIX = "use a `CCG Code,ICB Code,ICB NAME` lookup."
LOOKUP_COLUMNS = {"sub_icb": ("CCG Code",), "icb": ("ICB Code",), "icb_name": ("ICB NAME",)}
# A PCN's ODS code is U and five digits; NHS Digital writes "Unknown or no PCN" for a practice
# in none, and such a practice is left out.
PCN_CODE_SHAPE = re.compile(r"^U\d{5}$")
NO_PCN = "UNKNOWN OR NO PCN"
# An ICB's ODS code is Q and two letters or digits, e.g. QWO (ODS, "Integrated Care Boards").
ICB_CODE_SHAPE = re.compile(r"^Q[A-Z0-9]{2}$")
NAME_LENGTH = Organisation._meta.get_field("name").max_length


@dataclass(frozen=True)
class Row:
    path: Path
    line: int  # the file's line, the header being line 1
    values: dict[str, str]  # by the short names of PAYMENTS_COLUMNS / LOOKUP_COLUMNS, stripped
    headers: dict[str, str]  # short name → the column's header in this file

    def at(self, column: str) -> str:
        return f"{self.path}, line {self.line}, {self.headers[column]}"


@dataclass(frozen=True)
class Practice:
    code: str
    name: str
    pcn_code: str
    sub_icb: str  # the CCG / sub-ICB location code, which the lookup turns into an ICB
    row: Row


@dataclass(frozen=True)
class Icb:
    code: str
    name: str
    row: Row


@dataclass(frozen=True)
class Pcn:
    code: str
    name: str
    icb: str
    row: Row  # the first row naming it, for messages


def _rows(path: Path, columns: dict, optional: dict, fix: str, problems: list[str]) -> list[Row]:
    """The file's non-blank rows, or none (and the reasons in `problems`) if it cannot be read
    as a UTF-8 CSV with the columns; .gz files are decompressed."""
    try:
        raw = path.read_bytes()
        raw = gzip.decompress(raw) if path.suffix == ".gz" else raw
    except (OSError, EOFError) as e:
        problems.append(f"{path}: cannot be read ({e}).")
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        problems.append(
            f"{path}, line {line}: not UTF-8 text (byte 0x{raw[e.start]:02X}); save the file "
            "as UTF-8 (Excel: 'CSV UTF-8')."
        )
        return []
    if not text.strip():
        problems.append(f"{path}: the file is empty; {fix}")
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [name.strip() for name in next(reader)]
    found = {
        short: next((name for name in names if name in header), None)
        for short, names in columns.items()
    }
    missing = [" or ".join(columns[short]) for short, name in found.items() if name is None]
    if missing:
        problems.append(f"{path}, line 1: no {', no '.join(missing)} column; {fix}")
        return []
    found |= {short: name for short, name in optional.items() if name in header}
    index = {short: header.index(name) for short, name in found.items()}
    rows, line = [], 2
    try:
        for record in reader:
            if any(value.strip() for value in record):
                values = {s: record[i].strip() if i < len(record) else "" for s, i in index.items()}
                rows.append(Row(path, line, values, found))
            line = reader.line_num + 1
    except csv.Error as e:
        problems.append(f"{path}, line {line}: not a CSV row ({e}).")
        return []
    if not rows:
        problems.append(f"{path}: the file has a header but no rows; {fix}")
    return rows


def _name(row: Row, column: str, problems: list[str]) -> str:
    name = row.values[column]
    if not name:
        problems.append(f"{row.at(column)}: blank; every organisation needs a name.")
    elif len(name) > NAME_LENGTH:
        problems.append(f"{row.at(column)}: longer than {NAME_LENGTH} characters.")
    return name


def _read_payments(paths: list[Path], problems: list[str]) -> tuple[dict, dict]:
    """Open practices in a PCN, by practice code, and each PCN's name; a later file's row
    replaces an earlier one's (give the files oldest first), and a practice whose latest row has
    closed or has no PCN is left out. A PCN's name is the one on the latest row naming it."""
    practices: dict[str, Practice] = {}
    pcn_names: dict[str, str] = {}
    optional = {"closed": "Practice Close Date"}
    for path in paths:
        seen: dict[str, int] = {}
        for row in _rows(path, PAYMENTS_COLUMNS, optional, PAYMENTS_FIX, problems):
            count = len(problems)
            code = row.values["practice"].upper()
            if not code:
                problems.append(f"{row.at('practice')}: blank; give the practice's ODS code.")
            elif not is_gp_practice_code(code):
                problems.append(
                    f"{row.at('practice')}: {code!r} is not a GP practice ODS code "
                    "(a letter and five digits, like B86034)."
                )
            elif code in seen:
                problems.append(
                    f"{row.at('practice')}: {code} is also on line {seen[code]}; a practice has "
                    "one row a file."
                )
            else:
                seen[code] = row.line
            pcn = row.values["pcn"].upper()
            if row.values.get("closed") or pcn == NO_PCN:
                practices.pop(code, None)
                continue
            if not PCN_CODE_SHAPE.match(pcn):
                problems.append(
                    f"{row.at('pcn')}: {pcn!r} is not a PCN ODS code (U and five digits, like "
                    "U11393); write 'Unknown or no PCN' for a practice in none."
                )
            if not row.values["sub_icb"]:
                problems.append(f"{row.at('sub_icb')}: blank; give the practice's CCG code.")
            name, pcn_name = _name(row, "name", problems), _name(row, "pcn_name", problems)
            if len(problems) == count:
                practices[code] = Practice(code, name, pcn, row.values["sub_icb"].upper(), row)
                pcn_names[pcn] = pcn_name
    return practices, pcn_names


def _read_icb_lookup(path: Path, problems: list[str]) -> dict[str, Icb]:
    """CCG / sub-ICB code → its ICB."""
    by_sub_icb: dict[str, Icb] = {}
    by_code: dict[str, Icb] = {}
    for row in _rows(path, LOOKUP_COLUMNS, {}, LOOKUP_FIX, problems):
        count = len(problems)
        sub_icb, code = row.values["sub_icb"].upper(), row.values["icb"].upper()
        icb = Icb(code, _name(row, "icb_name", problems), row)
        if not sub_icb:
            problems.append(f"{row.at('sub_icb')}: blank; give the CCG / sub-ICB code.")
        elif sub_icb in by_sub_icb:
            problems.append(
                f"{row.at('sub_icb')}: {sub_icb} is also on line {by_sub_icb[sub_icb].row.line}; "
                "a CCG has one ICB."
            )
        if not ICB_CODE_SHAPE.match(code):
            problems.append(
                f"{row.at('icb')}: {code!r} is not an ICB ODS code (Q and two letters or "
                "digits, like QWO)."
            )
        elif by_code.setdefault(code, icb).name != icb.name:
            problems.append(
                f"{row.at('icb_name')}: {code} is named {by_code[code].name!r} on line "
                f"{by_code[code].row.line}; give an ICB one name."
            )
        if len(problems) == count:
            by_sub_icb[sub_icb] = icb
    return by_sub_icb


def _majority(icb_codes: Counter) -> str:
    """The ICB of most of a PCN's practices (a PCN can straddle ICBs: in the 2019-20 to 2022-23
    files U60978 has 5 practices in QJ2 and 1 in QOP); a tie goes to the first ICB code in
    alphabetical order, so every run picks the same one (U41591: 2 in QJK, 2 in QT6 → QJK)."""
    return min(icb_codes, key=lambda code: (-icb_codes[code], code))


def _plan(practices, pcn_names, icbs, only_icb, problems) -> tuple[list[Pcn], list[Practice]]:
    """The PCNs (each under the ICB of most of its practices) and practices to build."""
    votes: dict[str, Counter] = {}
    pcn_codes = {p.pcn_code for p in practices.values()}
    for p in practices.values():
        if p.code in pcn_codes:
            problems.append(
                f"{p.row.at('practice')}: {p.code} is also a PCN's code in the files; an "
                "organisation is either a practice or a PCN."
            )
        if p.sub_icb not in icbs:
            problems.append(
                f"{p.row.at('sub_icb')}: {p.sub_icb} is not in the ICB lookup, so the practice "
                "has no ICB; use a lookup that covers the files' year."
            )
            continue
        votes.setdefault(p.pcn_code, Counter())[icbs[p.sub_icb].code] += 1
    in_order = sorted(practices.values(), key=lambda p: p.code)
    named_on = {}  # a PCN's first practice's row, for messages about the PCN
    for p in in_order:
        named_on.setdefault(p.pcn_code, p.row)
    pcns = [
        Pcn(code, pcn_names[code], _majority(votes[code]), named_on[code])
        for code in sorted(votes)
        if not only_icb or _majority(votes[code]) == only_icb
    ]
    if only_icb and not pcns and not problems:
        problems.append(f"No PCN in the files belongs to the ICB {only_icb}.")
    kept = {pcn.code for pcn in pcns}
    return pcns, [p for p in in_order if p.pcn_code in kept]


@dataclass
class Built:
    created: dict[str, int]
    changed: dict[str, int]
    unchanged: int = 0


def _check_kinds(wanted: list[tuple[str, str, str]], existing: dict, problems: list[str]) -> None:
    """A code already used by another kind of organisation would put a practice under a
    provider, or a PCN under a practice: refused, not guessed."""
    for kind, code, at in wanted:
        org = existing.get(code)
        if org is not None and org.kind != kind:
            problems.append(
                f"{at}: {code} is already {org.name} in Linkwell, another kind of organisation "
                f"({org.get_kind_display()}, not {OrganisationKind(kind).label}); correct it or "
                "the file."
            )


def _upsert(kind, code, name, parent, existing, built: Built) -> Organisation:
    org = existing.get(code)
    if org is None:
        org = Organisation.objects.create(kind=kind, ods_code=code, name=name, parent=parent)
        built.created[kind] = built.created.get(kind, 0) + 1
        existing[code] = org
    elif (org.name, org.parent_id) != (name, parent.pk if parent else None):
        org.name, org.parent = name, parent
        org.save(update_fields=["name", "parent"])
        built.changed[kind] = built.changed.get(kind, 0) + 1
    else:
        built.unchanged += 1
    return org


def import_area(*, files: list[Path], icb_lookup: Path, only_icb: str = "", by=None) -> Built:
    """Create or update the ICBs, PCNs and practices the files name; `only_icb` (an ICB code)
    keeps that ICB's PCNs and their practices. Raises AreaFileError with every problem, having
    written nothing, if there is any."""
    problems: list[str] = []
    practices, pcn_names = _read_payments(files, problems)
    icbs = _read_icb_lookup(icb_lookup, problems)
    pcns, practices = _plan(practices, pcn_names, icbs, only_icb, problems)
    icb_of: dict[str, Icb] = {}
    for icb in icbs.values():
        icb_of.setdefault(icb.code, icb)
    return _build(
        [icb_of[code] for code in sorted({p.icb for p in pcns})], pcns, practices, by, problems
    )


@transaction.atomic
def _build(used_icbs: list[Icb], pcns: list[Pcn], practices: list[Practice], by, problems) -> Built:
    """Checks the codes against the organisations already in Linkwell, then writes, or raises
    with every problem and writes nothing."""
    wanted = [(OrganisationKind.ICB, i.code, i.row.at("icb")) for i in used_icbs]
    wanted += [(OrganisationKind.PCN, p.code, p.row.at("pcn")) for p in pcns]
    wanted += [(OrganisationKind.PRACTICE, p.code, p.row.at("practice")) for p in practices]
    codes = [code for _, code, _ in wanted]
    existing = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
    _check_kinds(wanted, existing, problems)
    if problems:
        raise AreaFileError(problems)

    built = Built(created={}, changed={})
    parents = {}
    for icb in used_icbs:
        parents[icb.code] = _upsert(OrganisationKind.ICB, icb.code, icb.name, None, existing, built)
    for pcn in pcns:
        parents[pcn.code] = _upsert(
            OrganisationKind.PCN, pcn.code, pcn.name, parents[pcn.icb], existing, built
        )
    for p in practices:
        _upsert(OrganisationKind.PRACTICE, p.code, p.name, parents[p.pcn_code], existing, built)
    audit.record(
        user=by,
        action=AuditAction.ACCOUNT,
        object_type="accounts.organisation",
        event="organisations imported",
        created=built.created,
        changed=built.changed,
    )
    return built
