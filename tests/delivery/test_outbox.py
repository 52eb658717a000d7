"""The outbox: once per logical message, through the real GOV.UK Notify client to a local
server that checks what Notify checks; retries with backoff on 429 and 500; a worker killed
mid-send neither loses nor repeats the message; receipts and permanent failures show."""

import json
import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.conf import settings as settings_module
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from linkwell.accounts.models import AuditEntry, Role
from linkwell.cases.models import Task
from linkwell.delivery import checks, services
from linkwell.delivery.backends import ConsoleBackend, DjangoMailBackend, MemoryBackend
from linkwell.delivery.models import Delivery, Status
from linkwell.delivery.notify import NotifyBackend
from tests.factories import arrange, make_case, user_with_role

# `linkwell worker` closes and reopens its database connection: no test-wide transaction.
pytestmark = pytest.mark.django_db(transaction=True)
MOBILE = "07700 900123"


def run_worker():
    call_command("worker", batch=True, startup_delay=False, reload=False, stdout=None)


def text(case=None, *, key="test:1", to=MOBILE, body="Hello Edith. Your link: https://x/c/abc/"):
    return services.queue(key=key, what="check-in", channel="text", to=to, case=case, body=body)


@pytest.fixture
def case(pcn):
    worker = user_with_role(Role.LINK_WORKER, pcn)
    return arrange(make_case(pcn=pcn, by=worker), link_worker=worker)


def test_a_text_goes_through_notify_once_with_our_reference(notify, database_tasks):
    first = text()
    again = text()  # the same logical message: nothing new
    assert again.pk == first.pk and Delivery.objects.count() == 1
    run_worker()
    delivery = Delivery.objects.get()
    (sent,) = notify.sent
    assert delivery.status == Status.SENT and delivery.provider_id == sent["id"]
    assert sent["reference"] == delivery.reference and sent["phone_number"] == MOBILE
    assert sent["personalisation"] == {"body": "Hello Edith. Your link: https://x/c/abc/"}
    assert delivery.body == ""  # the link does not outlive its sending in our database
    events = AuditEntry.objects.filter(object_type="delivery.delivery")
    assert [e.detail.get("event", "queued") for e in events.order_by("pk")] == ["queued", "sent"]


def test_email_and_letter_bodies_match_notifys_schema(notify, database_tasks):
    services.queue(
        key="e", what="notice", channel="email", to="p@example.org", subject="S", body="B"
    )
    services.queue(
        key="l", what="letter", channel="letter", to="1 High St\nLeeds\nLS1 4AP", body="B"
    )
    run_worker()
    email, letter = sorted(notify.sent, key=lambda n: n["type"])
    assert email["personalisation"] == {"subject": "S", "body": "B"}
    assert letter["personalisation"]["address_line_3"] == "LS1 4AP"
    assert set(Delivery.objects.values_list("status", flat=True)) == {Status.SENT}


def test_a_wrong_api_key_is_refused_by_the_server_and_retried(notify, database_tasks, settings):
    settings.NOTIFY_API_KEY = notify.api_key[:-36] + "0" * 36  # another secret: bad signature
    text()
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.QUEUED and "403" in delivery.error and not notify.sent


def test_429_and_500_are_retried_with_backoff_and_sent_once(notify, database_tasks):
    notify.fail_next(429, 500)
    text()
    start = timezone.now()
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.QUEUED and delivery.attempts == 1
    assert "429" in delivery.error and "Exceeded rate limit" in delivery.error
    assert timedelta(seconds=59) < delivery.next_attempt_at - start < timedelta(seconds=70)
    assert services.send_due(now=start) == 0  # not due yet
    assert services.send_due(now=delivery.next_attempt_at) == 1
    run_worker()
    delivery.refresh_from_db()
    assert delivery.attempts == 2 and "500" in delivery.error
    assert timedelta(seconds=119) < delivery.next_attempt_at - start < timedelta(seconds=130)
    services.send_due(now=delivery.next_attempt_at)
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.attempts == 3 and len(notify.sent) == 1


def test_gives_up_visibly_after_the_last_attempt(notify, database_tasks, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    notify.fail_next(500, 500)
    text()
    run_worker()
    services.send_due(now=timezone.now() + timedelta(hours=1))
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED and "Gave up after 2 attempts" in delivery.error


def test_a_worker_killed_before_it_claimed_the_message_loses_nothing(notify, database_tasks):
    """Found by bench/bench_delivery.py: a worker SIGKILLed after taking a first send's task
    but before claiming the message left it queued, with no task and no retry time, forever."""
    from django_tasks_db.models import DBTaskResult

    delivery = text()
    DBTaskResult.objects.update(status="RUNNING")  # taken by the worker that then died
    run_worker()
    assert Delivery.objects.get().status == Status.QUEUED and notify.sent == []
    assert services.send_due() == 0  # a task may still be waiting for a busy worker
    later = timezone.now() + timedelta(seconds=settings_module.DELIVERY_CLAIM_SECONDS + 1)
    assert services.send_due(now=later) == 1
    run_worker()
    delivery.refresh_from_db()
    (sent,) = notify.sent
    assert delivery.status == Status.SENT and delivery.provider_id == sent["id"]


@pytest.mark.parametrize("reached_notify", [True, False], ids=["after-send", "before-send"])
def test_a_worker_killed_mid_send_neither_loses_nor_repeats(notify, database_tasks, reached_notify):
    delivery = text()
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.QUEUED)
    # The worker claims the message (committed) and dies: after Notify took it, or before.
    claimed_at = timezone.now()
    claimed, _ = services._claim(delivery.pk, claimed_at)
    if reached_notify:
        NotifyBackend().send(claimed)
    assert Delivery.objects.get().status == Status.SENDING
    run_worker()  # its own queued task finds the claim live and leaves it alone
    assert Delivery.objects.get().status == Status.SENDING
    assert services.send_due() == 0  # a live claim: its worker may still be sending
    # Eleven minutes on, the claim is stale (DELIVERY_CLAIM_SECONDS, 10 minutes): resumed.
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=claimed_at - timedelta(minutes=11))
    assert services.send_due() == 1
    run_worker()
    delivery.refresh_from_db()
    (sent,) = notify.sent
    assert delivery.status == Status.SENT and delivery.provider_id == sent["id"]


def test_an_invalid_number_fails_for_good_and_asks_to_fix_the_contact_details(
    notify, database_tasks, case
):
    text(case, to="0113 496 0000")  # a landline: Notify answers 400 "Not a UK mobile number"
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert delivery.error == "Notify answered 400: phone_number Not a UK mobile number"
    (task,) = Task.objects.filter(case=case)
    assert task.title == "Check the person's phone number: the check-in did not arrive"


def test_receipts_update_the_record_and_a_permanent_failure_adds_a_task(
    notify, database_tasks, case, client, settings
):
    settings.NOTIFY_CALLBACK_TOKEN = "callback-secret-" + "x" * 20
    text(case, key="a")
    text(case, key="b")
    run_worker()
    a, b = (Delivery.objects.get(key=k) for k in "ab")
    url = reverse("delivery:notify_receipt")

    def receipt(delivery, status, token=settings.NOTIFY_CALLBACK_TOKEN):
        body = {"id": delivery.provider_id, "reference": delivery.reference, "status": status}
        return client.post(
            url,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert receipt(a, "delivered", token="wrong").status_code == 401
    assert receipt(a, "delivered").json() == {"status": "delivered"}
    assert receipt(b, "permanent-failure").json() == {"status": "failed"}
    b.refresh_from_db()
    assert "does not exist" in b.error
    (task,) = Task.objects.filter(case=case)
    assert task.title.startswith("Check the person's phone number")
    assert receipt(a, "permanent-failure").json() == {"status": "delivered"}  # late, ignored
    impossible = {"id": b.provider_id, "status": "delivered", "completed_at": "2026-02-30T10:00Z"}
    answer = client.post(
        url,
        json.dumps(impossible),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {settings.NOTIFY_CALLBACK_TOKEN}",
    )
    assert answer.status_code == 200  # an unreadable time is no time, not a 500
    deep = client.post(
        url,
        "[" * 5000,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {settings.NOTIFY_CALLBACK_TOKEN}",
    )
    assert deep.status_code == 400  # nested past the JSON parser's depth: not a 500


def test_the_case_page_and_the_admins_outbox_show_failures(notify, database_tasks, case, client):
    text(case, to="0113 496 0000")
    run_worker()
    client.force_login(case.link_worker)
    page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Messages sent" in page and "Not a UK mobile number" in page
    admin = user_with_role(Role.ADMIN, case.organisation.parent)
    client.force_login(admin)
    outbox = client.get(reverse("delivery:outbox")).content.decode()
    assert "Not a UK mobile number" in outbox and "0113" not in outbox


def test_polling_reads_notifys_status(notify, database_tasks):
    text()
    run_worker()
    notify.sent[0]["status"] = "delivered"
    assert services.refresh_sent() == 1
    assert Delivery.objects.get().status == Status.DELIVERED


def test_the_console_never_prints_a_whole_single_use_link_in_production(capsys, settings):
    settings.PRODUCTION = True
    delivery = Delivery(
        channel="text", to=MOBILE, body="Open https://lw.example/c/Abcdefghijklmnopqrstuvwxyz123/"
    )
    ConsoleBackend().send(delivery)
    out = capsys.readouterr().out
    assert "Abcdefghijklmnopqrstuvwxyz123" not in out and "https://lw.example/c/Abcd…" in out


@pytest.mark.parametrize("production", [True, False])
def test_a_mail_backend_that_only_keeps_mail_never_gets_a_whole_link_in_production(
    settings, mailoutbox, production
):
    settings.PRODUCTION = production
    link = "https://lw.example/accounts/link/Abcdefghijklmnopqrstuvwxyz123/"
    DjangoMailBackend().send(Delivery(channel="email", to="w@example.org", body=f"Open {link}"))
    (mail,) = mailoutbox  # Django's memory backend, which production refuses
    assert (link in mail.body) is not production
    assert production is ("https://lw.example/accounts/link/Abcd…" in mail.body)


def test_production_refuses_console_and_memory_backends(settings):
    settings.PRODUCTION = True
    settings.MESH_URL = settings.MESH_MAILBOX = settings.MESH_PASSWORD = ""
    settings.DELIVERY_BACKENDS = {
        "text": "linkwell.delivery.backends.ConsoleBackend",
        "email": "linkwell.delivery.backends.MemoryBackend",
        "letter": "linkwell.delivery.notify.NotifyBackend",
        "mesh": "linkwell.delivery.mesh.MeshBackend",
    }
    settings.NOTIFY_API_KEY = ""
    ids = sorted(e.id for e in checks.real_delivery())
    assert ids == [
        "linkwell.delivery.E001",
        "linkwell.delivery.E001",
        "linkwell.delivery.E002",
        "linkwell.delivery.E003",
    ]


def test_production_with_notify_and_mesh_passes(settings):
    with override_settings(
        PRODUCTION=True,
        NOTIFY_API_KEY="k",
        NOTIFY_TEMPLATES={"text": "t", "email": "e", "letter": "l"},
        DELIVERY_BACKENDS={c: checks.NOTIFY for c in ("text", "email", "letter")},
        MESH_URL="https://mesh",
        MESH_MAILBOX="X",
        MESH_PASSWORD="p",
    ):
        assert checks.real_delivery() == []


def test_memory_backend_finds_what_it_sent():
    delivery = Delivery(channel="text", to=MOBILE, body="x")
    assert MemoryBackend().find(delivery) == ""
    assert MemoryBackend().send(delivery) == MemoryBackend().find(delivery)


def test_subject_access_lists_messages_and_erasure_stops_and_blanks_them(case):
    from linkwell.people.subject_access import collect, erase

    sent = text(case, key="sent")
    waiting = text(case, key="waiting")
    Delivery.objects.filter(pk=sent.pk).update(status=Status.SENT)
    rows = collect(case.person)["sections"]["Messages sent"]
    assert {r["To"] for r in rows} == {MOBILE} and len(rows) == 2
    manager = user_with_role(Role.MANAGER, case.organisation)
    erase(person=case.person, by=manager, reason="Their request")
    waiting.refresh_from_db()
    assert waiting.status == Status.FAILED and waiting.to == "(erased)" and waiting.body == ""
    assert MOBILE not in json.dumps(collect(case.person)["sections"]["Messages sent"])


@pytest.mark.skipif(
    not settings_module.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a second process shares the test database only on PostgreSQL",
)
def test_a_worker_process_killed_while_notify_holds_the_text_sends_it_once(notify, database_tasks):
    """A real `linkwell worker` process, killed with SIGKILL after Notify took the text and
    before Notify answered; the next worker finds it by its reference and sends nothing."""
    from django.db import connection

    text()
    notify.holding.set()
    database = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
        f"{database['NAME']}",
        "TEXT_BACKEND": "linkwell.delivery.notify.NotifyBackend",
        "NOTIFY_API_KEY": notify.api_key,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_TEMPLATE_TEXT": settings_module.NOTIFY_TEMPLATES["text"],
    }
    worker = subprocess.Popen(  # noqa: S603 — our own command
        [
            sys.executable,
            "-m",
            "linkwell",
            "worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not notify.sent and time.monotonic() < deadline:
        time.sleep(0.1)
    worker.kill()  # Notify has the text; the worker dies waiting for its answer
    worker.wait()
    notify.holding.clear()
    delivery = Delivery.objects.get()
    assert len(notify.sent) == 1 and delivery.status == Status.SENDING
    Delivery.objects.filter(pk=delivery.pk).update(
        claimed_at=delivery.claimed_at - timedelta(minutes=11)
    )
    assert services.send_due() == 1
    run_worker()
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT and delivery.provider_id == notify.sent[0]["id"]
    assert len(notify.sent) == 1


def test_a_bounce_from_a_service_asks_nobody_to_fix_the_persons_details(
    notify, database_tasks, case
):
    services.queue(
        key="notice",
        what="referral notice (new) to the service",
        channel="email",
        to="walkers@example.org",
        case=case,
        body="A new referral",
        to_person=False,
    )
    run_worker()
    services.record_status(delivery=Delivery.objects.get(), status="permanent-failure")
    assert Delivery.objects.get().status == Status.FAILED and not Task.objects.filter(case=case)


def test_a_misconfiguration_keeps_the_message_queued_and_says_why(notify, database_tasks, settings):
    settings.NOTIFY_TEMPLATES = {}  # no template for texts
    text()
    run_worker()
    delivery = Delivery.objects.get()
    assert delivery.status == Status.QUEUED and delivery.error.startswith(
        "Unexpected error: KeyError"
    )


def test_a_receipt_nested_past_pythons_limit_is_400(client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = "callback-secret-" + "x" * 20
    response = client.post(
        reverse("delivery:notify_receipt"),
        "[" * 5000 + "]" * 5000,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {settings.NOTIFY_CALLBACK_TOKEN}",
    )
    assert response.status_code == 400


def test_an_admin_sees_the_outbox_of_the_organisations_they_look_after_only(
    case, pcn, other_practice
):
    theirs = make_case(pcn=other_practice.parent)
    our_staff = user_with_role(Role.LINK_WORKER, pcn, email="ours@example.org")
    their_staff = user_with_role(Role.LINK_WORKER, other_practice.parent, email="them@example.org")
    sent = {
        "our case": services.queue(key="a", what="x", channel="text", to="07700 900001", case=case),
        "their case": services.queue(
            key="b", what="x", channel="text", to="07700 900002", case=theirs
        ),
        "our staff": services.queue(key="c", what="x", channel="email", to=our_staff.email),
        "their staff": services.queue(key="d", what="x", channel="email", to=their_staff.email),
        "their practice": services.queue(
            key="e", what="x", channel="mesh", to=other_practice.ods_code
        ),
        "no one's": services.queue(key="f", what="x", channel="email", to="gone@example.org"),
    }

    def seen(admin_of):
        visible = Delivery.objects.visible_to(user_with_role(Role.ADMIN, admin_of))
        return {name for name, d in sent.items() if visible.filter(pk=d.pk).exists()}

    assert seen(pcn) == {"our case", "our staff"}
    assert seen(pcn.parent) == {"our case", "our staff", "no one's"}  # a top-level ICB
    assert seen(other_practice.parent.parent) == {
        "their case",
        "their staff",
        "their practice",
        "no one's",
    }
