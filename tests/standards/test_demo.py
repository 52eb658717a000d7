"""The demo's GP referrals carry the practice's phone number, so `make run` has messages back
already sent and discharged cases a link worker can send one for."""

import pytest

from linkwell.cases import demo as cases_demo
from linkwell.cases.models import Referral, ReferralSource
from linkwell.standards import demo
from linkwell.standards.models import MessageBack, Recipient

pytestmark = pytest.mark.django_db


def test_demo_gp_referrals_can_be_answered_and_some_are():
    cases_demo.load(seed=2026)
    from_practices = Referral.objects.filter(source=ReferralSource.GP_PRACTICE)
    assert not from_practices.filter(referrer_contact="").exists()
    counts = demo.load(seed=2026)
    assert counts["messages back"] == MessageBack.objects.filter(recipient=Recipient.GP).count() > 0
