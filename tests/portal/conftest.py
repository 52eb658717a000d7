import pytest

from linkwell.cases import services
from tests.connections.conftest import tasks_inline  # noqa: F401 — SMS kept in memory
from tests.factories import make_case


@pytest.fixture
def case(pcn, worker):
    case = make_case(
        pcn=pcn,
        by=worker,
        given_name="Edith",
        family_name="Crawley",
        phone="07700 900123",
        email="edith@example.org",
    )
    services.assign(case=case, link_worker=worker, by=worker)
    services.agree_care_plan(case=case, summary="Walk twice a week with the group.", by=worker)
    services.add_goal(case=case, description="Feel less alone on Sundays", by=worker)
    services.record_contact(
        case=case, at=case.opened_at, mode="phone", minutes=10, notes="STAFF-ONLY NOTE", by=worker
    )
    case.refresh_from_db()
    return case
