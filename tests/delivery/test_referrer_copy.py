"""The referrer's copy of the message back: a referrer who is not the GP practice (another
agency) with an email address gets their copy by email through the outbox (GOV.UK Notify's
email template) when the message back goes to the GP — their sections only, never the notes,
and no health details in the subject; a referring GP practice hears back over MESH alone."""

import pytest
from django.urls import reverse
from django.utils import timezone

from linkwell.cases import services as cases
from linkwell.delivery.models import Delivery, Status
from linkwell.standards.models import MessageBack, Recipient
from linkwell.standards.services import record_referrer, send_message_back
from tests.delivery.conftest import GP_PRACTICE
from tests.delivery.test_outbox import run_worker
from tests.factories import PracticeFactory, arrange
from tests.standards.helpers import recorded_case

pytestmark = pytest.mark.django_db(transaction=True)
AGENCY_EMAIL = "housing.officer@leeds.example"
NOTE = "Talked privately about money worries"


def agency_case(contact=AGENCY_EMAIL):
    """A case referred by a housing officer at another agency (no GP practice behind them)."""
    case, worker = recorded_case(PracticeFactory(ods_code=GP_PRACTICE), discharge=False)
    arrange(case.referral, source="other_agency", referring_organisation=None)
    record_referrer(
        case=case,
        name="Sam Okafor",
        contact=contact,
        organisation_name="Leeds City Council Housing",
        by=worker,
    )
    # A link worker's notes, which no referrer ever sees.
    cases.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=5, notes=NOTE, by=worker
    )
    cases.record_follow_up_advice(case=case, follow_up_advice="Keep in touch.", by=worker)
    cases.transition(case=case, to="discharged", note="Goals met", by=worker)
    case.refresh_from_db()
    return case, worker


def test_the_agency_gets_its_copy_by_email_beside_the_practices_mesh_message(
    notify, mesh, database_tasks, client
):
    case, worker = agency_case()
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    copy = MessageBack.objects.get(case=case, recipient=Recipient.REFERRER)
    assert copy.recipient_name == "Sam Okafor"
    run_worker()
    practice = Delivery.objects.get(key=f"message-back:{sent.pk}")
    email = Delivery.objects.get(key=f"message-back:{copy.pk}")
    assert practice.channel == "mesh" and practice.status == Status.SENT
    assert email.channel == "email" and email.status == Status.SENT and not email.to_person
    (message,) = notify.sent
    assert message["email_address"] == AGENCY_EMAIL
    subject, body = message["personalisation"]["subject"], message["personalisation"]["body"]
    assert subject == "Social prescribing: what happened to your referral"
    assert case.person.family_name not in subject
    # What the referrer's page shows of the referral, and nothing the GP alone receives.
    assert "Dear Sam Okafor" in body and "Referral details" in body
    assert case.person.full_name in body and "Plan and requested actions" in body
    assert NOTE not in body
    for gp_only in ("Self-neglect", "Getting out of the house", "Tuesday Walkers", "Address:"):
        assert gp_only not in body
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert f"Emailed to the referrer at {AGENCY_EMAIL}" in page
    assert "In the practice&#x27;s MESH mailbox" in page or "In the practice's MESH mailbox" in page
    case_page = client.get(reverse("cases:case", args=[case.pk])).content.decode()
    assert "Message back to the referrer (copy) by email" in case_page
    assert "Message back to the GP practice by mesh" in case_page


def test_a_referrer_reached_by_phone_gets_no_email_and_the_page_says_so(database_tasks, client):
    case, worker = agency_case(contact="0113 496 0000")
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["mesh"]
    assert not MessageBack.objects.filter(recipient=Recipient.REFERRER).exists()
    # Sent to the referrer by hand: kept, not emailed, and the page says to send it.
    send_message_back(case=case, recipient="referrer", consent_given=True, by=worker)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["mesh"]
    client.force_login(worker)
    page = client.get(reverse("standards:message_back", args=[case.pk])).content.decode()
    assert "Not sent by Linkwell: the referrer has no email address recorded" in page


def test_sending_to_the_referrer_alone_emails_them(database_tasks):
    case, worker = agency_case()
    copy = send_message_back(case=case, recipient="referrer", consent_given=True, by=worker)
    (email,) = Delivery.objects.all()
    assert email.key == f"message-back:{copy.pk}" and email.channel == "email"
    assert email.to == AGENCY_EMAIL and email.case == case


def test_a_referring_gp_practice_hears_back_over_mesh_only(database_tasks):
    case, worker = recorded_case(PracticeFactory(ods_code=GP_PRACTICE))
    assert case.referral.source == "gp_practice"
    record_referrer(case=case, name="Dr Ada Jones", contact="ada.jones@nhs.example", by=worker)
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert list(Delivery.objects.values_list("channel", "to")) == [("mesh", GP_PRACTICE)]
    assert not MessageBack.objects.filter(recipient=Recipient.REFERRER).exists()
