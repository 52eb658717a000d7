import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts.models import AuditEntry, Role
from linkwell.cases import services
from linkwell.people import subject_access
from linkwell.people.models import Consent, Person
from tests.factories import make_case, user_with_role, valid_nhs_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_case(pcn, link_worker):
    case = make_case(
        pcn=pcn,
        by=link_worker,
        given_name="Zainab",
        family_name="Okoro",
        nhs_number=valid_nhs_number(21),
    )
    services.record_contact(
        case=case,
        at=timezone.now(),
        mode="phone",
        minutes=30,
        notes="Talked about her debts",
        by=link_worker,
    )
    services.record_what_matters(case=case, what_matters="Seeing my sister", by=link_worker)
    services.agree_care_plan(case=case, summary="Debt advice then the choir", by=link_worker)
    services.add_goal(case=case, description="Join the choir", by=link_worker)
    return case


def test_the_export_holds_everything_from_every_app(worked_case, link_worker):
    data = subject_access.export(person=worked_case.person, by=link_worker)
    text = json.dumps(data)
    for expected in (
        "Zainab",
        "Talked about her debts",
        "Seeing my sister",
        "Join the choir",
        "Referral to social prescribing",
        "Who has looked at or changed your record",
    ):
        assert expected in text
    assert AuditEntry.objects.filter(detail__via="subject access export (json)").exists()


def test_a_referral_records_the_persons_consent(worked_case):
    consent = Consent.objects.get(person=worked_case.person)
    assert consent.given and consent.scope == "referral"


def test_managers_download_json_and_pdf_for_their_pcn_only(
    client, worked_case, pcn, other_practice
):
    manager = user_with_role(Role.MANAGER, pcn)
    client.force_login(manager)
    pdf = client.get(f"/people/{worked_case.person_id}/subject-access.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    as_json = client.get(f"/people/{worked_case.person_id}/subject-access.json").json()
    assert as_json["person_id"] == worked_case.person_id
    elsewhere = user_with_role(Role.MANAGER, other_practice.parent)
    client.force_login(elsewhere)
    assert client.get(f"/people/{worked_case.person_id}/subject-access.pdf").status_code == 404


def test_link_workers_cannot_export_or_erase(client, worked_case, link_worker):
    client.force_login(link_worker)
    assert client.get(f"/people/{worked_case.person_id}/subject-access.json").status_code == 403
    assert (
        client.post(f"/people/{worked_case.person_id}/erase/", {"reason": "x"}).status_code == 403
    )


def test_erasure_removes_identity_and_notes_but_keeps_what_the_law_and_reporting_need(
    client, worked_case, pcn
):
    person = worked_case.person
    audit_before = AuditEntry.objects.filter(person_id=person.pk).count()
    manager = user_with_role(Role.MANAGER, pcn)
    client.force_login(manager)
    assert client.post(f"/people/{person.pk}/erase/", {"reason": ""}).status_code == 422
    assert (
        client.post(f"/people/{person.pk}/erase/", {"reason": "Her request, 3 Nov"}).status_code
        == 302
    )
    erased = Person.objects.get(pk=person.pk)
    assert (erased.given_name, erased.nhs_number, erased.phone) == ("Erased", "", "")
    assert erased.date_of_birth.year == person.date_of_birth.year and erased.postcode == "LS1"
    text = json.dumps(subject_access.collect(erased))
    for gone in ("Zainab", "Okoro", "debts", "Seeing my sister", "choir"):
        assert gone not in text
    assert erased.cases.get().status == "supported"  # the shape of the support stays
    assert AuditEntry.objects.filter(person_id=person.pk).count() > audit_before  # kept, and grew
    assert Consent.objects.filter(person=person).exists()
    with pytest.raises(subject_access.SubjectAccessError):
        subject_access.erase(person=erased, by=manager, reason="again")


def test_retention_erases_only_records_closed_long_enough_ago(pcn, link_worker, capsys):
    old = make_case(pcn=pcn, by=link_worker, given_name="Old")
    services.transition(case=old, to="declined", by=link_worker)
    recent = make_case(pcn=pcn, by=link_worker, given_name="Recent")
    services.transition(case=recent, to="declined", by=link_worker)
    make_case(pcn=pcn, by=link_worker, given_name="Open")
    with write_guard.allowed("test: a case closed nine years ago"):
        old.__class__.objects.filter(pk=old.pk).update(
            closed_at=timezone.now() - timedelta(days=365 * 9)
        )
    call_command("people", "apply-retention", "--dry-run")
    assert "Would erase 1" in capsys.readouterr().out
    call_command("people", "apply-retention")
    assert set(Person.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)) == {
        old.person_id
    }


def test_export_command_writes_json_and_pdf(worked_case, tmp_path):
    call_command("people", "export", str(worked_case.person_id), "--out", str(tmp_path / "a.json"))
    assert json.loads((tmp_path / "a.json").read_text())["person_id"] == worked_case.person_id
    call_command(
        "people",
        "export",
        str(worked_case.person_id),
        "--format",
        "pdf",
        "--out",
        str(tmp_path / "a.pdf"),
    )
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
