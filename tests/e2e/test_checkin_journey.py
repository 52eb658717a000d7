"""A person answers a check-in on their phone with one tap; "please call me" becomes a task
the link worker sees on the case. An expired link is refused. One journey in Welsh."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.checkins.models import CheckIn
from linkwell.checkins.sending import deliver
from linkwell.delivery.backends import MemoryBackend
from tests.connections.factories import connect, provider_service
from tests.e2e.accessibility import assert_accessible
from tests.e2e.journeys import sign_in
from tests.factories import PracticeFactory, make_case, user_with_role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def texts(settings):
    settings.DELIVERY_BACKENDS = {
        **settings.DELIVERY_BACKENDS,
        "text": "linkwell.delivery.backends.MemoryBackend",
    }
    # The outbox's sending task runs at once, as `linkwell worker` would run it.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()


def checked_in(texts, *, language="English"):
    """A case with a connection whose check-in has just been sent by text; its link path."""
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = make_case(
        practice=practice,
        by=worker,
        given_name="Edith",
        family_name="Crawley",
        phone="07700 900123",
        preferred_contact="text",
        preferred_language=language,
    )
    services.assign(case=case, link_worker=worker, by=worker)
    connection = connect(case, provider_service(name="Chapeltown walking group"), worker)
    assert deliver(connection.checkins.get().pk)
    path = re.search(r"(/c/[\w-]+/)", texts[-1]["body"]).group(1)
    return worker, case, path


def test_please_call_me_creates_a_task_the_link_worker_sees(page, texts):
    worker, case, path = checked_in(texts)
    page.goto(path)
    expect(
        page.get_by_role("heading", name="Did you get to Chapeltown walking group?")
    ).to_be_visible()
    assert_accessible(page)
    call = page.get_by_role("button", name="Please call me")
    assert call.bounding_box()["width"] >= 300  # a thumb-sized, full-width button
    call.click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_text("Your link worker will phone you")).to_be_visible()
    assert_accessible(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/connections/")
    expect(page.locator("#check-ins ~ .nhsuk-card").first).to_contain_text(
        "Answered “Please call me”"
    )
    assert_accessible(page)
    page.locator(".lw-case-nav").get_by_role("link", name="Summary").click()
    expect(page.locator("#tasks ~ ul").first).to_contain_text(
        "Phone Edith: they asked for a call about Chapeltown walking group"
    )
    assert_accessible(page)


def test_an_expired_check_in_link_is_refused(refused_page, texts):
    page = refused_page
    _, _, path = checked_in(texts)
    CheckIn.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert page.goto(path).status == 410
    expect(page.get_by_role("heading", name="This link cannot be used")).to_be_visible()
    expect(page.get_by_text("This link has expired")).to_be_visible()
    expect(page.get_by_role("button", name="Please call me")).to_have_count(0)
    assert_accessible(page)


def test_a_welsh_speaker_answers_in_welsh(page, texts):
    _, case, path = checked_in(texts, language="Cymraeg")
    assert texts[-1]["body"].startswith("Helo Edith")
    page.goto(path)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert_accessible(page)
    expect(
        page.get_by_role("heading", name="A wnaethoch chi gyrraedd Chapeltown walking group?")
    ).to_be_visible()
    page.get_by_role("link", name="English").click()
    expect(
        page.get_by_role("heading", name="Did you get to Chapeltown walking group?")
    ).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cymraeg").click()
    assert_accessible(page)
    page.get_by_role("button", name="Ddim eto").click()
    expect(page.get_by_role("heading", name="Diolch")).to_be_visible()
    assert_accessible(page)
    assert case.connections.get().checkins.count() == 2  # asked once more, later
