"""Check-ins: scheduled with each connection, sent by the person's preference with a
single-use link, and each answer acting on the connection and the link worker's tasks."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases.models import Task
from linkwell.cases.services import transition
from linkwell.checkins import services
from linkwell.checkins.models import CheckIn
from linkwell.checkins.sending import deliver, send_due
from linkwell.connections.services import update_status
from linkwell.delivery.backends import MemoryBackend
from linkwell.people.models import ConsentScope
from linkwell.people.services import record_consent
from tests.factories import arrange

pytestmark = pytest.mark.django_db


def sent_token(connection) -> str:
    """Make the connection's check-in due, send it, and read the token from the text."""
    CheckIn.objects.filter(connection=connection).update(due_at=timezone.now())
    assert send_due() == 1
    (message,) = MemoryBackend.outbox
    return re.search(r"/c/([\w-]+)/", message["body"]).group(1)


def test_a_connection_gets_a_check_in_seven_days_later(connection):
    (checkin,) = connection.checkins.all()
    assert checkin.due_at == connection.created_at + timedelta(days=7)
    assert checkin.is_pending and checkin.token_hash is None
    assert send_due() == 0  # not due yet


def test_the_text_carries_a_link_and_no_health_detail(connection, case):
    token = sent_token(connection)
    (message,) = MemoryBackend.outbox
    assert message["to"] == case.person.phone
    assert "Hello Edith" in message["body"]
    assert "walking" not in message["body"].lower()  # not even the service's name
    checkin = connection.checkins.get()
    assert checkin.sent_at and checkin.channel == "text" and checkin.token_hash != token
    assert send_due() == 0 and len(MemoryBackend.outbox) == 1  # a rerun sends nothing twice


def test_email_when_they_prefer_email(connection, case):
    arrange(case.person, preferred_contact="email", email="edith@example.org")
    CheckIn.objects.update(due_at=timezone.now())
    mail.outbox.clear()
    send_due()
    (message,) = mail.outbox
    assert message.to == ["edith@example.org"] and "/c/" in message.body


@pytest.mark.parametrize("contact,why", [("phone", "prefer phone calls"), ("letter", "no address")])
def test_no_automatic_check_in_for_phone_or_letter_and_staff_are_told(
    connection, case, contact, why, client, worker
):
    arrange(case.person, preferred_contact=contact, address="")
    CheckIn.objects.update(due_at=timezone.now())
    send_due()
    assert not MemoryBackend.outbox
    assert why in connection.checkins.get().not_sent
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/connections/").content.decode()
    assert "No automatic check-ins" in page and why in page


def test_people_who_prefer_letters_get_their_check_in_by_post(connection, case, settings):
    settings.DELIVERY_BACKENDS = {
        **settings.DELIVERY_BACKENDS,
        "letter": "linkwell.delivery.backends.MemoryBackend",
    }
    arrange(case.person, preferred_contact="letter", address="1 Market Street\nLeeds")
    CheckIn.objects.update(due_at=timezone.now())
    send_due()
    (letter,) = MemoryBackend.outbox
    assert letter["to"].splitlines() == ["Edith Crawley", "1 Market Street", "Leeds", "LS1 4AP"]
    assert "/c/" in letter["body"] and connection.checkins.get().channel == "letter"


def test_nothing_is_sent_after_contact_consent_is_withdrawn(connection, case, worker):
    record_consent(
        person=case.person, scope=ConsentScope.CONTACT, given=False, by=worker, method="phone"
    )
    sent_token_or_none = CheckIn.objects.update(due_at=timezone.now())
    assert sent_token_or_none == 1
    send_due()
    assert not MemoryBackend.outbox
    assert "asked not to be contacted" in connection.checkins.get().not_sent


def test_nothing_is_sent_when_the_case_closed_or_the_service_says_they_attended(
    connection, case, worker
):
    update_status(connection=connection, to="accepted", by=worker, via="test")
    update_status(connection=connection, to="attended", by=worker, via="test")
    CheckIn.objects.update(due_at=timezone.now())
    send_due()
    assert not MemoryBackend.outbox
    assert connection.checkins.get().not_sent == "the referral is attended"


def test_the_command_queues_due_check_ins(connection, capsys):
    CheckIn.objects.update(due_at=timezone.now())
    call_command("checkins", "send-due")
    assert "Queued 1 check-ins." in capsys.readouterr().out
    assert len(MemoryBackend.outbox) == 1


def test_deliver_twice_sends_once(connection):
    checkin = connection.checkins.get()
    assert deliver(checkin.pk) is True
    assert deliver(checkin.pk) is False
    assert len(MemoryBackend.outbox) == 1


# ---- answers ----------------------------------------------------------------------------


def test_yes_marks_an_accepted_connection_attended(connection, worker):
    update_status(connection=connection, to="accepted", by=worker, via="test")
    token = sent_token(connection)
    checkin = services.answer(token=token, answer="yes")
    connection.refresh_from_db()
    assert connection.status == "attended" and checkin.task is None
    assert connection.events.last().via == "person's check-in"


def test_yes_is_recorded_not_forced_when_the_table_forbids_it(connection):
    token = sent_token(connection)  # still "sent": sent → attended is not allowed
    checkin = services.answer(token=token, answer="yes")
    connection.refresh_from_db()
    assert connection.status == "sent"
    assert checkin.answer == "yes"
    assert "says they went there" in checkin.task.title


def test_please_call_me_raises_a_task_for_the_link_worker_today(connection, worker):
    checkin = services.answer(token=sent_token(connection), answer="call_me")
    task = Task.objects.get(pk=checkin.task_id)
    assert task.title == "Phone Edith: they asked for a call about Chapeltown walking group"
    assert task.assigned_to == worker and task.due_on == timezone.localdate()


def test_not_right_raises_a_task(connection):
    checkin = services.answer(token=sent_token(connection), answer="not_right")
    assert "wasn't right for them" in checkin.task.title


def test_not_yet_asks_once_more_then_raises_a_task(connection):
    first = services.answer(token=sent_token(connection), answer="not_yet")
    assert first.task is None
    again = connection.checkins.get(attempt=2)
    assert again.due_at > timezone.now() + timedelta(days=6)
    MemoryBackend.outbox.clear()
    CheckIn.objects.filter(pk=again.pk).update(due_at=timezone.now())
    send_due()
    token = re.search(r"/c/([\w-]+)/", MemoryBackend.outbox[0]["body"]).group(1)
    second = services.answer(token=token, answer="not_yet")
    assert "has not got to" in second.task.title
    assert connection.checkins.count() == 2  # no third


# ---- bad input: a clear refusal, nothing changed, audited ------------------------------


def refused(token, answer, status, reason):
    before = (Task.objects.count(), CheckIn.objects.filter(answer="").count())
    with pytest.raises(LinkRefused) as e:
        services.answer(token=token, answer=answer)
    assert (e.value.status, str(e.value)) == (status, reason)
    assert (Task.objects.count(), CheckIn.objects.filter(answer="").count()) == before
    assert AuditEntry.objects.filter(action="denied", detail__refused=reason).exists()


def test_a_reused_link_is_refused(connection):
    token = sent_token(connection)
    services.answer(token=token, answer="call_me")
    refused(token, "yes", 410, "used")
    assert Task.objects.count() == 1


def test_an_expired_link_is_refused(connection):
    token = sent_token(connection)
    CheckIn.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    refused(token, "call_me", 410, "expired")


def test_a_tampered_token_is_refused(connection):
    token = sent_token(connection)
    refused(token[:-1] + ("A" if token[-1] != "A" else "B"), "call_me", 404, "unknown")
    refused("", "call_me", 404, "unknown")


def test_an_unknown_answer_is_refused(connection):
    refused(sent_token(connection), "maybe", 400, "unknown answer")


def test_an_answer_for_a_closed_case_is_refused(connection, case, worker):
    token = sent_token(connection)
    transition(case=case, to="declined", by=worker, note="moved away")
    refused(token, "call_me", 409, "case closed")


def test_an_answer_for_a_withdrawn_connection_is_refused(connection, worker):
    token = sent_token(connection)
    update_status(connection=connection, to="withdrawn", reason="changed mind", by=worker, via="t")
    refused(token, "yes", 409, "referral withdrawn")


# ---- the link worker sets the time ------------------------------------------------------


def test_the_link_worker_moves_the_check_in(connection, worker):
    when = timezone.now() + timedelta(days=3)
    checkin = services.set_due(connection=connection, due_at=when, by=worker)
    assert connection.checkins.count() == 1 and checkin.due_at == when


def test_after_an_answer_setting_a_time_schedules_another(connection, worker):
    services.answer(token=sent_token(connection), answer="yes")
    services.set_due(connection=connection, due_at=timezone.now() + timedelta(days=1), by=worker)
    assert connection.checkins.count() == 2


@pytest.mark.parametrize("days,message", [(-2, "from now on"), (400, "within the next year")])
def test_times_out_of_range_are_refused(connection, worker, days, message):
    with pytest.raises(services.CheckInError, match=message):
        services.set_due(
            connection=connection, due_at=timezone.now() + timedelta(days=days), by=worker
        )


def test_no_check_in_time_for_a_closed_referral(connection, worker):
    update_status(connection=connection, to="withdrawn", reason="x", by=worker, via="t")
    with pytest.raises(services.CheckInError, match="withdrawn"):
        services.set_due(connection=connection, due_at=timezone.now(), by=worker)
