import pytest

from linkwell.accounts.models import Role
from tests.factories import PracticeFactory, user_with_role


@pytest.fixture
def practice(db):
    return PracticeFactory()


@pytest.fixture
def pcn(practice):
    return practice.parent


@pytest.fixture
def link_worker(pcn):
    return user_with_role(Role.LINK_WORKER, pcn)


@pytest.fixture
def referrer(practice):
    return user_with_role(Role.REFERRER, practice)


@pytest.fixture
def other_practice(db):
    """A practice in a different PCN (and ICB): nothing of ours should be visible from here."""
    return PracticeFactory()
