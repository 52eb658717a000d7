import pytest

from linkwell.cases import services
from tests.connections.conftest import tasks_inline  # noqa: F401 — tasks inline, SMS in memory
from tests.connections.factories import connect, provider_service
from tests.factories import arrange


@pytest.fixture
def case(case, worker):
    """The shared case, assigned to the link worker; Edith prefers text messages."""
    services.assign(case=case, link_worker=worker, by=worker)
    arrange(case.person, preferred_contact="text")  # no service changes it yet
    case.refresh_from_db()
    return case


@pytest.fixture
def connection(case, worker):
    return connect(case, provider_service(name="Chapeltown walking group"), worker)
