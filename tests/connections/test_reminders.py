"""Reminders and notifications: due items are found, queued once, and carry no health detail."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from linkwell import write_guard
from linkwell.cases.services import add_task, assign
from linkwell.connections import services
from linkwell.connections.models import Connection
from linkwell.connections.reminders import send_due
from linkwell.delivery.backends import MemoryBackend
from linkwell.people.models import ConsentScope
from linkwell.people.services import record_consent
from tests.connections.factories import connect, provider_service, provider_with_user

pytestmark = pytest.mark.django_db


def test_a_provider_is_nudged_after_n_days_without_reply_and_only_once(case, worker, settings):
    settings.CONNECTION_NUDGE_AFTER_DAYS = 5
    service, volunteer = provider_with_user()
    connection = connect(case, service, worker)
    mail.outbox.clear()
    assert send_due()["provider nudges"] == 0
    with write_guard.allowed("test: no reply for six days"):
        Connection.objects.update(status_changed_at=timezone.now() - timedelta(days=6))
    assert send_due()["provider nudges"] == 1
    assert send_due()["provider nudges"] == 0  # not again until another N days pass
    (message,) = mail.outbox
    assert "still waiting" in message.body and message.to == [volunteer.email]
    services.update_status(connection=connection, to="accepted", by=volunteer, via="portal")
    with write_guard.allowed("test: six more days without a reply"):
        Connection.objects.update(nudged_at=timezone.now() - timedelta(days=6))
    assert send_due()["provider nudges"] == 0


def test_providers_without_accounts_get_a_fresh_single_use_link(case, worker):
    connect(case, provider_service(email="hello@example.org"), worker)
    with write_guard.allowed("test: no reply for thirty days"):
        Connection.objects.update(status_changed_at=timezone.now() - timedelta(days=30))
    send_due()
    first, nudge = mail.outbox
    assert "/respond/" in nudge.body and nudge.body != first.body


def test_link_workers_hear_of_overdue_follow_ups_once_a_day(case, worker):
    assign(case=case, link_worker=worker, by=worker)
    task = add_task(
        case=case, title="Ring about the walking group", due_on=date(2030, 1, 1), by=worker
    )
    type(task).objects.filter(pk=task.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    assert send_due()["follow-up reminders"] == 1
    assert send_due()["follow-up reminders"] == 0
    (message,) = mail.outbox
    assert message.to == ["lw@example.org"] and "1 overdue follow-up" in message.body
    assert "walking" not in message.body and "Crawley" not in message.body


def test_people_who_asked_get_a_text_before_their_first_session(case, worker):
    service, volunteer = provider_with_user()
    soon = timezone.now() + timedelta(hours=3)
    connection = connect(case, service, worker, first_session_at=soon)
    services.update_status(connection=connection, to="accepted", by=volunteer, via="portal")
    assert send_due()["session reminders"] == 1
    assert MemoryBackend.outbox == []  # they never asked for reminders
    with write_guard.allowed("test: as if the reminder had not been sent"):
        Connection.objects.update(person_reminded_at=None)
    record_consent(person=case.person, scope=ConsentScope.CONTACT, given=True, by=worker)
    send_due()
    (text,) = MemoryBackend.outbox
    assert text["to"] == case.person.phone and "reminder of your session" in text["body"]
    assert service.name not in text["body"] and "lonel" not in text["body"].lower()


def test_the_command_queues_what_is_due(case, worker, capsys):
    call_command("reminders", "send-due")
    assert "Queued 0 provider nudges" in capsys.readouterr().out


def test_subject_access_and_erasure_include_connections(case, worker):
    from linkwell.people import subject_access

    connection = connect(
        case, provider_service(email="a@example.org"), worker, note="Likes mornings"
    )
    sections = subject_access.collect(case.person)["sections"]
    (row,) = sections["Referrals to community services"]
    assert row["Note for the service"] == "Likes mornings" and row["Status"] == "Sent"
    subject_access.erase(person=case.person, by=worker, reason="asked")
    connection.refresh_from_db()
    assert connection.note == "" and connection.shared_details == []
    assert not connection.links.filter(used_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)  # the worker closes and reopens its connection
def test_linkwell_worker_runs_what_the_database_queue_holds(case, worker, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    connect(case, provider_service(email="hello@example.org"), worker)
    assert not mail.outbox  # queued in the database, not sent yet
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload")
    (message,) = mail.outbox
    assert message.to == ["hello@example.org"]
