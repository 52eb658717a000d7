from datetime import date, timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.cases import queries, services
from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case, CaseEvent, Referral, Task
from linkwell.people.models import Person
from tests.factories import make_case, person_details, user_with_role, valid_nhs_number

pytestmark = pytest.mark.django_db


def refer(pcn, practice, by, **kwargs):
    values = dict(
        pcn_code=pcn.ods_code,
        origin_code=practice.ods_code,
        person=person_details(),
        reasons=["loneliness", "money"],
        consent_given=True,
        by=by,
    )
    values.update(kwargs)
    return services.make_referral(**values)


def test_a_referral_opens_a_received_case_with_its_first_event(pcn, practice, referrer):
    referral, created = refer(pcn, practice, referrer)
    assert created
    case = referral.case
    assert case.status == Status.RECEIVED and case.organisation == pcn
    event = CaseEvent.objects.get(case=case)
    assert (event.from_status, event.to_status, event.by) == ("", Status.RECEIVED, referrer)
    assert AuditEntry.objects.filter(action="create", object_type="cases.referral").count() == 1


def test_the_same_nhs_number_in_one_pcn_is_one_person(pcn, practice, referrer):
    number = valid_nhs_number(1)
    first, _ = refer(pcn, practice, referrer, person=person_details(nhs_number=number))
    second, _ = refer(
        pcn, practice, referrer, person=person_details(nhs_number=number[:3] + " " + number[3:])
    )
    assert first.person_id == second.person_id
    assert Person.objects.filter(nhs_number=number).count() == 1


def test_the_same_nhs_number_in_another_pcn_is_another_record(
    pcn, practice, referrer, other_practice
):
    number = valid_nhs_number(2)
    refer(pcn, practice, referrer, person=person_details(nhs_number=number))
    elsewhere = user_with_role("referrer", other_practice)
    again = person_details(nhs_number=number)
    refer(other_practice.parent, other_practice, elsewhere, person=again)
    assert Person.objects.filter(nhs_number=number).count() == 2


@pytest.mark.parametrize(
    "change,field",
    [
        ({"person": person_details(nhs_number="9434765918")}, "person.nhs_number"),
        (
            {"person": person_details(date_of_birth=timezone.localdate() + timedelta(days=1))},
            "person.date_of_birth",
        ),
        ({"person": person_details(postcode="NOT A CODE")}, "person.postcode"),
        ({"reasons": ["astrology"]}, "reasons"),
        ({"reasons": []}, "reasons"),
        ({"details": "x" * 5001}, "details"),
        ({"consent_given": False}, "consent_given"),
    ],
)
def test_bad_referrals_name_the_field_and_save_nothing(pcn, practice, referrer, change, field):
    with pytest.raises(services.CaseError) as error:
        refer(pcn, practice, referrer, **change)
    assert field in error.value.message_dict
    assert (
        not Referral.objects.exists() and not Person.objects.exists() and not Case.objects.exists()
    )


def test_an_idempotency_key_makes_a_retry_return_the_first_referral(pcn, practice, referrer):
    body = services.fingerprint({"a": 1})
    first, created = refer(pcn, practice, referrer, idempotency_key="k1", request_fingerprint=body)
    again, created_again = refer(
        pcn, practice, referrer, idempotency_key="k1", request_fingerprint=body
    )
    assert created and not created_again and first.pk == again.pk
    assert Referral.objects.count() == 1


def test_the_same_key_for_a_different_request_is_refused(pcn, practice, referrer):
    refer(
        pcn,
        practice,
        referrer,
        idempotency_key="k1",
        request_fingerprint=services.fingerprint({"a": 1}),
    )
    with pytest.raises(services.IdempotencyConflict):
        refer(
            pcn,
            practice,
            referrer,
            idempotency_key="k1",
            request_fingerprint=services.fingerprint({"a": 2}),
        )


def test_the_working_day_moves_a_case_along_its_lifecycle(pcn, link_worker):
    case = make_case(pcn=pcn, by=link_worker)
    services.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=20, notes="", by=link_worker
    )
    assert Case.objects.get(pk=case.pk).status == Status.CONTACTED
    assert Case.objects.get(pk=case.pk).first_contact_at is not None
    services.record_what_matters(case=case, what_matters="Seeing my grandchildren", by=link_worker)
    assert Case.objects.get(pk=case.pk).status == Status.ASSESSED
    services.agree_care_plan(case=case, summary="Walking group", by=link_worker)
    assert Case.objects.get(pk=case.pk).status == Status.SUPPORTED
    goal = services.add_goal(case=case, description="Walk to the park", by=link_worker)
    services.set_goal_status(goal=goal, status="achieved", by=link_worker)
    services.transition(case=case, to=Status.DISCHARGED, note="Goals met", by=link_worker)
    case = Case.objects.get(pk=case.pk)
    assert (
        case.status == Status.DISCHARGED and case.closed_at and case.discharge_reason == "Goals met"
    )
    assert [e.to_status for e in case.events.all()] == [
        "received",
        "contacted",
        "assessed",
        "supported",
        "discharged",
    ]


def test_a_discharged_case_cannot_be_contacted_again(pcn, link_worker):
    case = make_case(pcn=pcn, by=link_worker)
    services.transition(case=case, to=Status.NOT_APPROPRIATE, by=link_worker)
    with pytest.raises(services.CaseError):
        services.transition(case=case, to=Status.CONTACTED, by=link_worker)
    with pytest.raises(services.CaseError):
        services.record_contact(
            case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
        )
    assert Case.objects.get(pk=case.pk).status == Status.NOT_APPROPRIATE


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"mode": "carrier pigeon"}, "mode"),
        ({"minutes": 0}, "minutes"),
        ({"at": timezone.now() + timedelta(days=2)}, "at"),
        ({"notes": "x" * 6000}, "notes"),
    ],
)
def test_bad_contacts_are_refused(pcn, link_worker, kwargs, field):
    case = make_case(pcn=pcn, by=link_worker)
    values = dict(at=timezone.now(), mode="phone", minutes=10, notes="")
    values.update(kwargs)
    with pytest.raises(services.CaseError) as error:
        services.record_contact(case=case, by=link_worker, **values)
    assert field in error.value.message_dict
    assert not case.contacts.exists()


def test_goals_need_a_plan(pcn, link_worker):
    case = make_case(pcn=pcn, by=link_worker)
    with pytest.raises(services.CaseError):
        services.add_goal(case=case, description="Walk", by=link_worker)


def test_caseload_shows_waiting_overdue_and_active(pcn, link_worker):
    waiting = make_case(pcn=pcn, by=link_worker, given_name="Wendy")
    active = make_case(pcn=pcn, by=link_worker, given_name="Arthur")
    services.record_contact(
        case=active, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
    )
    services.add_task(
        case=active,
        title="Call back",
        due_on=timezone.localdate() - timedelta(days=1),
        by=link_worker,
    )
    other = make_case(by=None, given_name="Elsewhere")  # another PCN
    elsewhere = Task.objects.create(case=other, title="Theirs", due_on=date(2020, 1, 1))
    # Each task carries its case's PCN: the overdue section reads a PCN's tasks by it.
    assert elsewhere.organisation_id == other.organisation_id != pcn.pk
    load = queries.caseload(link_worker)
    assert [c.pk for c in load.new_referrals] == [waiting.pk]
    assert [c.pk for c in load.active_cases] == [active.pk]
    assert [t.case_id for t in load.overdue_tasks] == [active.pk]
    assert [t.organisation_id for t in load.overdue_tasks] == [pcn.pk]
    assert other.pk not in {c.pk for c in load.new_referrals}


def test_caseload_search_by_name_and_nhs_number(pcn, link_worker):
    number = valid_nhs_number(3)
    hit = make_case(pcn=pcn, by=link_worker, given_name="Philippa", nhs_number=number)
    make_case(pcn=pcn, by=link_worker, given_name="Bob")
    assert [c.pk for c in queries.caseload(link_worker, q="philip").new_referrals] == [hit.pk]
    spaced = f"{number[:3]} {number[3:6]} {number[6:]}"
    assert [c.pk for c in queries.caseload(link_worker, q=spaced).new_referrals] == [hit.pk]


def test_a_stale_care_plan_edit_is_refused_not_overwritten(pcn, link_worker):
    other_worker = user_with_role("link_worker", pcn)
    case = make_case(pcn=pcn, by=link_worker)
    services.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=link_worker
    )
    services.record_what_matters(case=case, what_matters="Gardening", by=link_worker)
    plan = services.agree_care_plan(case=case, summary="First draft", by=link_worker)
    opened_version = plan.version
    # Both open the plan; the other worker saves first.
    services.agree_care_plan(
        case=case, summary="Their edit", by=other_worker, version=opened_version
    )
    with pytest.raises(services.CaseError) as error:
        services.agree_care_plan(
            case=case, summary="My edit", by=link_worker, version=opened_version
        )
    assert "reload" in error.value.message_dict["version"][0]
    plan.refresh_from_db()
    assert (plan.summary, plan.version) == ("Their edit", opened_version + 1)


def test_a_stale_care_plan_edit_names_an_editor_without_a_full_name(pcn, link_worker):
    # API systems' users often have no name: the refusal must still say who (found by
    # bench/bench_resilience.py, where it read "' changed this plan…").
    system = user_with_role("link_worker", pcn, username="gp-system", first_name="", last_name="")
    case = make_case(pcn=pcn, by=link_worker)
    services.transition(case=case, to="contacted", by=link_worker)
    services.transition(case=case, to="assessed", by=link_worker)
    plan = services.agree_care_plan(case=case, summary="First draft", by=link_worker)
    services.agree_care_plan(case=case, summary="Theirs", by=system, version=plan.version)
    with pytest.raises(services.CaseError) as error:
        services.agree_care_plan(case=case, summary="Mine", by=link_worker, version=plan.version)
    assert error.value.message_dict["version"][0].startswith("gp-system changed this plan at ")
