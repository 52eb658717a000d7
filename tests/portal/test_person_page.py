"""The person's own page: a single-use link exchanged for a short session that shows their
plan, goals, services and scores, and nothing of anyone else's or of staff notes."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.cases.services import transition
from linkwell.delivery.backends import MemoryBackend
from linkwell.outcomes.self_completion import create_link
from linkwell.outcomes.services import record_administration
from linkwell.portal import person_page
from linkwell.portal.models import PersonPageLink
from tests.connections.factories import connect, provider_service
from tests.factories import arrange, make_case

pytestmark = pytest.mark.django_db


def send(case, worker, channel="text", with_code=False) -> str:
    person_page.send_link(case=case, channel=channel, with_code=with_code, by=worker)
    body = MemoryBackend.outbox[0]["body"] if channel == "text" else mail.outbox[-1].body
    return re.search(r"(/p/[\w-]+/)", body).group(1)


def test_the_text_has_a_link_and_no_health_detail(case, worker):
    url = send(case, worker)
    (message,) = MemoryBackend.outbox
    assert message["to"] == "07700 900123" and "Hello Edith" in message["body"]
    assert "Walk" not in message["body"] and url in message["body"]
    assert AuditEntry.objects.filter(object_type="portal.personpagelink", action="create").exists()


def test_opening_the_link_once_gives_a_session_showing_their_page(client, case, worker):
    service = provider_service(name="Chapeltown walking group")
    connection = connect(case, service, worker, first_session_at=timezone.now() + timedelta(days=2))
    record_administration(
        case=case,
        instrument="ucla3",
        answers=[2, 2, 2],
        timepoint="baseline",
        mode="phone",
        by=worker,
    )
    url = send(case, worker)
    assert client.get(url).status_code == 200  # GET only offers the button
    assert PersonPageLink.objects.get().used_at is None
    response = client.post(url)
    assert response.status_code == 302 and response.url == "/my-page/"
    html = client.get("/my-page/").content.decode()
    assert "Walk twice a week with the group." in html
    assert "Feel less alone on Sundays" in html
    assert "Chapeltown walking group" in html and "First session" in html
    assert "The service has not replied yet" in html
    assert "UCLA" in html and "<svg" in html  # their scores over time
    assert "STAFF-ONLY NOTE" not in html  # no staff notes
    assert connection.note == "" and "Lena Ward" in html
    assert AuditEntry.objects.filter(
        action="view", object_type="cases.case", detail__via="person's own page"
    ).exists()


def test_nothing_of_another_person_appears(client, case, worker, pcn):
    other = make_case(pcn=pcn, by=worker, given_name="Zebedee", family_name="Quartermaine")
    from linkwell.cases.services import agree_care_plan

    agree_care_plan(case=other, summary="ZEBEDEE'S SECRET PLAN", by=worker)
    client.post(send(case, worker))
    html = client.get("/my-page/").content.decode()
    assert "Zebedee" not in html and "SECRET PLAN" not in html


def test_a_reused_link_is_refused_with_a_clear_page(client, case, worker):
    url = send(case, worker)
    client.post(url)
    client.post("/my-page/close/")
    again = client.post(url)
    assert again.status_code == 410
    assert "already been used" in again.content.decode()
    assert AuditEntry.objects.filter(action="denied", detail__refused="used").exists()


def test_reopening_the_link_on_the_same_device_goes_to_the_page(client, case, worker):
    url = send(case, worker)
    client.post(url)
    assert client.get(url).url == "/my-page/"


def test_an_expired_link_is_refused(client, case, worker):
    url = send(case, worker)
    PersonPageLink.objects.update(expires_at=timezone.now())
    page = client.post(url)
    assert page.status_code == 410 and "has expired" in page.content.decode()
    assert PersonPageLink.objects.get().used_at is None
    assert client.get("/my-page/").status_code == 410


def test_a_tampered_token_is_refused(client, case, worker):
    url = send(case, worker)
    page = client.get(url[:-3] + "zz/")
    assert page.status_code == 404 and "This link does not work" in page.content.decode()
    assert AuditEntry.objects.filter(action="denied", detail__refused="unknown").exists()


def test_the_session_is_short_lived(client, case, worker, settings):
    client.post(send(case, worker))
    session = client.session
    held = session[person_page.SESSION_KEY]
    held["until"] = timezone.now().timestamp() - 1
    session[person_page.SESSION_KEY] = held
    session.save()
    page = client.get("/my-page/")
    assert page.status_code == 410 and "Your page has closed" in page.content.decode()


def test_a_closed_case_ends_the_page(client, case, worker):
    url = send(case, worker)
    transition(case=case, to="discharged", by=worker, note="done")
    assert client.post(url).status_code == 409


def test_without_a_link_there_is_no_page(client, case):
    assert client.get("/my-page/").status_code == 410


def test_the_code_goes_the_other_way_and_is_needed(client, case, worker):
    url = send(case, worker, channel="email", with_code=True)
    (code_text,) = MemoryBackend.outbox
    code = re.search(r"(\d{6})", code_text["body"]).group(1)
    assert "code" in mail.outbox[-1].body.lower() and code not in mail.outbox[-1].body
    wrong = client.post(url, {"code": "000000" if code != "000000" else "111111"})
    assert wrong.status_code == 422 and "not right" in wrong.content.decode()
    assert client.post(url, {"code": code}).url == "/my-page/"


def test_too_many_wrong_codes_kill_the_link(client, case, worker):
    url = send(case, worker, channel="email", with_code=True)
    code = re.search(r"(\d{6})", MemoryBackend.outbox[0]["body"]).group(1)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(person_page.MAX_WRONG_CODES):
        client.post(url, {"code": wrong})
    assert client.post(url, {"code": code}).status_code == 410


@pytest.mark.parametrize(
    "channel,with_code,message",
    [("fax", False, "Choose a way"), ("text", True, "both a phone and an email")],
)
def test_sending_refuses_what_cannot_be_done(case, worker, channel, with_code, message):
    arrange(case.person, email="")
    with pytest.raises(person_page.PortalError, match=message):
        person_page.send_link(case=case, channel=channel, with_code=with_code, by=worker)
    assert not PersonPageLink.objects.exists() and not MemoryBackend.outbox


def test_a_measure_sent_for_self_completion_can_be_answered_from_the_page(client, case, worker):
    create_link(case=case, instrument="ucla3", timepoint="baseline", by=worker)
    client.post(send(case, worker))
    html = client.get("/my-page/").content.decode()
    assert "Questions waiting for you" in html
    link_id = re.search(r'name="measure" value="(\d+)"', html).group(1)
    response = client.post("/my-page/measure/", {"measure": link_id})
    assert response.status_code == 302 and response.url.startswith("/m/")
    assert client.get(response.url).status_code == 200
    assert client.post("/my-page/measure/", {"measure": "999999"}).status_code == 404


def test_the_link_worker_sends_it_from_the_case_page(client, case, worker):
    client.force_login(worker)
    page = client.get(f"/cases/{case.pk}/connections/").content.decode()
    assert "Send them a link to their page" in page
    response = client.post(
        f"/cases/{case.pk}/own-page/send/", {"channel": "email", "with_code": "on"}, follow=True
    )
    assert "sent by email, and the code separately" in response.content.decode()
    assert mail.outbox and MemoryBackend.outbox


def test_the_page_is_in_welsh_for_a_welsh_speaker(client, case, worker):
    arrange(case.person, preferred_language="Welsh")
    url = send(case, worker)
    assert MemoryBackend.outbox[0]["body"].startswith("Helo Edith")
    assert "Agor fy nhudalen" in client.get(url).content.decode()
    client.post(url)
    html = client.get("/my-page/").content.decode()
    assert 'lang="cy"' in html and "Eich cynllun" in html
