import pytest

from linkwell.accounts.models import Role
from tests.factories import make_case, user_with_role


@pytest.fixture
def case(pcn, link_worker):
    return make_case(pcn=pcn, by=link_worker, given_name="Edith", family_name="Crawley")


@pytest.fixture
def stranger(other_practice):
    """A link worker in another PCN and ICB."""
    return user_with_role(Role.LINK_WORKER, other_practice.parent)
