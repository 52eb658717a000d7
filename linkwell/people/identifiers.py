"""Validation of NHS numbers, UK postcodes, GP practice codes and UK phone numbers."""

import re
import unicodedata

import nhs_number
import phonenumbers
from django.core.exceptions import ValidationError


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate_nhs_number(value: str) -> None:
    """Ten digits with a valid Modulus 11 check digit (NHS Data Dictionary, "NHS Number")."""
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        raise ValidationError("Enter an NHS number of 10 digits, like 943 476 5919.")
    if not nhs_number.is_valid(digits):
        raise ValidationError("This is not a valid NHS number: check the digits.")


# The GOV.UK "Bulk Data Transfer: additional validation" pattern used across government services.
_POSTCODE = re.compile(r"^([A-Z][A-HJ-Y]?[0-9][A-Z0-9]? ?[0-9][A-Z]{2}|GIR ?0A{2})$")


def normalise_postcode(value: str) -> str:
    """Upper case with one space before the inward code, e.g. 'ls11ue' → 'LS1 1UE'."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def is_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(normalise_postcode(value)))


def validate_postcode(value: str) -> None:
    if not is_postcode(value):
        raise ValidationError("Enter a real UK postcode, like LS1 4AP.")


# ODS "General Medical Practice Code (Patient Registration)": a letter and five digits, e.g.
# A81001; the default codes V81997 (no registered practice) and V81999 (not known) fit it too.
_GP_PRACTICE = re.compile(r"^[A-Z][0-9]{5}$")


def is_gp_practice_code(value: str) -> bool:
    return bool(_GP_PRACTICE.match((value or "").strip().upper()))


def validate_gp_practice_code(value: str) -> None:
    if not is_gp_practice_code(value):
        raise ValidationError(
            "Enter the practice's ODS code: a letter and 5 digits, like A81001 "
            "(V81997 if they are not registered with a GP, V81999 if not known)."
        )


def normalise_name(value: str, *, field: str) -> str:
    """A name in one Unicode form (NFC), so "é" typed two ways is one name to duplicate
    detection and search; control and format characters (Unicode categories Cc and Cf:
    bidirectional overrides such as U+202E, zero-width spaces and joiners, U+0000) are refused,
    because they change how a name looks without changing what it matches (a "Smith" with a
    zero-width space is not found as a duplicate of "Smith")."""
    text = unicodedata.normalize("NFC", value).strip()
    bad = sorted({f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf")})
    if bad:
        raise ValidationError(
            {field: f"Remove the invisible or control characters ({', '.join(bad)}) from the name."}
        )
    return text


# Ofcom keeps some ranges unallocated for TV and radio drama ("Telephone numbers for use in
# TV and radio drama programmes"); libphonenumber calls these two invalid, but they are how
# synthetic and demo records give a phone number that reaches no one: 07700 900000–900999
# (mobile) and 01632 960000–960999 (geographic).
_DRAMA = re.compile(r"^(?:7700900|1632960)\d{3}$")


def uk_phone_digits(value: str) -> str | None:
    """The national significant number of a UK phone number (e.g. '7700900123' for
    '07700 900123' or '+44 7700 900123'), or None if it is not one."""
    try:
        number = phonenumbers.parse(value, "GB")
    except phonenumbers.NumberParseException:
        return None
    national = str(number.national_number)
    if number.country_code != 44 or not (
        phonenumbers.is_valid_number(number) or _DRAMA.match(national)
    ):
        return None
    return national


def validate_uk_phone(value: str) -> None:
    """A UK phone number (country code 44), checked against libphonenumber's numbering plan."""
    if uk_phone_digits(value) is None:
        raise ValidationError("Enter a UK phone number, like 0113 496 0000 or 07700 900123.")
