"""The audit log is read through `AuditEntry.objects.visible_to(admin)`: an admin reads the
entries of the organisations they look after, never another ICB's (issue 15, item 2)."""

import pytest

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, AuditEntry, Role
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_icbs():
    ours, theirs = PracticeFactory(), PracticeFactory()
    return {
        "ours": ours,
        "theirs": theirs,
        "admin": user_with_role(Role.ADMIN, ours.parent.parent),
        "their_worker": user_with_role(Role.LINK_WORKER, theirs.parent),
        "our_worker": user_with_role(Role.LINK_WORKER, ours.parent),
    }


def test_an_admin_reads_their_own_tree_only(two_icbs):
    w = two_icbs
    their_case = make_case(practice=w["theirs"], by=None, family_name="Faraway")
    our_case = make_case(practice=w["ours"], by=None, family_name="Nearby")
    mine = [
        audit.record(user=w["our_worker"], action=AuditAction.VIEW, person_id=our_case.person_id),
        # a failed sign-in to an account of ours names the account in the detail only
        audit.record(
            user=None, action=AuditAction.SIGN_IN_FAILED, username_tried=w["our_worker"].username
        ),
        # an anonymous self-referral to one of our PCNs is about a person we hold
        audit.record(user=None, action=AuditAction.CREATE, person_id=our_case.person_id),
    ]
    theirs = [
        audit.record(
            user=w["their_worker"], action=AuditAction.VIEW, person_id=their_case.person_id
        ),
        audit.record(
            user=None, action=AuditAction.SIGN_IN_FAILED, username_tried=w["their_worker"].username
        ),
        audit.record(user=None, action=AuditAction.CREATE, person_id=their_case.person_id),
    ]
    visible = set(AuditEntry.objects.visible_to(w["admin"]))
    assert set(mine) <= visible
    assert not set(theirs) & visible


def test_entries_naming_nobody_are_read_by_top_level_admins_only(two_icbs):
    w = two_icbs
    scanner = audit.record(user=None, action=AuditAction.DENIED, object_id="x")
    mistyped = audit.record(user=None, action=AuditAction.SIGN_IN_FAILED, username_tried="nobody")
    assert {scanner, mistyped} <= set(AuditEntry.objects.visible_to(w["admin"]))
    pcn_admin = user_with_role(Role.ADMIN, w["ours"].parent)
    assert not AuditEntry.objects.visible_to(pcn_admin).filter(pk__in=[scanner.pk, mistyped.pk])
    assert not AuditEntry.objects.visible_to(w["our_worker"]).exists()


def test_the_audit_log_page_shows_no_other_icbs_entries(client, two_icbs):
    w = two_icbs
    their_case = make_case(practice=w["theirs"], by=w["their_worker"], family_name="Faraway")
    client.force_login(w["their_worker"])
    client.get(f"/cases/{their_case.pk}/")
    our_case = make_case(practice=w["ours"], by=w["our_worker"], family_name="Nearby")
    client.force_login(w["our_worker"])
    client.get(f"/cases/{our_case.pk}/")
    client.force_login(w["admin"])
    page = client.get(f"/accounts/audit/?person_id={their_case.person_id}").content.decode()
    assert "No entries match" in page and w["their_worker"].username not in page
    page = client.get("/accounts/audit/").content.decode()
    assert w["their_worker"].username not in page and w["our_worker"].username in page
