"""The published tables as CSV, XLSX and PDF. Everything here reads `PublishedTable`s, which
have already been through disclosure control; nothing here sees a true count."""

import io

from linkwell.spreadsheets import csv_writer, xlsx_bytes


def _preamble(report) -> list[list[str]]:
    f = report.filters
    return [
        [f"Period: {f.start:%Y-%m-%d} to {f.end:%Y-%m-%d} (end exclusive, UTC)"],
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
