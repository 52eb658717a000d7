"""The link worker sends a person a link to their own page; on their phone the person sees
their plan, goals and services, and nothing of anyone else; an expired link is refused."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.delivery.backends import MemoryBackend
from linkwell.directory.models import Address, Location, ServiceAtLocation
from linkwell.portal.models import PersonPageLink
from linkwell.portal.person_page import send_link
from tests.connections.factories import connect, provider_service
from tests.e2e.accessibility import assert_accessible, assert_every_page_checked, track
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


def supported(practice, worker, *, given, family, plan, goal, service_name):
    case = make_case(
        practice=practice, by=worker, given_name=given, family_name=family, phone="07700 900123"
    )
    services.assign(case=case, link_worker=worker, by=worker)
    services.agree_care_plan(case=case, summary=plan, by=worker)
    services.add_goal(case=case, description=goal, by=worker)
    service = provider_service(name=service_name)
    location = Location.objects.create(id=f"loc-{service.pk}", name="Reginald Centre")
    Address.objects.create(
        location=location, address_1="263 Chapeltown Road", city="Leeds", postal_code="LS7 3EX"
    )
    ServiceAtLocation.objects.create(service=service, location=location)
    connect(case, service, worker, first_session_at=timezone.now() + timedelta(days=3))
    return case


def test_the_person_sees_their_own_plan_and_nobody_elses(page, browser, live_server, texts):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lena")
    case = supported(
        practice,
        worker,
        given="Edith",
        family="Crawley",
        plan="Walk twice a week with the Chapeltown group.",
        goal="Feel less alone on Sundays",
        service_name="Chapeltown walking group",
    )
    supported(
        practice,
        worker,
        given="Zebedee",
        family="Quartermaine",
        plan="XYLOPHONE LESSONS PLAN",
        goal="Play the xylophone at the fair",
        service_name="Zither club",
    )

    sign_in(page, worker.username)
    page.goto(f"/cases/{case.pk}/connections/")
    page.get_by_label("Text to 07700 900123").check()
    page.get_by_role("button", name="Send them a link to their page").click()
    expect(page.get_by_role("status")).to_contain_text("Edith's page link was sent by text")
    assert_accessible(page)
    link = re.search(r"(/p/[\w-]+/)", texts[-1]["body"]).group(1)

    person = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    phone = person.new_page()
    track(phone)
    errors = []
    phone.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    phone.goto(link)
    assert_accessible(phone)
    phone.get_by_role("button", name="Open my page").click()
    expect(phone.get_by_role("heading", name="Edith, your plan and support")).to_be_visible()
    expect(phone.locator("main")).to_contain_text("Walk twice a week with the Chapeltown group.")
    expect(phone.locator("main")).to_contain_text("Feel less alone on Sundays")
    expect(phone.locator("main")).to_contain_text("Chapeltown walking group")
    expect(phone.locator("main")).to_contain_text("Reginald Centre, 263 Chapeltown Road, Leeds")
    expect(phone.locator("main")).to_contain_text("First session:")
    assert_accessible(phone)
    body = phone.locator("body").inner_text()
    for theirs in ("Zebedee", "Quartermaine", "XYLOPHONE", "xylophone", "Zither"):
        assert theirs not in body
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.get_by_role("button", name="Close my page").click()
    expect(phone.get_by_role("heading", name="Your page has closed")).to_be_visible()
    assert_every_page_checked(phone)
    person.close()
    assert not errors, errors


def test_an_expired_link_is_refused(refused_page, texts):
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker, given_name="Edith", phone="07700 900123")
    send_link(case=case, channel="text", with_code=False, by=worker)
    link = re.search(r"(/p/[\w-]+/)", texts[-1]["body"]).group(1)
    PersonPageLink.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    assert refused_page.goto(link).status == 410
    expect(refused_page.get_by_role("heading", name="This page is not available")).to_be_visible()
    expect(refused_page.get_by_text("This link has expired")).to_be_visible()
    expect(refused_page.get_by_role("button", name="Open my page")).to_have_count(0)
    assert_accessible(refused_page)
