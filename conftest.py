"""Fixtures shared by every test (see TESTING.md): one PCN with a practice, its staff, and a case.

Define a fixture here when a second test package needs it; a package's own conftest.py may
extend one (take it as an argument and add to it) but not redefine it from scratch.
"""

import pytest

from linkwell.accounts.models import Role
from tests.factories import PracticeFactory, make_case, user_with_role


@pytest.fixture
def practice(db):
    return PracticeFactory()


@pytest.fixture
def pcn(practice):
    return practice.parent


@pytest.fixture
def link_worker(pcn):
    """A link worker in the PCN, named and with an email address (letters and reminders use
    both)."""
    return user_with_role(
        Role.LINK_WORKER, pcn, first_name="Lena", last_name="Ward", email="lw@example.org"
    )


@pytest.fixture
def worker(link_worker):
    """The same link worker, under the shorter name most tests use."""
    return link_worker


@pytest.fixture
def case(pcn, worker):
    """Edith Crawley's case in the PCN, referred by the link worker (not yet assigned); she
    gave a phone number."""
    return make_case(
        pcn=pcn, by=worker, given_name="Edith", family_name="Crawley", phone="07700 900123"
    )


@pytest.fixture
def referrer(practice):
    return user_with_role(Role.REFERRER, practice)


@pytest.fixture
def other_practice(db):
    """A practice in a different PCN (and ICB): nothing of ours should be visible from here."""
    return PracticeFactory()
