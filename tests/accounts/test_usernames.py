"""Usernames and email addresses match whatever the case of A-Z, and nothing looser: the long s,
the dotless i and the Kelvin sign, which PostgreSQL's UPPER() and LOWER() fold to ASCII
letters, never stand for them. Run on SQLite and on PostgreSQL."""

import string

import pytest
from django.core import mail

from linkwell.accounts import staff
from linkwell.accounts.models import Role, User
from linkwell.accounts.services import AccountError, is_locked_out, request_password_reset, sign_in
from linkwell.accounts.usernames import ascii_iexact
from tests.factories import UserFactory, user_with_role

pytestmark = pytest.mark.django_db

# (a lookalike, the ASCII address it folds to)
LOOKALIKES = [
    ("adſmin@example.org", "adsmin@example.org"),  # U+017F LATIN SMALL LETTER LONG S
    ("tım@example.org", "tim@example.org"),  # U+0131 LATIN SMALL LETTER DOTLESS I
    ("\u212aate@example.org", "kate@example.org"),  # U+212A KELVIN SIGN
]


@pytest.mark.parametrize(
    "typed, stored", LOOKALIKES + [(ascii, lookalike) for lookalike, ascii in LOOKALIKES]
)
def test_a_lookalike_letter_matches_no_other_address(typed, stored):
    UserFactory(username=stored, email=ascii_upper(stored))
    assert not User.objects.filter(ascii_iexact("email", typed)).exists()
    assert not User.objects.filter(ascii_iexact("username", ascii_upper(typed))).exists()
    assert User.objects.filter(ascii_iexact("email", stored)).exists()  # itself, any A-Z case


def ascii_upper(text: str) -> str:
    """(str.upper() would turn the lookalikes into the ASCII letters themselves)"""
    return text.translate(str.maketrans(string.ascii_lowercase, string.ascii_uppercase))


@pytest.mark.parametrize("lookalike, ascii", LOOKALIKES)
def test_a_reset_asked_for_a_lookalike_address_goes_to_nobody(lookalike, ascii, pcn):
    user_with_role(Role.LINK_WORKER, pcn, email=ascii)
    request_password_reset(email=lookalike)
    assert mail.outbox == []
    request_password_reset(email=ascii_upper(ascii))
    assert mail.outbox[0].to == [ascii]


def test_wrong_passwords_for_a_lookalike_username_do_not_lock_the_account(settings):
    UserFactory(username="adsmin@example.org")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        with pytest.raises(AccountError):
            sign_in(username="adſmin@example.org", password="wrong")
    assert not is_locked_out("adsmin@example.org")
    assert is_locked_out("ADſMIN@example.org")


def test_an_invitation_keeps_the_address_as_typed_but_for_a_z_case(pcn):
    admin = user_with_role(Role.ADMIN, pcn.parent)
    user_with_role(Role.LINK_WORKER, pcn, email="kate@example.org")
    invited = staff.invite(
        email="\u212aATE@Example.org",
        first_name="K",
        last_name="Ate",
        organisation=pcn,
        role=Role.LINK_WORKER,
        by=admin,
    )
    # str.lower() would have made it kate@example.org: someone else's mailbox.
    assert invited.email == "\u212aate@example.org"
    assert mail.outbox[-1].to == ["\u212aate@example.org"]
    with pytest.raises(AccountError, match="already has an account"):
        staff.invite(
            email="KATE@example.org",
            first_name="K",
            last_name="Ate",
            organisation=pcn,
            role=Role.LINK_WORKER,
            by=admin,
        )
