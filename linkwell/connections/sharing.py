"""What a provider is shown about the person: only the details they agreed to share."""

from .models import SharedDetail


def _value(code: str, person, case) -> str:
    if code == SharedDetail.NAME:
        return person.full_name
    if code == SharedDetail.DATE_OF_BIRTH:
        return person.date_of_birth.strftime("%-d %B %Y")
    if code == SharedDetail.PHONE:
        return person.phone
    if code == SharedDetail.EMAIL:
        return person.email
    if code == SharedDetail.POSTCODE:
        return person.postcode
    if code == SharedDetail.REASONS:
        return ", ".join(case.referral.reason_labels())
    if code == SharedDetail.LANGUAGE:
        needs = " (needs an interpreter)" if person.interpreter_needed else ""
        return f"{person.preferred_language}{needs}"
    return person.accessibility_needs


def shared_view(connection) -> list[tuple[str, str]]:
    """(label, value) for each shared detail, in a fixed order; empty values are left out."""
    case = connection.case
    rows = []
    for code in SharedDetail:
        if code in connection.shared_details:
            value = _value(code, case.person, case)
            if value:
                rows.append((code.label, value))
    return rows


def label(connection) -> str:
    """How the provider refers to this referral when the name was not shared."""
    if SharedDetail.NAME in connection.shared_details:
        return connection.case.person.full_name
    return f"Referral {connection.pk}"
