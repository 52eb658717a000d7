"""Finding people's records by what a link worker types in one search box: a name, an NHS
number, a date of birth, a phone number, an email address or a postcode.

The input is read the way the record stores it (postcode spaced and upper case, phone as
digits, dates in the UK's day-first order), so "ls11ue", "3/4/1950" and "+44 7700 900123"
find what "LS1 1UE", 1950-04-03 and "07700 900123" were saved as. Every lookup is an equality
on an indexed column or expression (see Person.Meta.indexes), so it stays fast on PostgreSQL.
This narrows; who may see what is the caller's `visible_to`, never widened here.
"""

import re
from datetime import date, datetime

from django.db.models import Q, QuerySet

from .identifiers import is_postcode, normalise_postcode, uk_phone_digits
from .models import Person, email_key, phone_key

# Dates as people type them, day first (UK): 3/4/1950, 03-04-1950, 3.4.1950, 3 4 1950,
# 3 April 1950, 3 Apr 1950, and ISO 1950-04-03. Two-digit years are refused: 3/4/50 is
# 1950 for one person and 2050 to the computer.
_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %m %Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d")


def typed_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def matching(text: str) -> QuerySet:
    """People whose record fits `text`, from every PCN: scope it with `visible_to`."""
    text = " ".join((text or "").split())[:100]
    people = Person.objects.all()
    if "@" in text:
        return people.alias(email_key=email_key()).filter(email_key=text.lower())
    day = typed_date(text)
    if day is not None:
        return people.filter(date_of_birth=day)
    if is_postcode(text):
        return people.filter(postcode=normalise_postcode(text))
    digits = re.sub(r"[\s\-().+]", "", text)
    if digits.isdigit():
        found = Q(nhs_number__startswith=digits)
        national = uk_phone_digits(text)
        if national:
            # However it was typed on the record: 0…, 44…, or 440… for "+44 (0)…".
            stored = [f"0{national}", f"44{national}", f"440{national}", national]
            people = people.alias(phone_key=phone_key())
            found |= Q(phone_key__in=stored)
        return people.filter(found)
    for word in re.split(r"\s+", text)[:3]:
        people = people.filter(Q(given_name__icontains=word) | Q(family_name__icontains=word))
    return people
