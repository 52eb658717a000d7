"""The one way Linkwell starts a PDF (subject access, message-back letter, reports): A4, DejaVu
Sans, a bold title. fpdf2 is imported here, when a PDF is asked for, as it is slow to load."""

from pathlib import Path

import matplotlib

# DejaVu Sans covers every script a name might be written in; matplotlib ships it.
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def document(title: str, *, size: float = 16):
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", size)
    pdf.multi_cell(0, size * 0.56, title, new_x="LMARGIN", new_y="NEXT")
    return pdf
