"""The published tables as CSV, XLSX and PDF. Everything here reads `PublishedTable`s, which
have already been through disclosure control; nothing here sees a true count."""

import io
from datetime import timedelta

from django.utils.text import slugify

from linkwell.spreadsheets import csv_writer, xlsx_bytes

from . import lookups
from .queries import Filters


def filters_named(f: Filters) -> list[tuple[str, str]]:
    """(filter, what it was set to) in words, so a file says what it covers on its own."""
    pcns = lookups.pcns(f.pcn_ids)
    names = lookups.names_of_organisations([f.practice_id])
    return [
        ("PCN", ", ".join(p.name for p in pcns) if len(pcns) == 1 else f"All {len(pcns)} PCNs"),
        ("GP practice", names.get(f.practice_id, "All")),
        ("Link worker", lookups.user_names([f.link_worker_id]).get(f.link_worker_id, "All")),
        ("From", f"{f.start:%Y-%m-%d}"),
        ("To", f"{f.end - timedelta(days=1):%Y-%m-%d}"),
    ]


def filter_line(f: Filters) -> str:
    return "; ".join(f"{name}: {value}" for name, value in filters_named(f))


def filename(what: str, f: Filters, fmt: str) -> str:
    """e.g. referrals_leeds-pcn_2026-01-01_2026-03-31.csv: the table, every filter that is set
    (all PCNs when more than one), the first and last day; slugified, so only letters, digits,
    hyphens and underscores reach the Content-Disposition header."""
    named = dict(filters_named(f))
    parts = [what, named["PCN"]]
    parts += [named[k] for k in ("GP practice", "Link worker") if named[k] != "All"]
    parts += [named["From"], named["To"]]
    return "_".join(slugify(p) or "report" for p in parts) + f".{fmt}"


def _preamble(report) -> list[list[str]]:
    return [
        [f"{filter_line(report.filters)} (whole days in UTC, both included)"],
        [report.rule.describe()],
    ]


def to_csv(report, tables) -> str:
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerows(_preamble(report))
    for table in tables:
        writer.writerow([])
        writer.writerow([table.caption])
        writer.writerows(table.rows())
        if table.note:
            writer.writerow([table.note])
    return out.getvalue()


def to_xlsx(report, tables) -> bytes:
    return xlsx_bytes(
        {
            table.key[:31]: [
                [table.caption],
                *_preamble(report),
                *table.rows(),
                *([[table.note]] if table.note else []),
            ]
            for table in tables
        }
    )


def to_pdf(report, title: str) -> bytes:
    from linkwell.pdf import document

    pdf = document(title)
    pdf.set_font("DejaVu", "", 8)
    for (line,) in _preamble(report):
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")
    for section, tables in report.sections:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 13)
        pdf.multi_cell(0, 7, section.title, new_x="LMARGIN", new_y="NEXT")
        for table in tables:
            pdf.set_font("DejaVu", "B", 9)
            pdf.multi_cell(0, 5, table.caption, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("DejaVu", "", 7)
            with pdf.table(text_align="LEFT", first_row_as_headings=True) as grid:
                for row in table.rows():
                    cells = grid.row()
                    for value in row:
                        cells.cell(str(value))
            if table.note:
                pdf.multi_cell(0, 4, table.note, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2)
    return bytes(pdf.output())
