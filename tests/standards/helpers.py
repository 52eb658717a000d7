"""A case recorded to the standard, end to end through the services, as a link worker would."""

from django.utils import timezone

from linkwell.accounts.models import Role
from linkwell.cases import services
from linkwell.outcomes.services import record_administration
from tests.connections.factories import connect, provider_service
from tests.factories import make_case, user_with_role, valid_nhs_number


def recorded_case(practice, *, discharge=True, **person):
    worker = user_with_role(Role.LINK_WORKER, practice.parent, first_name="Lee", last_name="Link")
    referrer = user_with_role(Role.REFERRER, practice, email="referrer@practice.example")
    values = dict(
        address="1 Market Street\nLeeds",
        nhs_number=valid_nhs_number(3),
        sex="2",
        ethnicity="A",
    )
    values.update(person)
    case = make_case(practice=practice, referrer=referrer, **values)
    services.assign(case=case, link_worker=worker, by=worker)
    services.record_contact(
        case=case, at=timezone.now(), mode="phone", minutes=20, notes="", by=worker
    )
    services.record_what_matters(
        case=case, what_matters="Getting out of the house and seeing people", by=worker
    )
    services.agree_care_plan(case=case, summary="Walking group on Tuesdays", by=worker)
    services.record_risk(case=case, description="Self-neglect", comment="Lives alone", by=worker)
    connect(case, provider_service(name="Tuesday Walkers"), worker)
    for timepoint, answers in (("baseline", [3, 3, 3]), ("discharge", [1, 2, 1])):
        record_administration(
            case=case,
            instrument="ucla3",
            answers=answers,
            timepoint=timepoint,
            mode="phone",
            by=worker,
        )
    if discharge:
        services.record_follow_up_advice(
            case=case, follow_up_advice="Review loneliness at the next annual check.", by=worker
        )
        services.transition(case=case, to="discharged", note="Goals met", by=worker)
    case.refresh_from_db()
    return case, worker
