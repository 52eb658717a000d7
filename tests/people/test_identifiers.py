import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from linkwell.people.identifiers import normalise_postcode, validate_nhs_number, validate_postcode


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "9990000018", "9912003888"])
def test_valid_nhs_numbers_pass(number):
    validate_nhs_number(number)


@pytest.mark.parametrize(
    "number",
    ["9434765918", "9876544321", "943476591", "94347659190", "abcdefghij", "9912003890"],
)
def test_invalid_nhs_numbers_fail(number):
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


@given(st.from_regex(r"\A999\d{7}\Z"))
def test_exactly_one_check_digit_or_none_is_valid(number):
    # Modulus 11: for any nine digits at most one tenth digit makes a valid number.
    valid = []
    for d in "0123456789":
        try:
            validate_nhs_number(number[:9] + d)
            valid.append(d)
        except ValidationError:
            pass
    assert len(valid) <= 1


@pytest.mark.parametrize(
    "raw,normal", [("ls14ap", "LS1 4AP"), (" SW1A  1AA ", "SW1A 1AA"), ("m11ae", "M1 1AE")]
)
def test_postcodes_are_normalised_and_valid(raw, normal):
    assert normalise_postcode(raw) == normal
    validate_postcode(raw)


@pytest.mark.parametrize("bad", ["LS1", "12345", "LS1 4A", "QQ1 1AA X", "L S1 4AP!"])
def test_malformed_postcodes_fail(bad):
    with pytest.raises(ValidationError):
        validate_postcode(bad)
