"""Fixtures shared by every test (see TESTING.md): one PCN with a practice, its staff, and a case.

Define a fixture here when a second test package needs it; a package's own conftest.py may
extend one (take it as an argument and add to it) but not redefine it from scratch.
"""

import pytest
from hypothesis import HealthCheck, settings

from linkwell.accounts.models import Role
from tests.factories import PracticeFactory, make_case, user_with_role

# Property tests are never timed: Hypothesis's default 200 ms deadline per example and its
# "too slow" health check fail by the machine's load, not by the code (two suites share CI's
# two cores, one under coverage), and speed is measured in bench/, not in tests. "thorough"
# runs many more examples by hand: pytest --hypothesis-profile=thorough.
settings.register_profile("linkwell", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("thorough", settings.get_profile("linkwell"), max_examples=2000)
settings.load_profile("linkwell")


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


@pytest.fixture(scope="session", autouse=True)
def no_session_left_on_the_test_database(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end any other session still on it (PostgreSQL),
    naming it: a CI run once failed after every test had passed, because DROP DATABASE found
    one left by something a test started. The names say what to fix."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid), application_name, state, left(query, 200) "
            "FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        for _, application, state, query in cursor.fetchall():
            print(f"\nEnded a session left on the test database: {application!r} {state} {query}")
