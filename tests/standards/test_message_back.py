"""The message back: built from a case recorded end to end, validated as a FHIR R4 document
with fhir.resources (R4B), refused while a mandatory item is empty, kept as sent."""

import json

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.composition import Composition

from linkwell.accounts.models import AuditEntry, Role
from linkwell.accounts.services import create_token
from linkwell.cases.services import record_follow_up_advice, record_gp_practice, record_risk
from linkwell.interop import message_back, snomed
from linkwell.people.models import Consent, ConsentScope
from linkwell.standards.models import MessageBack
from linkwell.standards.services import StandardsError, send_message_back
from tests.factories import arrange, make_case, user_with_role

from .helpers import recorded_case

pytestmark = pytest.mark.django_db

SCT, LOCAL = "http://snomed.info/sct", "urn:linkwell:message-back-section"
# The SNOMED CT record headings ITK3 documents use for these PRSB headings (sources in
# linkwell/interop/message_back.py), in the message's order; Linkwell's codes where none is.
SECTION_CODES = [
    (SCT, "887201000000105"),  # Plan and requested actions
    (SCT, "886731000000109"),  # Patient demographics
    (SCT, "886711000000101"),  # GP practice
    (SCT, "886721000000107"),  # Referral details
    (LOCAL, "what-matters"),
    (LOCAL, "risks"),
    (LOCAL, "support"),
    (LOCAL, "outcomes"),
    (LOCAL, "link-worker"),
]


def test_bundle_end_to_end_validates_with_every_mandatory_section(practice):
    case, worker = recorded_case(practice)
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)

    bundle = Bundle.model_validate(sent.bundle)  # R4B validation of what was stored as sent
    assert bundle.type == "document" and bundle.identifier.value.startswith("urn:uuid:")
    composition = bundle.entry[0].resource
    assert isinstance(composition, Composition) and composition.status == "final"
    assert composition.event[0].code[0].coding[0].code == snomed.REFERRAL_TO_SOCIAL_PRESCRIBING.code
    full_urls = {e.fullUrl for e in bundle.entry}
    assert composition.subject.reference in full_urls
    assert {a.reference for a in composition.author} <= full_urls
    assert [(s.code.coding[0].system, s.code.coding[0].code) for s in composition.section] == (
        SECTION_CODES
    )
    assert composition.section[0].code.coding[0].display == "Plan and requested actions"
    assert composition.type.coding[0].system == message_back.LOCAL  # no sourced document type
    by_code = dict(zip([s.code for s in message_back.SECTIONS], composition.section, strict=True))
    text = {code: s.text.div for code, s in by_code.items()}
    assert "1 Market Street" in text["person"]
    assert practice.name in text["gp-practice"] and practice.ods_code.upper() in text["gp-practice"]
    assert "Self-neglect" in text["risks"] and "Lives alone" in text["risks"]
    assert "Getting out of the house" in text["what-matters"]
    assert "Tuesday Walkers" in text["support"]
    assert "then" in text["outcomes"] and "(baseline)" in text["outcomes"]
    assert "annual check" in text["follow-up"]
    assert "Lee Link" in text["link-worker"]
    patient = bundle.entry[1].resource
    assert patient.name[0].family == case.person.family_name
    assert patient.identifier[0].value == case.person.nhs_number


def test_sending_is_consented_kept_unchanged_and_audited(practice):
    case, worker = recorded_case(practice)
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert sent.recipient_name == practice.name
    consent = Consent.objects.filter(person=case.person, scope=ConsentScope.MESSAGE_BACK).get()
    assert consent.given and consent.recorded_by == worker
    assert AuditEntry.objects.filter(
        object_type="standards.messageback", object_id=str(sent.pk), action="create"
    ).exists()
    with pytest.raises(PermissionError):
        sent.save()
    with pytest.raises(PermissionError):
        MessageBack.objects.filter(pk=sent.pk).update(recipient_name="someone else")
    with pytest.raises(PermissionError):
        sent.delete()


def test_without_the_persons_agreement_nothing_is_sent(practice):
    case, worker = recorded_case(practice)
    with pytest.raises(StandardsError) as refused:
        send_message_back(case=case, recipient="gp", consent_given=False, by=worker)
    assert "consent_given" in refused.value.message_dict
    assert not MessageBack.objects.exists()


def test_empty_mandatory_items_are_named_and_nothing_is_sent(practice):
    case, worker = recorded_case(practice, discharge=False, address="")
    with pytest.raises(StandardsError) as refused:
        send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    message = refused.value.message_dict["__all__"][0]
    assert "Person's address" in message and "Plan and requested actions" in message
    assert not MessageBack.objects.exists()


def test_risks_must_be_recorded_or_said_to_be_none_before_sending(practice):
    case, worker = recorded_case(practice)
    case.risks.all().delete()
    with pytest.raises(StandardsError) as refused:
        send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert refused.value.message_dict["__all__"][0] == "Fill in before sending: Risk."
    record_risk(case=case, no_known_risks=True, by=worker)
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    risks = next(s for s in sent.sections if s["code"] == "risks")
    assert risks["lines"] == ["No known risks"]


def test_message_back_to_an_unknown_gp_is_refused(practice):
    case, worker = recorded_case(practice)
    record_gp_practice(case=case, gp_practice_code="V81997", by=worker)  # not registered
    with pytest.raises(StandardsError) as refused:
        send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert "GP practice identifier" in refused.value.message_dict["__all__"][0]


def test_the_gp_copy_goes_to_the_registered_practice_not_the_referrer(practice, other_practice):
    case, worker = recorded_case(practice)
    record_gp_practice(case=case, gp_practice_code=other_practice.ods_code, by=worker)
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert sent.recipient_organisation == other_practice
    record_gp_practice(case=case, gp_practice_code="A99999", by=worker)  # not in Linkwell
    sent = send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    assert sent.recipient_name == "GP practice A99999" and sent.recipient_organisation is None


def test_a_referrer_who_is_not_the_gp_gets_only_their_sections(practice):
    case, worker = recorded_case(practice)
    referral = case.referral
    arrange(referral, source="other_agency", referrer_name="Housing officer, Leeds City Council")
    sent = send_message_back(case=case, recipient="referrer", consent_given=True, by=worker)
    codes = [s["code"] for s in sent.sections]
    assert codes == ["follow-up", "person", "referral", "link-worker"]
    person_lines = " ".join(sent.sections[1]["lines"])
    assert "Market Street" not in person_lines  # no address for a non-GP referrer
    bundle = Bundle.model_validate(sent.bundle)
    assert "Getting out" not in bundle.model_dump_json()


def test_the_page_sends_and_shows_the_letter_pdf_and_document(client, practice):
    case, worker = recorded_case(practice)
    client.force_login(worker)
    page = client.get(f"/standards/cases/{case.pk}/message-back/")
    assert page.status_code == 200 and b"What goes to the GP practice" in page.content
    refused = client.post(f"/standards/cases/{case.pk}/message-back/", {"recipient": "gp"})
    assert refused.status_code == 422 and b"must agree" in refused.content
    sent = client.post(
        f"/standards/cases/{case.pk}/message-back/", {"recipient": "gp", "consent_given": "on"}
    )
    assert sent.status_code == 302
    message = MessageBack.objects.get()
    letter = client.get(f"/standards/cases/{case.pk}/letter.html?message={message.pk}")
    assert b"Plan and requested actions" in letter.content and b"annual check" in letter.content
    pdf = client.get(f"/standards/cases/{case.pk}/letter.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    fhir = client.get(f"/standards/cases/{case.pk}/letter.fhir")
    assert Bundle.model_validate_json(fhir.content).type == "document"


def test_the_page_names_the_empty_items(client, practice):
    case, worker = recorded_case(practice, discharge=False)
    client.force_login(worker)
    response = client.post(
        f"/standards/cases/{case.pk}/message-back/", {"recipient": "gp", "consent_given": "on"}
    )
    assert response.status_code == 422
    assert b"Fill in before sending: Plan and requested actions" in response.content


def test_someone_elses_case_is_not_found(client, practice, other_practice):
    case, _ = recorded_case(practice)
    stranger = user_with_role(Role.LINK_WORKER, other_practice.parent)
    client.force_login(stranger)
    assert client.get(f"/standards/cases/{case.pk}/message-back/").status_code == 404
    assert client.get(f"/standards/cases/{case.pk}/letter.html").status_code == 404


def test_a_draft_letter_is_shown_before_anything_is_sent(client, practice, link_worker):
    case = make_case(practice=practice, by=link_worker)
    client.force_login(link_worker)
    response = client.get(f"/standards/cases/{case.pk}/letter.html")
    assert response.status_code == 200 and b"Draft: not sent" in response.content


def test_the_api_sends_and_refuses_naming_the_items(client, practice):
    case, worker = recorded_case(practice, discharge=False)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=worker)}"}
    url = f"/api/v1/cases/{case.pk}/message-back"
    body = json.dumps({"recipient": "gp", "consent_given": True})
    refused = client.post(url, body, content_type="application/json", **auth)
    msg = refused.json()["detail"][0]["msg"]
    assert refused.status_code == 422 and "Plan and requested actions" in msg
    record_follow_up_advice(case=case, follow_up_advice="See again in 6 months", by=worker)
    sent = client.post(url, body, content_type="application/json", **auth)
    assert sent.status_code == 201
    assert Bundle.model_validate(sent.json()["bundle"]).type == "document"


def test_sent_messages_are_in_the_subject_access_export(practice):
    from linkwell.people import subject_access

    case, worker = recorded_case(practice)
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    data = subject_access.export(person=case.person, by=None, fmt="json")
    rows = data["sections"]["Summaries sent to your GP or referrer"]
    assert rows[0]["To"] == practice.name and "annual check" in rows[0]["What it said"]
