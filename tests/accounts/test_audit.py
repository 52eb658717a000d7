import pytest
from django.db import DatabaseError, connection, transaction

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, AuditEntry, Role
from tests.factories import make_case, user_with_role

pytestmark = pytest.mark.django_db


def test_viewing_a_case_writes_who_what_when_and_where(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker)
    client.force_login(link_worker)
    client.get(f"/cases/{case.pk}/", REMOTE_ADDR="10.1.2.3")
    entry = AuditEntry.objects.get(action="view")
    assert entry.user == link_worker and entry.person_id == case.person_id
    assert entry.ip_address == "10.1.2.3" and entry.path == f"/cases/{case.pk}/"
    assert entry.object_type == "people.person"


def test_every_change_is_audited(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker)
    client.force_login(link_worker)
    before = AuditEntry.objects.count()
    client.post(f"/cases/{case.pk}/transition/", {"to": "not_appropriate", "note": "Moved away"})
    entry = AuditEntry.objects.exclude(action="view").order_by("-id").first()
    assert AuditEntry.objects.count() > before
    assert entry.action == "transition" and entry.detail == {
        "from_status": "received",
        "to_status": "not_appropriate",
    }


def test_the_orm_refuses_to_edit_or_delete_entries(link_worker):
    entry = audit.record(user=link_worker, action=AuditAction.VIEW)
    entry.action = "create"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().update(action="create")
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()


def test_the_database_refuses_to_edit_entries(link_worker):
    entry = audit.record(user=link_worker, action=AuditAction.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE accounts_auditentry SET action = 'create' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == "view"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="DELETE is refused by PostgreSQL only"
)
def test_postgresql_refuses_to_delete_entries(link_worker):
    entry = audit.record(user=link_worker, action=AuditAction.VIEW)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM accounts_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_only_admins_read_the_audit_log(client, link_worker, pcn):
    client.force_login(link_worker)
    assert client.get("/accounts/audit/").status_code == 403
    admin = user_with_role(Role.ADMIN, pcn.parent)
    audit.record(user=link_worker, action=AuditAction.VIEW, person_id=42)
    client.force_login(admin)
    page = client.get("/accounts/audit/?person_id=42")
    assert page.status_code == 200 and link_worker.username in page.content.decode()


@pytest.mark.parametrize("value", ["²", "9" * 25, "x"])
def test_an_audit_filter_by_a_person_number_that_names_no_one_finds_nothing(
    client, link_worker, pcn, value
):
    audit.record(user=link_worker, action=AuditAction.VIEW, person_id=42)
    client.force_login(user_with_role(Role.ADMIN, pcn.parent))
    page = client.get("/accounts/audit/", {"person_id": value})
    assert page.status_code == 200 and link_worker.username not in page.content.decode()
