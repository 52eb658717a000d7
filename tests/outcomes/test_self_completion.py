"""The person's own link: single use, expiring, unguessable; their first name and nothing else."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.secrets_store import LinkRefused
from linkwell.outcomes.models import Administration, SelfCompletionLink
from linkwell.outcomes.self_completion import complete_link, create_link

pytestmark = pytest.mark.django_db

SEVEN_THREES = {
    k: "3"
    for k in (
        "optimistic",
        "useful",
        "relaxed",
        "dealing_with_problems",
        "thinking_clearly",
        "close_to_others",
        "own_mind",
    )
}


@pytest.fixture
def token(case, link_worker):
    return create_link(case=case, instrument="swemwbs", timepoint="baseline", by=link_worker)[1]


def test_the_link_stores_only_a_hash_of_its_token(token):
    link = SelfCompletionLink.objects.get()
    assert token not in link.token_hash and len(token) >= 40


def test_the_page_shows_the_questions_and_only_the_first_name(client, case, token):
    page = client.get(f"/m/{token}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Hello Edith" in html and "optimistic about the future" in html
    person = case.person
    for private in (person.family_name, person.phone, person.postcode, "Follow-ups"):
        assert private not in html


def test_answers_are_recorded_as_self_completed_and_the_link_dies(client, case, token):
    done = client.post(f"/m/{token}/", SEVEN_THREES)
    assert done.status_code == 200 and "Thank you" in done.content.decode()
    taken = Administration.objects.get()
    assert (taken.mode, taken.asked_by, taken.score, taken.case) == (
        "self_completed",
        None,
        19.25,
        case,
    )
    again = client.post(f"/m/{token}/", SEVEN_THREES)
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert client.get(f"/m/{token}/").status_code == 410
    assert Administration.objects.count() == 1


def test_a_second_use_through_the_service_is_refused(token):
    complete_link(token=token, answers=[3] * 7)
    with pytest.raises(LinkRefused, match="used"):
        complete_link(token=token, answers=[4] * 7)
    assert Administration.objects.count() == 1


def test_an_expired_link_is_refused(client, token):
    SelfCompletionLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    page = client.get(f"/m/{token}/")
    assert page.status_code == 410 and "expired" in page.content.decode()
    assert client.post(f"/m/{token}/", SEVEN_THREES).status_code == 410
    assert not Administration.objects.exists()


@pytest.mark.parametrize(
    "tamper",
    [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: t + "x", lambda t: "nope"],
)
def test_a_tampered_link_is_not_found(client, token, tamper):
    page = client.get(f"/m/{tamper(token)}/")
    assert page.status_code == 404 and "does not work" in page.content.decode()
    with pytest.raises(LinkRefused, match="unknown"):
        complete_link(token=tamper(token), answers=[3] * 7)


def test_bad_answers_keep_the_link_alive_and_store_nothing(client, token):
    partial = dict(SEVEN_THREES, relaxed="")
    page = client.post(f"/m/{token}/", partial)
    assert page.status_code == 422 and "not answered" in page.content.decode()
    assert not Administration.objects.exists()
    assert client.post(f"/m/{token}/", SEVEN_THREES).status_code == 200


def test_a_licensed_measure_cannot_be_sent_as_a_link(case, link_worker):
    from linkwell.outcomes.services import OutcomeError

    with pytest.raises(OutcomeError, match="licensed"):
        create_link(case=case, instrument="pam", timepoint="baseline", by=link_worker)
