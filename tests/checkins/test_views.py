"""The check-in pages: the person's one-tap answer page and the link worker's controls."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.cases.models import Task
from linkwell.checkins.models import CheckIn
from linkwell.checkins.sending import send_due
from linkwell.delivery.backends import MemoryBackend
from tests.factories import arrange

pytestmark = pytest.mark.django_db


def sent_link(connection) -> str:
    CheckIn.objects.filter(connection=connection).update(due_at=timezone.now())
    send_due()
    return re.search(r"(/c/[\w-]+/)", MemoryBackend.outbox[-1]["body"]).group(1)


def test_the_answer_page_asks_with_four_buttons_and_get_changes_nothing(client, connection):
    url = sent_link(connection)
    page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Did you get to Chapeltown walking group?" in html
    for word in ("Yes", "Not yet", "It wasn&#x27;t right for me", "Please call me"):
        assert word in html
    assert not CheckIn.objects.exclude(answer="").exists()
    assert AuditEntry.objects.filter(action="view", object_type="checkins.checkin").exists()


def test_please_call_me_thanks_them_and_the_task_shows_on_the_case(client, connection, worker):
    url = sent_link(connection)
    page = client.post(url, {"answer": "call_me"})
    assert page.status_code == 200 and "Your link worker will phone you" in page.content.decode()
    client.force_login(worker)
    case_page = client.get(f"/cases/{connection.case_id}/connections/").content.decode()
    assert "Answered “Please call me”" in case_page
    case_page = client.get(f"/cases/{connection.case_id}/").content.decode()
    assert "Phone Edith: they asked for a call about Chapeltown walking group" in case_page


@pytest.mark.parametrize(
    "spoil,status,words",
    [
        (lambda client, url: client.post(url, {"answer": "not_right"}), 410, "already answered"),
        (lambda client, url: CheckIn.objects.update(expires_at=timezone.now()), 410, "expired"),
    ],
)
def test_used_and_expired_links_get_a_clear_page(client, connection, spoil, status, words):
    url = sent_link(connection)
    spoil(client, url)
    tasks = Task.objects.count()
    page = client.post(url, {"answer": "call_me"})
    assert page.status_code == status and words in page.content.decode()
    assert "Nothing has been changed." in page.content.decode()
    assert Task.objects.count() == tasks


def test_a_tampered_link_is_not_found(client, connection):
    url = sent_link(connection)
    page = client.get(url[:-2] + "x/")
    assert page.status_code == 404 and "This link does not work" in page.content.decode()


def test_the_page_is_in_welsh_for_a_welsh_speaker(client, connection, case):
    arrange(case.person, preferred_language="Cymraeg")
    url = sent_link(connection)
    assert "Helo Edith" in MemoryBackend.outbox[-1]["body"]
    html = client.get(url).content.decode()
    assert 'lang="cy"' in html and "A wnaethoch chi gyrraedd" in html and "Ffoniwch fi" in html
    english = client.get(url + "?lang=en-gb")
    assert "Did you get to" in english.content.decode()
    assert client.get(url).content.decode().count("Did you get to") == 1  # the choice sticks


def test_the_link_worker_sets_the_time_on_the_case_page(client, connection, worker):
    client.force_login(worker)
    when = timezone.localtime() + timedelta(days=10)
    response = client.post(
        f"/connections/{connection.pk}/check-in/", {"due_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302 and response.url.endswith("/connections/#check-ins")
    assert connection.checkins.get().due_at.date() == when.date()
    page = client.get(f"/cases/{connection.case_id}/connections/").content.decode()
    assert "Change the check-in time" in page and "Scheduled" in page


def test_a_bad_time_is_explained(client, connection, worker):
    client.force_login(worker)
    response = client.post(
        f"/connections/{connection.pk}/check-in/", {"due_at": "soon"}, follow=True
    )
    assert "Give a date and time for the check-in." in response.content.decode()


def test_a_refusal_is_worded_in_the_persons_language(client, connection, case):
    arrange(case.person, preferred_language="Welsh")
    url = sent_link(connection)
    CheckIn.objects.update(expires_at=timezone.now())
    page = client.get(url)
    assert page.status_code == 410 and "ddolen hon wedi dod i ben" in page.content.decode()


def test_a_refused_time_is_shown_by_its_field_as_an_error(client, connection, worker):
    client.force_login(worker)
    past = timezone.localtime() - timedelta(days=2)
    response = client.post(
        f"/connections/{connection.pk}/check-in/", {"due_at": past.strftime("%Y-%m-%dT%H:%M")}
    )
    html = response.content.decode()
    assert response.status_code == 422
    field_id = f"checkin{connection.pk}-due_at"
    group = re.search(
        r'<div class="nhsuk-form-group nhsuk-form-group--error">\s*<label[^>]*for="'
        + field_id
        + r'".*?</div>',
        html,
        re.S,
    )
    assert group and "Choose a time from now on." in group.group(0)
    assert f'href="#{field_id}"' in html  # the summary links to the field
    assert "Information: </span><p>Choose a time" not in html
