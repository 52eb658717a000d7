"""The subject access export as a PDF a person can read."""

from linkwell.pdf import document


def render(data: dict) -> bytes:
    pdf = document("Your social prescribing record")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        f"Produced {data['generated_at'][:16].replace('T', ' ')} in answer "
        "to a subject access request.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    for title, rows in data["sections"].items():
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        if not rows:
            pdf.multi_cell(0, 5, "Nothing held.", new_x="LMARGIN", new_y="NEXT")
        for row in rows:
            for key, value in row.items():
                if value not in ("", None):
                    pdf.multi_cell(0, 5, f"{key}: {value}", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
    return bytes(pdf.output())
