from datetime import date

import pytest
from django.utils import timezone

from linkwell.cases.models import Case, Referral
from linkwell.people.models import Person
from tests.factories import make_case, valid_nhs_number

pytestmark = pytest.mark.django_db


def form(**overrides):
    data = {
        "destination": "0",
        "given_name": "Ivy",
        "family_name": "Lane",
        "dob_day": "3",
        "dob_month": "4",
        "dob_year": "1941",
        "nhs_number": valid_nhs_number(11),
        "sex": "2",
        "ethnicity": "A",
        "postcode": "LS1 4AP",
        "phone": "0113 496 0001",
        "email": "",
        "preferred_contact": "phone",
        "preferred_language": "English",
        "reasons": ["loneliness"],
        "details": "",
        "urgency": "routine",
        "consent_given": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_a_referrer_refers_and_lands_on_the_status_page(client, referrer):
    client.force_login(referrer)
    response = client.post("/referrals/new/", form())
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == f"/referrals/{referral.pk}/"
    assert referral.person.full_name == "Ivy Lane" and referral.case.status == "received"


@pytest.mark.parametrize(
    "change,message",
    [
        ({"nhs_number": "9434765918"}, "not a valid NHS number"),
        ({"dob_year": "2990"}, "must be in the past"),
        ({"dob_day": "31", "dob_month": "2"}, "must be a real date"),
        ({"dob_year": "9" * 25}, "must be a real date"),  # past a C long: was OverflowError
        ({"postcode": "LS1"}, "real UK postcode"),
        ({"reasons": ["astrology"]}, "Select a valid choice"),
        ({"details": "x" * 5001}, "at most 5000 characters"),
        ({"consent_given": None}, "must agree"),
    ],
)
def test_bad_referral_forms_show_the_error_and_save_nothing(client, referrer, change, message):
    client.force_login(referrer)
    response = client.post("/referrals/new/", form(**change))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Referral.objects.exists() and not Person.objects.exists()


def test_a_forbidden_transition_is_shown_by_the_field(client, link_worker, pcn):
    case = make_case(pcn=pcn, by=link_worker)
    client.force_login(link_worker)
    client.post(f"/cases/{case.pk}/transition/", {"to": "not_appropriate"})
    response = client.post(f"/cases/{case.pk}/transition/", {"to": "contacted"})
    assert response.status_code == 422
    assert "Select a valid choice" in response.content.decode()
    assert Case.objects.get(pk=case.pk).status == "not_appropriate"


def test_caseload_search_returns_a_fragment_to_htmx(client, link_worker, pcn):
    make_case(pcn=pcn, by=link_worker, given_name="Maud")
    client.force_login(link_worker)
    fragment = client.get("/caseload/?q=maud", HTTP_HX_REQUEST="true").content.decode()
    assert "Maud" in fragment and "<html" not in fragment
    assert "Maud" not in client.get("/caseload/?q=zzz", HTTP_HX_REQUEST="true").content.decode()


def test_pages_need_sign_in(client):
    assert client.get("/caseload/").status_code == 302
    assert client.get("/").url == "/accounts/sign-in/"


def test_caseload_queries_do_not_grow_with_the_caseload(client, link_worker, pcn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linkwell.cases import services

    def queries_for_caseload():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/caseload/").status_code == 200
        return len(ctx.captured_queries)

    def add(n):
        for _ in range(n):
            case = make_case(pcn=pcn, by=link_worker)
            services.record_contact(
                case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
            )
            services.add_task(case=case, title="Call", due_on=date(2020, 1, 1), by=link_worker)
            make_case(pcn=pcn, by=link_worker)

    client.force_login(link_worker)
    add(2)
    few = queries_for_caseload()
    add(10)
    assert queries_for_caseload() == few


def test_a_second_editor_of_the_plan_is_told_and_nothing_is_overwritten(client, link_worker, pcn):
    from linkwell.cases import services

    case = make_case(pcn=pcn, by=link_worker)
    services.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
    )
    services.record_what_matters(case=case, what_matters="Music", by=link_worker)
    plan = services.agree_care_plan(case=case, summary="Choir", by=link_worker)
    client.force_login(link_worker)
    url = f"/cases/{case.pk}/care-plan/"
    first = client.post(url, {"summary": "Choir on Mondays", "version": plan.version})
    assert first.status_code == 302
    second = client.post(url, {"summary": "Choir on Fridays", "version": plan.version})
    assert second.status_code == 422
    assert "reload the page" in second.content.decode()
    plan.refresh_from_db()
    assert plan.summary == "Choir on Mondays"


def test_caseload_filters_by_status(client, link_worker, pcn):
    from linkwell.cases import services

    declined = make_case(pcn=pcn, by=link_worker, given_name="Dora")
    services.transition(case=declined, to="declined", by=link_worker)
    make_case(pcn=pcn, by=link_worker, given_name="Wanda")
    client.force_login(link_worker)
    received = client.get("/caseload/?status=received").content.decode()
    assert "Wanda" in received and "Dora" not in received
    closed = client.get("/caseload/?status=declined").content.decode()
    assert "Dora" in closed and "Wanda" not in closed
