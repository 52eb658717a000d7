"""Chasing the practice's business acknowledgement of a message back (GP Connect Send Document
GPCM-SD-095/096): "No reply from the practice" after MESH_ACK_CHASE_HOURS on the case, in
Today and in the outbox, until the acknowledgement comes or a link worker records that the
practice has it; and the messages that failed, in Today."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linkwell import inbox
from linkwell.accounts.models import AuditEntry, Role
from linkwell.cases import services as cases
from linkwell.cases.timeline import gather
from linkwell.delivery import services
from linkwell.delivery.mesh import Acknowledgement
from linkwell.delivery.models import Delivery, Status
from linkwell.delivery.queries import awaiting_reply
from linkwell.standards.services import send_message_back
from tests.factories import make_case, user_with_role
from tests.standards.helpers import recorded_case

pytestmark = pytest.mark.django_db
MINUTE = timedelta(minutes=1)


@pytest.fixture
def case(pcn, link_worker):
    case = make_case(pcn=pcn, by=link_worker, given_name="Edith", family_name="Crawley")
    cases.assign(case=case, link_worker=link_worker, by=link_worker)
    return case


def sent(case, *, ago: timedelta, channel="mesh", key="message-back:1") -> Delivery:
    """A message about the case that the worker sent `ago` (a MESH message back by default)."""
    to = "B86010" if channel == "mesh" else "07700 900123"
    delivery = services.queue(key=key, what="message back", channel=channel, to=to, case=case)
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENT, sent_at=timezone.now() - ago, provider_id="m1", mesh_mailbox="B1GP1"
    )
    delivery.refresh_from_db()
    return delivery


def ack(delivery, *, ok=True, code="30001", text="Patient known here"):
    services.record_acknowledgement(
        ack=Acknowledgement(reference=delivery.reference, ok=ok, code=code, text=text)
    )
    delivery.refresh_from_db()
    return delivery


def awaiting() -> list[Delivery]:
    return list(awaiting_reply())


def inbox_texts(user, key) -> list[str]:
    section = next(s for s in inbox.sections(user) if s.key == key)
    return [f"{e.person}: {e.text}" for e in section.entries()]


def shown(client, url) -> str:
    return unescape(client.get(url).content.decode())


def outcome(case, user) -> str:
    return next(e.detail for e in gather(case=case, user=user) if e.kind == "message")


@override_settings(MESH_ACK_CHASE_HOURS=24)
def test_no_reply_starts_just_after_mesh_ack_chase_hours(case):
    early = sent(case, ago=timedelta(hours=24) - MINUTE, key="early")
    late = sent(case, ago=timedelta(hours=24) + MINUTE, key="late")
    assert awaiting() == [late]
    # Collected by the practice's mailbox (MESH's tracking) is not a reply: still chased.
    services.record_status(delivery=late, status="acknowledged")
    assert awaiting() == [late] and early not in awaiting()
    # Only MESH messages wait for a practice's reply, and only once they have gone.
    sent(case, ago=timedelta(days=3), channel="text", key="a text")
    services.queue(key="queued", what="message back", channel="mesh", to="B86010", case=case)
    assert awaiting() == [late]


def test_a_positive_business_acknowledgement_ends_the_chase(case, link_worker):
    delivery = sent(case, ago=timedelta(days=3))
    services.record_status(delivery=delivery, status="acknowledged")  # collected
    # The infrastructure acknowledgement says only that the practice's system read it.
    delivery = ack(delivery, code="20013", text="Success")
    assert delivery.status == Status.DELIVERED and awaiting() == [delivery]
    assert outcome(case, link_worker).startswith("No reply from the practice since ")
    delivery = ack(delivery)
    assert delivery.acknowledged_at is not None and delivery.acknowledged_by is None
    assert awaiting() == []
    assert outcome(case, link_worker).startswith("Delivered ")


def test_a_negative_acknowledgement_is_a_failure_never_no_reply(client, case, link_worker):
    delivery = ack(
        sent(case, ago=timedelta(days=3)), ok=False, code="30002", text="Patient not known here"
    )
    assert delivery.status == Status.FAILED and awaiting() == []
    failure = "The practice's system did not accept it: Patient not known here (ITK 30002)"
    assert outcome(case, link_worker) == f"Failed: {failure}"
    assert inbox_texts(link_worker, "no-reply") == []
    assert inbox_texts(link_worker, "undelivered") == [
        f"Edith Crawley: Message back by mesh (gp practice) did not arrive: {failure}"
    ]
    client.force_login(link_worker)
    page = shown(client, reverse("cases:case_message_back", args=[case.pk]))
    assert failure in page and "No reply from the practice" not in page


def test_the_case_says_no_reply_since_the_day_it_was_sent(client, case, link_worker):
    delivery = sent(case, ago=timedelta(days=3))
    client.force_login(link_worker)
    page = client.get(reverse("cases:case_timeline", args=[case.pk])).content.decode()
    since = timezone.localtime(delivery.sent_at).strftime("%-d %b %Y %H:%M")
    assert f"No reply from the practice since {since}" in page
    page = client.get(reverse("cases:case_message_back", args=[case.pk])).content.decode()
    assert f"No reply from the practice</strong> since {since}" in page


def test_today_lists_failed_messages_this_week_and_unanswered_messages_back(
    client, case, link_worker, pcn, other_practice
):
    answered = make_case(pcn=pcn, by=link_worker, given_name="Ann")
    ack(sent(answered, ago=timedelta(days=3), key="answered"))
    elsewhere = make_case(pcn=other_practice.parent, by=None, given_name="Elsewhere")
    sent(elsewhere, ago=timedelta(days=3), key="elsewhere")
    waiting = sent(case, ago=timedelta(days=3), key="waiting")
    failed = sent(case, ago=timedelta(days=1), channel="text", key="failed text")
    services.record_status(delivery=failed, status="temporary-failure")
    old = sent(case, ago=timedelta(days=9), channel="text", key="old text")
    services.record_status(
        delivery=old, status="temporary-failure", at=timezone.now() - timedelta(days=8)
    )

    since = timezone.localtime(waiting.sent_at).strftime("%-d %b %Y")
    assert inbox_texts(link_worker, "no-reply") == [
        f"Edith Crawley: Message back: no reply from the practice since {since}"
    ]
    assert inbox_texts(link_worker, "undelivered") == [
        "Edith Crawley: Message back by text message did not arrive: "
        "Notify: the phone was off or the inbox full for 72 hours"
    ]
    client.force_login(link_worker)
    page = client.get(reverse("cases:today")).content.decode()
    assert "Messages that did not arrive" in page and "No reply from the practice" in page
    assert page.count(f'href="/cases/{case.pk}/message-back/#messages-sent"') == 2


def test_the_outbox_shows_unanswered_messages_back_as_a_problem(client, case, pcn):
    sent(case, ago=timedelta(days=3), key="waiting")
    ack(sent(case, ago=timedelta(days=3), key="answered"))
    client.force_login(user_with_role(Role.ADMIN, pcn))
    page = client.get(reverse("delivery:outbox")).content.decode()
    problems = page.split('id="no-reply"')[1].split('id="all"')[0]
    assert problems.count("No reply</strong>") == 1 and f"case {case.pk}" in problems


def confirm(client, delivery):
    return client.post(reverse("delivery:confirm_received", args=[delivery.pk]))


def confirmations(delivery) -> int:
    return AuditEntry.objects.filter(
        object_type="delivery.delivery",
        object_id=str(delivery.pk),
        detail__event="practice confirmed it has it",
    ).count()


def test_the_practice_has_it_ends_the_chase_once(client, case, link_worker):
    delivery = sent(case, ago=timedelta(days=3))
    client.force_login(link_worker)
    page = client.get(reverse("cases:case_message_back", args=[case.pk])).content.decode()
    assert reverse("delivery:confirm_received", args=[delivery.pk]) in page
    response = confirm(client, delivery)
    assert response.url == f"/cases/{case.pk}/message-back/#messages-sent"
    delivery.refresh_from_db()
    assert delivery.acknowledged_by == link_worker and awaiting() == []
    assert confirm(client, delivery).status_code == 302  # the second click changes nothing
    assert confirmations(delivery) == 1
    assert inbox_texts(link_worker, "no-reply") == []
    page = client.get(response.url).content.decode()
    assert "Lena Ward confirmed with the practice that they have it" in page


def test_a_manager_sees_no_reply_but_no_button(client, case, pcn):
    delivery = sent(case, ago=timedelta(days=3))
    client.force_login(user_with_role(Role.MANAGER, pcn))
    page = client.get(reverse("cases:case_message_back", args=[case.pk])).content.decode()
    assert "No reply from the practice" in page
    assert reverse("delivery:confirm_received", args=[delivery.pk]) not in page
    assert confirm(client, delivery).status_code == 403


def test_someone_outside_the_cases_pcn_is_refused(client, case, other_practice):
    delivery = sent(case, ago=timedelta(days=3))
    client.force_login(user_with_role(Role.LINK_WORKER, other_practice.parent))
    assert confirm(client, delivery).status_code == 404
    delivery.refresh_from_db()
    assert delivery.acknowledged_at is None and confirmations(delivery) == 0


@pytest.mark.parametrize(
    "state, refusal",
    [
        ("not yet due", "has not yet had the time it is given to reply (48 hours)"),
        ("failed", "did not reach the practice"),
        ("queued", "has not gone to the practice yet"),
        ("a text", "Only a message back sent to the practice by MESH waits for its reply"),
    ],
)
def test_only_a_message_awaiting_the_practices_reply_can_be_confirmed(
    client, case, link_worker, state, refusal
):
    if state == "queued":
        delivery = services.queue(key="q", what="message back", channel="mesh", to="B1", case=case)
    else:
        ago = timedelta(hours=47) if state == "not yet due" else timedelta(days=3)
        delivery = sent(case, ago=ago, channel="text" if state == "a text" else "mesh")
    if state == "failed":
        ack(delivery, ok=False, code="30002", text="Patient not known here")
    client.force_login(link_worker)
    response = confirm(client, delivery)
    assert response.status_code == 302
    assert refusal in shown(client, response.url)
    delivery.refresh_from_db()
    assert delivery.acknowledged_by is None and confirmations(delivery) == 0


def test_the_message_back_page_sends_the_link_worker_to_check_with_the_practice(client, practice):
    case, worker = recorded_case(practice)
    message = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    delivery = Delivery.objects.get(key=f"message-back:{message.pk}")
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENT, sent_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "No reply from the practice" in page
    assert f'href="/cases/{case.pk}/message-back/#messages-sent"' in page
    ack(delivery)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "No reply from the practice" not in page
