"""Staff account emails go through the outbox: a delivery record sent by `linkwell worker`
through GOV.UK Notify (the local server), audited and shown to admins, with the single-use
link in it nowhere but the email itself."""

import json
import re

import pytest
from django.db import transaction
from django.urls import reverse

from linkwell.accounts.models import AuditEntry, LinkPurpose, Role
from linkwell.accounts.services import issue_link
from linkwell.delivery import sealing
from linkwell.delivery.backends import Refused
from linkwell.delivery.models import Delivery, Status
from tests.delivery.test_outbox import run_worker
from tests.factories import user_with_role

# `linkwell worker` closes and reopens its database connection: no test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True)
NEW_PASSWORD = "a-long-new-passphrase-42"


class EchoingBackend:
    """A provider whose refusal quotes the message it was given, link and all."""

    def send(self, delivery):
        raise Refused(f"Could not send: {delivery.body}")

    def find(self, delivery):
        return ""


def invite(pcn):
    admin = user_with_role(Role.ADMIN, pcn.parent, email="admin@example.org")
    nia = user_with_role(Role.LINK_WORKER, pcn, first_name="Nia", email="nia@example.org")
    with transaction.atomic():
        issue_link(user=nia, purpose=LinkPurpose.INVITATION, by=admin)
    return admin, nia


def secret_in(text: str) -> str:
    return re.search(r"/accounts/link/([^/\s]+)/", text).group(1)


def shown_to_admins(client, admin) -> str:
    """The outbox page and the whole audit log, as an admin can read them."""
    client.force_login(admin)
    outbox = client.get(reverse("delivery:outbox")).content.decode()
    client.logout()
    log = json.dumps(list(AuditEntry.objects.values("path", "detail")))
    return outbox + log


def test_an_invitation_is_a_delivery_sent_through_notify(notify, database_tasks, pcn, client):
    admin, nia = invite(pcn)
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.to, delivery.status) == ("email", nia.email, Status.QUEUED)
    assert delivery.what == "invitation link (staff account)" and delivery.case is None
    assert not delivery.to_person  # a failure asks no link worker to fix a person's details
    secret = secret_in(sealing.unseal(delivery.body))  # sealed at rest until sent
    page = shown_to_admins(client, admin)
    assert "invitation link (staff account)" in page and "Queued" in page
    assert secret not in page and nia.email not in page
    assert notify.sent == []  # nothing leaves until the worker sends it

    run_worker()
    (sent,) = notify.sent
    assert sent["email_address"] == nia.email and sent["reference"] == delivery.reference
    assert sent["personalisation"]["subject"] == "You have been invited to Linkwell"
    assert secret_in(sent["personalisation"]["body"]) == secret
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.body == ""
    events = AuditEntry.objects.filter(object_type="delivery.delivery").order_by("pk")
    assert [e.detail.get("event", "queued") for e in events] == ["queued", "sent"]
    assert events[0].username == admin.username

    # The link works, and nothing an admin reads held it whole, even while it was live.
    link = reverse("accounts:link", args=[secret])
    form = {"password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    assert client.post(link, form).status_code == 302
    assert client.session["_auth_user_id"] == str(nia.pk)
    assert secret not in shown_to_admins(client, admin)


def test_a_refused_email_keeps_neither_its_link_nor_a_whole_one_in_the_error(
    database_tasks, settings, pcn, client
):
    settings.DELIVERY_BACKENDS = {
        **settings.DELIVERY_BACKENDS,
        "email": "tests.accounts.test_emails.EchoingBackend",
    }
    admin, _ = invite(pcn)
    secret = secret_in(sealing.unseal(Delivery.objects.get().body))
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and delivery.body == ""
    assert "Could not send" in delivery.error and f"/accounts/link/{secret[:4]}…" in delivery.error
    page = shown_to_admins(client, admin)
    assert "Could not send" in page and secret not in page
