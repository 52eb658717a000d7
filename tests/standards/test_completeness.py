"""Completeness by item, for reports, the managers' page and `linkwell standards check`."""

from io import StringIO

import pytest
from django.core.management import call_command

import linkwell.standards.gaps  # noqa: F401 — the public function must survive its module loading
from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case
from linkwell.standards import completeness
from linkwell.standards.gaps import missing
from tests.factories import arrange, make_case, user_with_role

pytestmark = pytest.mark.django_db


def test_completeness_counts_each_minimum_item(practice, link_worker):
    link_worker.email = "lee@pcn.example"  # a referrer in Linkwell is reached by email
    link_worker.save()
    full = make_case(practice=practice, by=link_worker, address="1 Road", sex="1", ethnicity="A")
    bare = make_case(practice=practice, by=link_worker, family_name="Bare", ethnicity="99")
    arrange(bare.person, gp_practice_code="")
    arrange(bare.referral, referrer_contact="")
    rows = {name: (recorded, total) for name, recorded, total in completeness(Case.objects.all())}
    assert rows["Person's address"] == (1, 2)
    assert rows["GP practice identifier"] == (1, 2)
    assert rows["Referrer details: Contact details"] == (1, 2)
    assert rows["Referrer details: Name"] == (2, 2)
    assert rows["Date of birth"] == (2, 2)
    assert rows["Risk"] == (0, 0)  # due once the person is assessed
    assert rows["Plan and requested actions"] == (0, 0)  # due only at discharge
    assert "Gender" not in rows and "Ethnicity" not in rows  # R in the standard: not counted
    only_full = {n: r for n, r, _ in completeness(Case.objects.filter(pk=full.pk))}
    assert only_full["Person's address"] == 1


def test_risks_are_due_once_assessed_and_no_known_risks_counts(practice, link_worker):
    referrer = user_with_role(Role.REFERRER, practice, email="referrer@practice.example")
    case = make_case(practice=practice, referrer=referrer, address="1 Road")
    arrange(case, status=Status.ASSESSED)
    assert [i.label for i in missing(case)] == ["Risk"]  # the group is named by its item
    services.record_risk(case=case, no_known_risks=True, by=link_worker)
    assert missing(case) == []


def test_check_command_reports_counts_and_one_cases_gaps(practice, link_worker):
    case = make_case(practice=practice, by=link_worker)
    out = StringIO()
    call_command("standards", "check", stdout=out)
    assert "Person's address" in out.getvalue()
    out = StringIO()
    call_command("standards", "check", "--case", str(case.pk), stdout=out)
    assert f"Case {case.pk}: missing Person's address" in out.getvalue()
    assert "Date of birth" not in out.getvalue()


def test_managers_page_shows_completeness_and_others_are_refused(client, practice, link_worker):
    make_case(practice=practice, by=link_worker)
    manager = user_with_role(Role.MANAGER, practice.parent)
    client.force_login(manager)
    page = client.get("/standards/")
    assert page.status_code == 200 and b"<caption" in page.content and b"s address" in page.content
    client.force_login(user_with_role(Role.REFERRER, practice))
    assert client.get("/standards/").status_code == 403
