import pytest

from linkwell.accounts.models import Role
from tests.connections.conftest import tasks_inline  # noqa: F401 — tasks inline, SMS in memory
from tests.connections.factories import connect, provider_service
from tests.factories import make_case, user_with_role


@pytest.fixture
def worker(pcn):
    return user_with_role(Role.LINK_WORKER, pcn, email="lw@example.org")


@pytest.fixture
def case(pcn, worker):
    case = make_case(
        pcn=pcn, by=worker, given_name="Edith", family_name="Crawley", phone="07700 900123"
    )
    case.link_worker = worker
    case.save()
    person = case.person
    person.preferred_contact = "text"
    person.save()
    return case


@pytest.fixture
def connection(case, worker):
    return connect(case, provider_service(name="Chapeltown walking group"), worker)
