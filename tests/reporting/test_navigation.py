"""Every report a role may read is reachable from the navigation or the reports page."""

import pytest

from linkwell.accounts.models import Organisation, OrganisationKind, Role
from tests.factories import PracticeFactory, user_with_role

pytestmark = pytest.mark.django_db


def test_reports_are_linked_for_those_who_may_read_them(client):
    practice = PracticeFactory()
    icb = practice.parent.parent
    second = Organisation.objects.create(name="Second PCN", kind=OrganisationKind.PCN, parent=icb)
    manager = user_with_role(Role.COMMISSIONER, icb)
    client.force_login(manager)
    page = client.get("/reporting/").content.decode()
    for url in ("/reporting/headlines/", f"/reporting/pcn/{second.pk}/"):
        assert f'href="{url}"' in page
    # a commissioner's figures are aggregate only: not the person-level outcome reports
    for url in ("/outcomes/report/", "/standards/", "/outcomes/instruments/"):
        assert f'href="{url}"' not in page
    client.force_login(user_with_role(Role.MANAGER, practice.parent))
    page = client.get("/reporting/headlines/").content.decode()
    for url in ("/outcomes/report/", "/standards/"):
        assert f'href="{url}"' in page
    admin = user_with_role(Role.ADMIN, icb)
    client.force_login(admin)
    assert 'href="/outcomes/instruments/"' in client.get("/accounts/audit/").content.decode()


def test_the_outcomes_report_links_the_standard(client):
    practice = PracticeFactory()
    client.force_login(user_with_role(Role.LINK_WORKER, practice.parent))
    assert 'href="/standards/"' in client.get("/outcomes/report/").content.decode()
