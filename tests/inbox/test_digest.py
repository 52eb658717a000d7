"""The Today inbox's daily email: turned on by the link worker on their account page, counts
and a link only, once a day at most, through the outbox."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from linkwell import inbox_digest
from linkwell.accounts.models import AuditEntry, InboxDigest, Role
from linkwell.accounts.staff import set_active
from linkwell.cases import services
from linkwell.checkins import services as checkins
from linkwell.delivery.models import Delivery
from tests.checkins.test_views import sent_link
from tests.connections.conftest import tasks_inline  # noqa: F401 — tasks inline, SMS in memory
from tests.connections.factories import connect, provider_service
from tests.factories import make_case, user_with_role, valid_nhs_number

pytestmark = pytest.mark.django_db
NHS_NUMBER = valid_nhs_number(7)


def digests():
    return Delivery.objects.filter(key__startswith="inbox-digest:")


@pytest.fixture
def busy(worker, pcn):
    """Lena asked for the email; Edith Crawley's follow-up is overdue and she asked to be called
    about her walking group today."""
    worker.inbox_digest = True
    worker.save()
    edith = make_case(
        pcn=pcn,
        by=worker,
        given_name="Edith",
        family_name="Crawley",
        nhs_number=NHS_NUMBER,
        preferred_contact="text",
    )
    services.assign(case=edith, link_worker=worker, by=worker)
    yesterday = timezone.localdate() - timedelta(days=1)
    services.add_task(case=edith, title="Ring about housing", due_on=yesterday, by=worker)
    connection = connect(edith, provider_service(name="Chapeltown walking group"), worker)
    token = sent_link(connection).strip("/").split("/")[-1]
    checkins.answer(token=token, answer="call_me")
    mail.outbox.clear()
    return worker


def test_the_email_counts_each_part_of_the_inbox_and_names_nobody(busy):
    assert inbox_digest.send() == 1
    (email,) = mail.outbox  # sent through the outbox by the (inline) worker
    assert email.to == ["lw@example.org"] and email.subject == "Linkwell: your Today inbox"
    assert "- Follow-ups due today or overdue: 2" in email.body  # hers, and the call it asked for
    assert "- Check-in answers: 1" in email.body
    assert "Replies from services" not in email.body  # nothing there: not listed
    assert settings.SITE_URL.rstrip("/") + "/today/" in email.body
    for identifier in ("Edith", "Crawley", NHS_NUMBER, "housing", "walking", "call me"):
        assert identifier.lower() not in email.body.lower()
    (delivery,) = digests()
    assert delivery.to_person is False and delivery.case is None
    assert AuditEntry.objects.filter(
        object_type="delivery.delivery", object_id=str(delivery.pk), action="create"
    ).exists()


def test_never_twice_a_day(busy):
    assert inbox_digest.send() == 1
    assert inbox_digest.send() == 0  # a rerun
    # A run that raced another one: checked before the other wrote its row, writes after.
    assert inbox_digest._send_one(busy, timezone.localdate()) is False
    assert len(mail.outbox) == 1 and digests().count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        InboxDigest.objects.create(user=busy, on=timezone.localdate())
    # Tomorrow is another day.
    assert inbox_digest.send(now=timezone.now() + timedelta(days=1)) == 1


def test_nothing_when_the_inbox_is_empty(worker):
    worker.inbox_digest = True
    worker.save()
    assert inbox_digest.send() == 0
    assert not mail.outbox and not InboxDigest.objects.exists()


def test_only_for_active_link_workers_who_asked(busy, pcn):
    busy.inbox_digest = False
    busy.save()
    assert inbox_digest.send() == 0
    busy.inbox_digest = True
    busy.save()
    set_active(user=busy, active=False, by=user_with_role(Role.ADMIN, pcn))
    assert inbox_digest.send() == 0
    # A manager who once had the choice set has no inbox, so no email.
    user_with_role(Role.MANAGER, pcn, email="m@example.org", inbox_digest=True)
    assert inbox_digest.send() == 0 and not mail.outbox


def test_the_command_queues_them(busy, capsys):
    call_command("digest", "send")
    assert "Queued 1 Today inbox digests." in capsys.readouterr().out


def test_a_link_worker_turns_it_on_and_off_on_their_account_page(client, worker):
    client.force_login(worker)
    page = client.get("/accounts/account/").content.decode()
    assert "Daily email" in page and 'name="inbox_digest"' in page and "checked" not in page
    response = client.post("/accounts/account/", {"inbox_digest": "on"})
    assert response.status_code == 302 and response.url == "/accounts/account/"
    worker.refresh_from_db()
    assert worker.inbox_digest
    assert "checked" in client.get("/accounts/account/").content.decode()
    assert AuditEntry.objects.filter(
        action="account", object_id=str(worker.pk), detail__event="daily inbox email on"
    ).exists()
    client.post("/accounts/account/", {})
    worker.refresh_from_db()
    assert not worker.inbox_digest


def test_no_email_address_is_said_by_the_field(client, pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn, email="")
    client.force_login(worker)
    response = client.post("/accounts/account/", {"inbox_digest": "on"})
    assert response.status_code == 400
    assert "Your account has no email address" in response.content.decode()
    worker.refresh_from_db()
    assert not worker.inbox_digest


def test_only_those_with_an_inbox_are_offered_it(client, pcn):
    manager = user_with_role(Role.MANAGER, pcn, email="m@example.org")
    client.force_login(manager)
    page = client.get("/accounts/account/").content.decode()
    assert "Your account" in page and "inbox_digest" not in page
    assert client.post("/accounts/account/", {"inbox_digest": "on"}).status_code == 403
    manager.refresh_from_db()
    assert not manager.inbox_digest
