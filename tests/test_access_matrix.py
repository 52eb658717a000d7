"""What a permitted user sees in lists and status pages: their own organisation's people only,
and never the notes. (Which routes each role may reach at all: tests/test_route_matrix.py.)

"own" means a membership in the PCN (or, for a referrer, the practice) the record belongs to;
"other" means the same role in an organisation of another PCN and ICB.
"""

import pytest
from django.utils import timezone

from linkwell.accounts.models import Role
from linkwell.accounts.services import create_token
from linkwell.cases import services
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    practice = PracticeFactory()
    elsewhere = PracticeFactory()
    case = make_case(practice=practice, by=None)
    return {"own": practice, "other": elsewhere, "case": case}


def member(role, world, which):
    practice = world[which]
    organisation = {
        Role.REFERRER: practice,
        Role.ADMIN: practice.parent.parent,
        Role.PROVIDER: practice.parent,
    }.get(role, practice.parent)
    return user_with_role(role, organisation)


@pytest.mark.parametrize("which,visible", [("own", True), ("other", False)])
@pytest.mark.parametrize("surface", ["page", "api"])
def test_caseload_lists_only_own_pcn(client, world, which, visible, surface):
    user = member(Role.LINK_WORKER, world, which)
    name = world["case"].person.family_name
    if surface == "page":
        client.force_login(user)
        assert (name in client.get("/caseload/").content.decode()) is visible
    else:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
        items = client.get("/api/v1/cases", **headers).json()["items"]
        assert (world["case"].pk in [c["id"] for c in items]) is visible


def test_referrers_see_status_but_never_notes(client, world):
    worker = member(Role.LINK_WORKER, world, "own")
    case = world["case"]
    services.record_contact(
        case=case,
        at=timezone.now(),
        mode="phone",
        minutes=5,
        notes="Confidential: talked about debts",
        by=worker,
    )
    referrer = member(Role.REFERRER, world, "own")
    client.force_login(referrer)
    page = client.get(f"/referrals/{case.referral_id}/").content.decode()
    assert "Contacted" in page and "Confidential" not in page
    api = client.get(
        f"/api/v1/referrals/{case.referral_id}",
        HTTP_AUTHORIZATION=f"Bearer {create_token(user=referrer)}",
    ).content.decode()
    assert '"status": "contacted"' in api.replace('":"', '": "') and "Confidential" not in api


def test_referrers_list_only_their_practices_referrals(client, world):
    make_case(practice=world["other"], by=None, family_name="Zebedee")
    referrer = member(Role.REFERRER, world, "own")
    client.force_login(referrer)
    page = client.get("/referrals/").content.decode()
    assert world["case"].person.family_name in page and "Zebedee" not in page
