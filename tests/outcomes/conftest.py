import pytest

from linkwell.accounts.models import Role
from tests.factories import user_with_role


@pytest.fixture
def stranger(other_practice):
    """A link worker in another PCN and ICB."""
    return user_with_role(Role.LINK_WORKER, other_practice.parent)
