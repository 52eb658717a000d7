"""API shapes for referrals and cases."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from linkwell.people.models import ContactMethod, Ethnicity, Sex

from .lifecycle import Status
from .models import CarePlan, ContactMode, GoalStatus, ReferralSource, Urgency
from .needs import Need

Text = Field("", max_length=5000)


class PersonIn(Schema):
    given_name: str = Field(..., min_length=1, max_length=100)
    family_name: str = Field(..., min_length=1, max_length=100)
    date_of_birth: date
    nhs_number: str = Field("", max_length=12, description="10 digits, Modulus 11 valid")
    sex: Sex = Sex.NOT_KNOWN
    gender_identity: str = Field("", max_length=100)
    ethnicity: Ethnicity = Ethnicity.NOT_STATED
    address: str = Field("", max_length=500, description="Address lines, without the postcode")
    postcode: str = Field("", max_length=8)
    gp_practice_code: str = Field(
        "", max_length=6, description="ODS code of the registered GP practice, e.g. A81001"
    )
    phone: str = Field("", max_length=30)
    email: str = Field("", max_length=254)
    preferred_contact: ContactMethod = ContactMethod.PHONE
    preferred_language: str = Field("English", max_length=60)
    interpreter_needed: bool = False
    accessibility_needs: str = Field("", max_length=1000)


class ReferralIn(Schema):
    person: PersonIn
    reasons: list[Need] = Field(..., min_length=1)
    consent_given: Literal[True] = Field(..., description="The person agreed to be referred.")
    source: ReferralSource | None = Field(
        None,
        description="Default: gp_practice from a practice, other_agency from elsewhere; "
        "only link workers may record another source.",
    )
    details: str = Text
    urgency: Urgency = Urgency.ROUTINE
    referrer_name: str = Field("", max_length=200)
    referrer_contact: str = Field(
        "", max_length=200, description="Phone or email; defaults to the caller's email"
    )
    referring_organisation_name: str = Field(
        "", max_length=150, description="The referring agency, for other-agency referrals"
    )
    pcn: str = Field(
        "",
        max_length=12,
        description="ODS code of the PCN to refer to; needed only if you can refer to several.",
    )
    service_id: str = Field(
        "",
        max_length=100,
        description="A directory service you suggest; it is shortlisted on the case. An "
        "unknown or retired service answers 422 and nothing is saved.",
    )


class PersonDetailsOut(Schema):
    given_name: str
    family_name: str
    nhs_number: str
    date_of_birth: date | None = Field(..., description="Empty once the record is erased")


class PersonOut(PersonDetailsOut):
    id: int


class AsReferredOut(PersonDetailsOut):
    id: str = Field(
        ...,
        description="The person as this referral described them: the FHIR Patient id "
        "(GET /fhir/Patient/{id}), the referral's own, not the PCN's record's.",
        examples=["referral-42"],
    )


class ReferralOut(Schema):
    id: int
    case_id: int = Field(..., alias="case.id")
    status: Status = Field(..., alias="case.status")
    person: AsReferredOut = Field(
        ...,
        alias="as_referred",
        description="The person as the referral described them (a referrer never sees more).",
    )
    source: ReferralSource
    reasons: list[Need]
    urgency: Urgency
    referrer_name: str
    referrer_contact: str
    received_at: datetime
    first_contact_at: datetime | None = Field(None, alias="case.first_contact_at")
    closed_at: datetime | None = Field(None, alias="case.closed_at")


class CaseOut(Schema):
    id: int
    status: Status
    person: PersonOut
    link_worker: str | None = Field(None, alias="link_worker.username")
    opened_at: datetime
    first_contact_at: datetime | None
    closed_at: datetime | None
    reasons: list[Need] = Field(..., alias="referral.reasons")
    urgency: Urgency = Field(..., alias="referral.urgency")


class EventOut(Schema):
    at: datetime
    from_status: str
    to_status: Status
    by: str | None = Field(None, alias="by.username")
    note: str


class ContactIn(Schema):
    at: datetime
    mode: ContactMode
    minutes: int = Field(..., ge=1, le=600)
    notes: str = Text


class ContactOut(ContactIn):
    id: int


class WhatMattersIn(Schema):
    what_matters: str = Field(..., min_length=1, max_length=5000)
    strengths: str = Text
    needs: list[Need] = []


class WhatMattersOut(WhatMattersIn):
    id: int
    at: datetime


class CarePlanIn(Schema):
    summary: str = Field(..., min_length=1, max_length=5000)
    review_on: date | None = None
    version: int | None = Field(
        None, description="The version you are revising (from GET); omit for a new plan."
    )


class GoalIn(Schema):
    description: str = Field(..., min_length=1, max_length=500)
    target_date: date | None = None


class GoalOut(GoalIn):
    id: int
    status: GoalStatus


class CarePlanOut(CarePlanIn):
    agreed_on: date
    version: int
    goals: list[GoalOut]


class TaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_on: date


class TaskOut(TaskIn):
    id: int
    done_at: datetime | None


class TransitionIn(Schema):
    to: Status
    note: str = Text


class FollowUpAdviceIn(Schema):
    follow_up_advice: str = Field(..., max_length=5000)


class AddressIn(Schema):
    address: str = Field(..., min_length=1, max_length=500)
    postcode: str = Field(..., min_length=1, max_length=8)


class GpPracticeIn(Schema):
    gp_practice_code: str = Field(..., min_length=6, max_length=6)


class RiskIn(Schema):
    no_known_risks: bool = False
    description: str = Field("", max_length=150)
    started_on: date | None = None
    ended_on: date | None = None
    comment: str = Field("", max_length=150)


class RiskOut(Schema):
    id: int
    description: str
    started_on: date | None
    ended_on: date | None
    comment: str


class CaseDetailOut(CaseOut):
    address: str = Field(..., alias="person.address")
    postcode: str = Field(..., alias="person.postcode")
    gp_practice_code: str = Field(..., alias="person.gp_practice_code")
    follow_up_advice: str
    no_known_risks: bool
    risks: list[RiskOut]
    missing_items: list[str] = Field(
        ..., description="Minimum items of the PRSB social prescribing standard not yet recorded"
    )
    referral: ReferralOut
    contacts: list[ContactOut]
    what_matters: list[WhatMattersOut]
    care_plan: CarePlanOut | None
    tasks: list[TaskOut]
    events: list[EventOut]

    @staticmethod
    def resolve_missing_items(case):
        from linkwell.standards.gaps import missing

        return [item.label for item in missing(case)]

    @staticmethod
    def resolve_care_plan(case):
        return CarePlan.objects.filter(case=case).prefetch_related("goals").first()


class NeedOut(Schema):
    code: str
    label: str
