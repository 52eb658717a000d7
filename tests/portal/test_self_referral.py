import time

import pytest
from django.core import signing

from linkwell.accounts.models import AuditEntry
from linkwell.cases.models import Referral
from linkwell.people.models import Consent
from linkwell.portal import abuse
from linkwell.portal.models import SelfReferralAttempt

pytestmark = pytest.mark.django_db


def shown_seconds_ago(seconds: float) -> str:
    return signing.dumps({"shown": time.time() - seconds}, salt=abuse.SALT)


def answers(**overrides):
    data = {
        "destination": "0",
        "given_name": "Rhiannon",
        "family_name": "Price",
        "dob_day": "9",
        "dob_month": "11",
        "dob_year": "1958",
        "postcode": "LS6 1AB",
        "phone": "07700 900456",
        "preferred_contact": "text",
        "preferred_language": "English",
        "reasons": ["loneliness"],
        "details": "On my own since moving here.",
        "consent_given": "on",
        "website": "",
        "stamp": shown_seconds_ago(60),
    }
    data.update(overrides)
    return data


def test_anyone_can_refer_themselves_and_it_lands_as_a_self_referral(client, practice):
    page = client.get("/refer-yourself/")
    assert page.status_code == 200 and practice.name in page.content.decode()
    response = client.post("/refer-yourself/", answers())
    assert response.status_code == 200 and "Thank you" in response.content.decode()
    referral = Referral.objects.get()
    assert referral.source == "self" and referral.organisation == practice.parent
    assert referral.referring_organisation is None and practice.name in referral.details
    assert referral.case.status == "received"
    assert Consent.objects.get(person=referral.person).given


@pytest.mark.parametrize(
    "change,reason",
    [
        ({"website": "http://spam.example"}, "honeypot"),
        ({"stamp": "just now"}, "too fast"),
        ({"stamp": "forged"}, "stale form"),
    ],
)
def test_bots_are_turned_away_and_the_attempt_audited(client, practice, change, reason):
    client.get("/refer-yourself/")  # as a browser would, before sending
    if change.get("stamp") == "just now":
        change = {"stamp": shown_seconds_ago(0)}
    response = client.post("/refer-yourself/", answers(**change))
    assert response.status_code == 422
    assert not Referral.objects.exists()
    assert SelfReferralAttempt.objects.get().reason == reason
    assert AuditEntry.objects.filter(action="denied", object_type="portal.selfreferral").exists()


def test_a_flood_from_one_address_is_limited(client, practice, settings):
    settings.SELF_REFERRALS_PER_HOUR = 2
    for n in range(2):
        client.post("/refer-yourself/", answers(family_name=f"Price{n}"))
    flooded = client.post("/refer-yourself/", answers(family_name="Price9"))
    assert flooded.status_code == 422 and "try again later" in flooded.content.decode()
    assert Referral.objects.count() == 2
    other_address = client.post(
        "/refer-yourself/", answers(family_name="Other"), REMOTE_ADDR="10.9.9.9"
    )
    assert other_address.status_code == 200


def test_missing_consent_is_shown_by_the_field(client, practice):
    response = client.post("/refer-yourself/", answers(consent_given=""))
    assert "Tick the box to agree" in response.content.decode()
    assert not Referral.objects.exists()


def test_the_client_address_is_kept_only_as_a_keyed_hash(client, practice):
    client.post("/refer-yourself/", answers(), REMOTE_ADDR="192.0.2.44")
    stored = SelfReferralAttempt.objects.get().client
    assert "192.0.2.44" not in stored and len(stored) == 64
