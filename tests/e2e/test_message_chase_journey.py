"""A link worker's Today inbox with a message that did not arrive and a message back the
practice never answered, at phone and desktop size: the case's message back page, then "The
practice has it" ends the chase. Every page checked by axe-core."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.cases import services as cases
from linkwell.delivery import services
from linkwell.delivery.models import Delivery, Status
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _sent(case, *, key, channel, to, **outcome):
    delivery = services.queue(key=key, what=key, channel=channel, to=to, case=case)
    Delivery.objects.filter(pk=delivery.pk).update(provider_id="p1", **outcome)


def test_failed_and_unanswered_messages_are_dealt_with_from_today(screen):
    page = screen
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = make_case(practice=practice, by=worker, given_name="Edith", family_name="Crawley")
    cases.assign(case=case, link_worker=worker, by=worker)
    now = timezone.now()
    _sent(
        case,
        key="check-in",
        channel="text",
        to="07700 900123",
        status=Status.FAILED,
        failed_at=now - timedelta(hours=2),
        error="Notify: the number does not exist",
    )
    _sent(
        case,
        key="message back",
        channel="mesh",
        to=practice.ods_code,
        status=Status.SENT,
        sent_at=now - timedelta(days=3),
        mesh_mailbox="B1GP1",
    )

    sign_in(page, worker.username)
    page.goto("/today/")
    expect(page.locator("#undelivered-list")).to_contain_text(
        "Edith Crawley: Check-in by text message did not arrive: Notify: the number does not exist"
    )
    waiting = page.locator("#no-reply-list")
    expect(waiting).to_contain_text("Message back: no reply from the practice since")
    assert_accessible(page)

    waiting.get_by_role("link", name="Edith Crawley").click()
    expect(page.get_by_text("No reply from the practice").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="The practice has it").click()
    expect(page.get_by_text("Recorded: the practice has the message back.")).to_be_visible()
    expect(page.get_by_role("button", name="The practice has it")).to_have_count(0)
    assert_accessible(page)

    page.goto("/today/")
    expect(page.locator("#no-reply-list")).to_have_count(0)
    expect(page.get_by_text("No message back waits for the practice's reply.")).to_be_visible()
