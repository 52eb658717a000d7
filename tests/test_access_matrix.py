"""Each role × own/other organisation × web page/API: who sees what.

"own" means a membership in the PCN (or, for a referrer, the practice) the record belongs to;
"other" means the same role in an organisation of another PCN and ICB.
"""

import pytest
from django.utils import timezone

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.cases import services
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = pytest.mark.django_db

ROLES = [Role.LINK_WORKER, Role.REFERRER, Role.PROVIDER, Role.MANAGER, Role.ADMIN]

# (surface, what) → {role: (status for own organisation, status for another)}
EXPECTED = {
    ("page", "case"): {
        Role.LINK_WORKER: (200, 404),
        Role.MANAGER: (200, 404),
        Role.REFERRER: (403, 403),
        Role.PROVIDER: (403, 403),
        Role.ADMIN: (403, 403),
    },
    ("api", "case"): {
        Role.LINK_WORKER: (200, 404),
        Role.MANAGER: (200, 404),
        Role.REFERRER: (403, 403),
        Role.PROVIDER: (403, 403),
        Role.ADMIN: (403, 403),
    },
    ("page", "referral"): {
        Role.REFERRER: (200, 404),
        Role.LINK_WORKER: (403, 403),
        Role.MANAGER: (403, 403),
        Role.PROVIDER: (403, 403),
        Role.ADMIN: (403, 403),
    },
    ("api", "referral"): {
        Role.LINK_WORKER: (200, 404),
        Role.MANAGER: (200, 404),
        Role.REFERRER: (200, 404),
        Role.PROVIDER: (404, 404),
        Role.ADMIN: (404, 404),
    },
    ("page", "transition"): {
        Role.LINK_WORKER: (302, 404),
        Role.MANAGER: (403, 403),
        Role.REFERRER: (403, 403),
        Role.PROVIDER: (403, 403),
        Role.ADMIN: (403, 403),
    },
    ("api", "transition"): {
        Role.LINK_WORKER: (200, 404),
        Role.MANAGER: (403, 403),
        Role.REFERRER: (403, 403),
        Role.PROVIDER: (403, 403),
        Role.ADMIN: (403, 403),
    },
}


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


def request(client, surface, what, user, case):
    if surface == "page":
        client.force_login(user)
        url = {
            "case": f"/cases/{case.pk}/",
            "referral": f"/referrals/{case.referral_id}/",
            "transition": f"/cases/{case.pk}/transition/",
        }[what]
        if what == "transition":
            return client.post(url, {"to": "declined", "note": "x"})
        return client.get(url)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=user)}"}
    if what == "transition":
        return client.post(
            f"/api/v1/cases/{case.pk}/transitions",
            {"to": "declined"},
            content_type="application/json",
            **headers,
        )
    url = {"case": f"/api/v1/cases/{case.pk}", "referral": f"/api/v1/referrals/{case.referral_id}"}[
        what
    ]
    return client.get(url, **headers)


@pytest.mark.parametrize("surface,what", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own", "other"])
def test_access(client, world, surface, what, role, which):
    user = member(role, world, which)
    expected = EXPECTED[(surface, what)][role][0 if which == "own" else 1]
    response = request(client, surface, what, user, world["case"])
    assert response.status_code == expected, response.content[:300]
    if expected == 404:
        denied = AuditEntry.objects.filter(action="denied", user=user)
        assert denied.exists(), "a refused look at someone else's record must be audited"


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
