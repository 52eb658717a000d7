"""The message back as a PDF letter (the same content as the HTML letter and the Bundle)."""

from django.utils import timezone

from linkwell.pdf import document

from .message_back import TITLE


def render(letter: dict) -> bytes:
    case = letter["case"]
    pdf = document(TITLE, size=15)
    pdf.set_font("DejaVu", "", 9)
    sent = letter["sent_at"]
    when = f"Sent {timezone.localtime(sent):%-d %B %Y %H:%M}" if sent else "Draft: not sent"
    for line in (f"To: {letter['recipient_name']}", f"From: {case.organisation.name}", when):
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    for section in letter["sections"]:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 7, section["title"], new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for line in section["lines"] or ["None recorded."]:
            pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
