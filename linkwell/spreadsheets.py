"""Every CSV and XLSX file Linkwell writes goes through here, so no text in it can run as a
formula when someone opens it in a spreadsheet (CSV or formula injection).

Text that reaches an export — a taxonomy term, a service or PCN name, a person's name — is
typed by others. A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return,
which some spreadsheets skip before reading one of those) is a formula to Excel, LibreOffice
and Google Sheets: `=HYPERLINK(...)` leaks data, `=cmd|' /C calc'!A0` runs a program. The rule
is OWASP's (https://owasp.org/www-community/attacks/CSV_Injection): prefix such a cell with a
single quote, so it is shown as text, and quote every field. We also look past leading spaces
and quotes (spreadsheets trim them) and at the full-width forms `＝＋－＠` (which Excel in East
Asian locales reads as their ASCII twins). Numbers stay numbers: a value such as `-3` or `+0.5`
is only a number, never a formula, and reports show negative changes.
"""

import csv
import re

TRIGGERS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
# What spreadsheets skip before deciding that a cell is a formula.
_LEADING = " \"'\u00a0\u3000"
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def cell(value):
    """The value, safe to put in a spreadsheet cell: non-text unchanged, text neutralised."""
    if not isinstance(value, str) or not value:
        return value
    if (value[0] in TRIGGERS or value.lstrip(_LEADING)[:1] in TRIGGERS) and not _NUMBER.fullmatch(
        value
    ):
        return "'" + value
    return value


def row(values) -> list:
    return [cell(v) for v in values]


class _SafeWriter:
    def __init__(self, out):
        self._writer = csv.writer(out, quoting=csv.QUOTE_ALL)

    def writerow(self, values):
        return self._writer.writerow(row(values))

    def writerows(self, rows):
        for values in rows:
            self.writerow(values)


def csv_writer(out) -> _SafeWriter:
    """A `csv.writer` whose every cell goes through `cell` and every field is quoted."""
    return _SafeWriter(out)


def frame(table):
    """A copy of a pandas DataFrame with every text cell through `cell`, for
    `DataFrame.to_csv` (the evaluation's tables: names and reasons read from others' files)."""
    table = table.copy()
    for column in table.columns:
        if table[column].dtype.kind == "O" or str(table[column].dtype) == "string":
            table[column] = table[column].map(cell)
    return table


def xlsx_bytes(sheets: dict[str, list[list]]) -> bytes:
    """A workbook of one sheet per title, every cell through `cell` (openpyxl itself stores any
    string starting with `=` as a live formula)."""
    import io

    from openpyxl import Workbook  # imported when used: slow to load, rarely needed

    book = Workbook(write_only=True)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for values in rows:
            sheet.append(row(values))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
