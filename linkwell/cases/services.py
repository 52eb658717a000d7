"""Case management: every change to a referral or case goes through these functions.

Each is atomic, checks the rules, writes the case's history and the audit log, and raises
CaseError (a ValidationError, so forms and the API show it by the field) when it cannot.
"""

import hashlib
import json
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from linkwell import write_guard
from linkwell.accounts import audit, permissions
from linkwell.accounts.models import AuditAction, Organisation, OrganisationKind
from linkwell.directory.models import Service
from linkwell.directory.services import shortlist
from linkwell.people.identifiers import normalise_postcode, validate_gp_practice_code
from linkwell.people.models import ConsentScope
from linkwell.people.services import PersonDetails, record_consent, register_person

from . import lifecycle
from .lifecycle import Status
from .models import (
    Action,
    CarePlan,
    Case,
    CaseEvent,
    Contact,
    ContactMode,
    Goal,
    GoalStatus,
    Referral,
    ReferralSource,
    Risk,
    Task,
    Urgency,
    WhatMatters,
)
from .needs import Need


class CaseError(ValidationError):
    """A rule of case management was broken; the message says how to put it right."""


class IdempotencyConflict(CaseError):
    pass


def _check_text(field: str, value: str) -> None:
    if len(value or "") > settings.MAX_NOTE_LENGTH:
        raise CaseError({field: f"Keep this under {settings.MAX_NOTE_LENGTH} characters."})


def _check_needs(field: str, codes, *, required: bool) -> list[str]:
    codes = list(codes or [])
    if required and not codes:
        raise CaseError({field: "Choose at least one reason for the referral."})
    unknown = [c for c in codes if c not in Need.values]
    if unknown:
        raise CaseError({field: f"Unknown reason code: {', '.join(map(str, unknown))}."})
    return list(dict.fromkeys(codes))


def fingerprint(payload: dict) -> str:
    """A stable digest of a request body, to tell a retry from a different request."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def _where(*, by, pcn_code: str, origin_code: str) -> tuple[Organisation, Organisation]:
    """The PCN referred to and the organisation referring, from what the caller may use.

    A signed-in caller refers through their memberships (`referral_destinations`), naming the
    PCN (and the organisation they refer from) by ODS code when they have several; the public
    names their GP practice, whose PCN is referred to.
    """
    if by is None or not by.is_authenticated:
        practice = Organisation.objects.filter(
            kind=OrganisationKind.PRACTICE, ods_code=origin_code or None, parent__isnull=False
        ).first()
        if practice is None or (pcn_code and practice.parent.ods_code != pcn_code):
            raise CaseError({"destination": "Choose your GP practice from the list."})
        return practice.parent, practice
    choices = permissions.referral_destinations(by)
    if pcn_code:
        choices = [(pcn, origin) for pcn, origin in choices if pcn.ods_code == pcn_code]
    if origin_code:
        own = [(pcn, origin) for pcn, origin in choices if origin.ods_code == origin_code]
        if not own and permissions.can(by, permissions.Capability.MANAGE_CASES):
            # A link worker entering a referral a practice sent by letter or phone names the
            # practice: any of a PCN they work for.
            practice = Organisation.objects.filter(
                kind=OrganisationKind.PRACTICE,
                ods_code=origin_code,
                parent_id__in=[pcn.pk for pcn, _ in choices],
            ).first()
            own = [(practice.parent, practice)] if practice is not None else []
        choices = own
    if not choices:
        raise CaseError(
            {
                "pcn": "You cannot refer to that PCN."
                if pcn_code or origin_code
                else "You are not in an organisation that can refer."
            }
        )
    if len({pcn.pk for pcn, _ in choices}) > 1:
        raise CaseError({"pcn": "Give the ODS code of the PCN to refer to."})
    return choices[0]


def _source(*, by, origin: Organisation, source: str) -> str:
    """Referrers refer as what they are: a practice's staff as the GP practice, the public as
    themselves, anyone else as another agency. Link workers, who take referrals by phone or
    letter too, may record where one came from."""
    if by is None or not by.is_authenticated:
        usual = ReferralSource.SELF
    elif origin.kind == OrganisationKind.PRACTICE:
        usual = ReferralSource.GP_PRACTICE
    else:
        usual = ReferralSource.OTHER_AGENCY
    source = source or usual
    if source not in ReferralSource.values:
        raise CaseError({"source": f"Unknown referral source {source!r}."})
    if source != usual and not permissions.can(by, permissions.Capability.MANAGE_CASES):
        raise CaseError({"source": f"You can only make {ReferralSource(usual).label} referrals."})
    return source


@write_guard.service
@transaction.atomic
def make_referral(
    *,
    person: PersonDetails,
    reasons,
    consent_given: bool,
    by,
    pcn_code: str = "",
    origin_code: str = "",
    source: str = "",
    referrer_name: str = "",
    referrer_contact: str = "",
    referring_organisation_name: str = "",
    details: str = "",
    urgency: str = Urgency.ROUTINE,
    suggested_service: str = "",
    idempotency_key: str = "",
    identifier: str = "",
    request_fingerprint: str = "",
    submitted_request: dict | None = None,
) -> tuple[Referral, bool]:
    """Record a referral and open its case: the one door for the form, the self-referral page,
    the JSON API and FHIR. Returns (referral, created).

    Resolves where it goes and where it comes from (`_where`, `_source`), registers the
    person, records consent, opens the case and shortlists a service the referrer suggests,
    all in one transaction: any refusal (CaseError, by field) saves nothing. With an
    idempotency key (the Idempotency-Key header) or the referrer's own identifier for the
    referral (FHIR), a retry of the same request (same `request_fingerprint`) returns the first
    referral (created=False) and a different request reusing either is refused
    (IdempotencyConflict, naming which); concurrent retries make one referral and one person.
    `submitted_request` is the referral as the referrer's system coded it (FHIR), kept as sent
    and given back to them.
    """
    keys = {"idempotency_key": idempotency_key, "identifier": identifier}
    if len(idempotency_key) > 100:
        raise CaseError({"Idempotency-Key": "Keep the key under 100 characters."})
    earlier = _earlier(by, keys, request_fingerprint)
    if earlier is not None:
        return earlier, False
    pcn, origin = _where(by=by, pcn_code=pcn_code, origin_code=origin_code)
    source = _source(by=by, origin=origin, source=source)
    if urgency not in Urgency.values:
        raise CaseError({"urgency": f"Unknown urgency {urgency!r}."})
    if consent_given is not True:
        raise CaseError(
            {"consent_given": "The person must agree to the referral before it is made."}
        )
    codes = _check_needs("reasons", reasons, required=True)
    if source == ReferralSource.SELF and origin.kind == OrganisationKind.PRACTICE:
        details = f"GP practice: {origin.name}\n{details}".strip()
    _check_text("details", details)
    if len(referrer_contact or "") > 200 or len(referring_organisation_name or "") > 150:
        raise CaseError({"referrer_contact": "Keep the referrer's details short (200 characters)."})
    service = _suggested(suggested_service)
    if by is not None and by.is_authenticated:
        # A referrer signed in to Linkwell is named, and reached by email, unless told otherwise.
        # Someone else named as the referrer (a GP whose letter a link worker enters) is not
        # reached at the address of whoever typed it in.
        own_name = by.get_full_name() or by.username
        if referrer_name in ("", own_name):
            referrer_contact = referrer_contact or by.email
        referrer_name = referrer_name or own_name
    practice = origin if origin.kind == OrganisationKind.PRACTICE else None
    try:
        # The person and the referral in one savepoint: a concurrent retry that loses the race
        # for the idempotency key takes its new person record with it (no orphans).
        with transaction.atomic():
            registered, _ = register_person(pcn=pcn, details=person, by=by)
            referral = Referral(
                organisation=pcn,
                person=registered,
                source=source,
                referring_organisation=practice if source == ReferralSource.GP_PRACTICE else None,
                referrer_name=referrer_name,
                referrer_contact=(referrer_contact or "").strip(),
                referring_organisation_name=(referring_organisation_name or "").strip(),
                referred_by=by if by is not None and by.is_authenticated else None,
                reasons=codes,
                details=details,
                urgency=urgency,
                consent_given=True,
                idempotency_key=idempotency_key,
                identifier=identifier,
                request_fingerprint=request_fingerprint,
                submitted_person=person.normalised().as_json(),
                submitted_request=submitted_request or {},
            )
            referral.save()
    except ValidationError as e:
        raise CaseError({f"person.{k}": v for k, v in e.message_dict.items()}) from e
    except IntegrityError:
        # A concurrent retry with the same key or identifier won the race.
        earlier = _earlier(by, keys, request_fingerprint)
        if earlier is None:
            raise
        return earlier, False
    record_consent(
        person=registered,
        scope=ConsentScope.REFERRAL,
        given=True,
        by=by,
        method=f"confirmed by the referrer ({ReferralSource(source).label.lower()})",
    )
    _registered_at_referring_practice(registered, referral)
    case = Case.objects.create(referral=referral, person=registered, organisation=pcn)
    CaseEvent.objects.create(case=case, by=referral.referred_by, to_status=Status.RECEIVED)
    audit.record(user=by, action=AuditAction.CREATE, obj=referral, person_id=registered.pk)
    if service is not None:
        try:
            shortlist(case=case, service=service, by=by, reasons=["Suggested by the referrer"])
        except ValidationError as e:
            raise CaseError({"service": sum(e.message_dict.values(), [])}) from e
    return referral, True


def _suggested(service_id: str):
    """The directory service a referrer suggests, if any."""
    if not service_id:
        return None
    service = Service.objects.filter(pk=service_id).first()
    if service is None:
        raise CaseError({"service": "There is no such service in the directory."})
    return service


def _registered_at_referring_practice(person, referral: Referral) -> None:
    """A practice refers its own patients: its ODS code is their GP practice identifier, until
    the link worker records otherwise."""
    practice = referral.referring_organisation
    if referral.source == ReferralSource.GP_PRACTICE and practice and not person.gp_practice_code:
        code = practice.ods_code.upper()
        try:
            validate_gp_practice_code(code)
        except ValidationError:
            return
        person.gp_practice_code = code
        person.save(update_fields=["gp_practice_code", "updated_at"])


REUSED = {
    "idempotency_key": ("Idempotency-Key", "This key was already used for a different referral."),
    "identifier": (
        "identifier",
        "A referral with this identifier was already made, with different details: give a new "
        "referral its own identifier.",
    ),
}


def _earlier(by, keys: dict[str, str], request_fingerprint: str) -> Referral | None:
    """The referral this caller already made with one of these keys, if the request is the
    same; IdempotencyConflict, naming the key, if it is not. A referral kept before
    fingerprints were (empty) cannot be told apart, so it is taken to be the same."""
    for name, key in keys.items():
        if not key:
            continue
        earlier = Referral.objects.filter(referred_by=by, **{name: key}).first()
        if earlier is None:
            continue
        if request_fingerprint and earlier.request_fingerprint not in ("", request_fingerprint):
            field, message = REUSED[name]
            raise IdempotencyConflict({field: message})
        return earlier
    return None


def _lock(case: Case) -> Case:
    """The case as it is now, locked until the transaction ends.

    Every change starts here, so two requests on one case queue rather than both acting on
    a status one of them has already changed. It also marks the case updated now, for the
    caseload's "recently updated" order (undone with the rest if the change is refused).
    """
    locked = Case.objects.select_for_update().get(pk=case.pk)
    locked.updated_at = timezone.now()
    locked.save(update_fields=["updated_at"])
    return locked


@write_guard.service
@transaction.atomic
def transition(*, case: Case, to: str, by, note: str = "") -> Case:
    """Move the case to another status, if the lifecycle allows it, and record the event."""
    case = _lock(case)
    if to not in Status.values:
        raise CaseError({"to": f"Unknown status {to!r}."})
    if not lifecycle.allowed(case.status, to):
        raise CaseError(
            {
                "to": f"A case that is {case.get_status_display().lower()} cannot become "
                f"{Status(to).label.lower()}."
            }
        )
    _check_text("note", note)
    now = timezone.now()
    CaseEvent.objects.create(
        case=case, at=now, by=by, from_status=case.status, to_status=to, note=note
    )
    old = case.status
    case.status = to
    case.closed_at = None if to in lifecycle.OPEN else now
    if to == Status.DISCHARGED:
        case.discharge_reason = note[:200]
    case.save(update_fields=["status", "closed_at", "discharge_reason"])
    audit.record(
        user=by,
        action=AuditAction.TRANSITION,
        obj=case,
        person_id=case.person_id,
        from_status=old,
        to_status=to,
    )
    return case


def _advance(case: Case, frm: str, to: str, by) -> Case:
    """Move forward on the normal path when the work that marks the step is recorded."""
    return transition(case=case, to=to, by=by) if case.status == frm else case


def _require_open(case: Case) -> None:
    if not case.is_open:
        raise CaseError({"case": "This case is closed. Reopen it before recording more."})


@write_guard.service
@transaction.atomic
def record_contact(*, case: Case, at: datetime, mode: str, minutes: int, notes: str, by) -> Contact:
    case = _lock(case)
    if case.status != Status.UNABLE_TO_CONTACT:
        _require_open(case)
    if mode not in ContactMode.values:
        raise CaseError({"mode": f"Unknown contact mode {mode!r}."})
    if not 1 <= minutes <= 600:
        raise CaseError({"minutes": "Give the length of the contact in minutes, from 1 to 600."})
    if at > timezone.now():
        raise CaseError({"at": "The contact cannot be in the future."})
    _check_text("notes", notes)
    contact = Contact.objects.create(
        case=case, at=at, mode=mode, minutes=minutes, notes=notes, by=by
    )
    if mode == ContactMode.ATTEMPTED:  # no one answered: not yet in contact
        audit.record(user=by, action=AuditAction.CREATE, obj=contact, person_id=case.person_id)
        return contact
    if case.first_contact_at is None or at < case.first_contact_at:
        case.first_contact_at = at
        case.save(update_fields=["first_contact_at"])
    for frm in (Status.RECEIVED, Status.UNABLE_TO_CONTACT):
        case = _advance(case, frm, Status.CONTACTED, by)
    audit.record(user=by, action=AuditAction.CREATE, obj=contact, person_id=case.person_id)
    return contact


# An unanswered call still takes the worker's time; a contact's length runs from 1 minute.
ATTEMPT_MINUTES = 1


@write_guard.service
@transaction.atomic
def record_quick_contact(
    *, case: Case, mode: str, by, minutes: int | None = None, notes: str = ""
) -> Contact:
    """A contact made just now, in one step from the caseload or the case's header. Only an
    attempt may leave out its length."""
    if minutes is None:
        if mode != ContactMode.ATTEMPTED:
            raise CaseError({"minutes": "Give the length of the contact in minutes."})
        minutes = ATTEMPT_MINUTES
    return record_contact(
        case=case, at=timezone.now(), mode=mode, minutes=minutes, notes=notes, by=by
    )


@write_guard.service
@transaction.atomic
def record_what_matters(
    *, case: Case, what_matters: str, by, strengths: str = "", needs=()
) -> WhatMatters:
    case = _lock(case)
    _require_open(case)
    if not (what_matters or "").strip():
        raise CaseError({"what_matters": "Write down what matters to the person."})
    _check_text("what_matters", what_matters)
    _check_text("strengths", strengths)
    codes = _check_needs("needs", needs, required=False)
    entry = WhatMatters.objects.create(
        case=case, what_matters=what_matters, strengths=strengths, needs=codes, by=by
    )
    _advance(case, Status.CONTACTED, Status.ASSESSED, by)
    audit.record(user=by, action=AuditAction.CREATE, obj=entry, person_id=case.person_id)
    return entry


@write_guard.service
@transaction.atomic
def agree_care_plan(
    *, case: Case, summary: str, by, review_on: date | None = None, version: int | None = None
) -> CarePlan:
    """Create the care plan, or revise it from the `version` the editor started from.

    The first plan moves an assessed case to supported. A revision based on an older version
    is refused rather than overwriting someone else's change.
    """
    case = _lock(case)
    _require_open(case)
    if not (summary or "").strip():
        raise CaseError({"summary": "Summarise the plan agreed with the person."})
    _check_text("summary", summary)
    if review_on and review_on < timezone.localdate():
        raise CaseError({"review_on": "The review date must be today or later."})
    plan = CarePlan.objects.select_for_update().filter(case=case).first()
    if plan is None:
        plan = CarePlan.objects.create(
            case=case, summary=summary, review_on=review_on, updated_by=by
        )
        action = AuditAction.CREATE
    else:
        if version != plan.version:
            who = (
                plan.updated_by.get_full_name() or plan.updated_by.username
                if plan.updated_by
                else "someone else"
            )
            when = timezone.localtime(plan.updated_at).strftime("%H:%M on %d %b")
            raise CaseError(
                {
                    "version": f"{who} changed this plan at {when}, after you opened it. Your "
                    "changes were not saved: reload the page to see the plan as it is now."
                }
            )
        plan.summary, plan.review_on, plan.updated_by = summary, review_on, by
        plan.version += 1
        plan.save()
        action = AuditAction.UPDATE
    _advance(case, Status.ASSESSED, Status.SUPPORTED, by)
    audit.record(user=by, action=action, obj=plan, person_id=case.person_id, version=plan.version)
    return plan


@write_guard.service
@transaction.atomic
def add_goal(*, case: Case, description: str, by, target_date: date | None = None) -> Goal:
    case = _lock(case)
    _require_open(case)
    plan = CarePlan.objects.filter(case=case).first()
    if plan is None:
        raise CaseError({"description": "Agree a care plan before adding goals."})
    if not (description or "").strip():
        raise CaseError({"description": "Describe the goal in the person's words."})
    if len(description) > 500:
        raise CaseError({"description": "Keep the goal under 500 characters."})
    goal = Goal.objects.create(care_plan=plan, description=description, target_date=target_date)
    audit.record(user=by, action=AuditAction.CREATE, obj=goal, person_id=case.person_id)
    return goal


@write_guard.service
@transaction.atomic
def set_goal_status(*, goal: Goal, status: str, by) -> Goal:
    if status not in GoalStatus.values:
        raise CaseError({"status": f"Unknown goal status {status!r}."})
    goal.status = status
    goal.save(update_fields=["status"])
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=goal,
        person_id=goal.care_plan.case.person_id,
        status=status,
    )
    return goal


@write_guard.service
@transaction.atomic
def add_action(*, goal: Goal, description: str, owner: str, by) -> Action:
    if not (description or "").strip() or len(description) > 500:
        raise CaseError({"description": "Describe the action in under 500 characters."})
    action = Action.objects.create(goal=goal, description=description, owner=owner or "The person")
    audit.record(
        user=by, action=AuditAction.CREATE, obj=action, person_id=goal.care_plan.case.person_id
    )
    return action


@write_guard.service
@transaction.atomic
def add_task(*, case: Case, title: str, due_on: date, by, assigned_to=None) -> Task:
    case = _lock(case)
    _require_open(case)
    if not (title or "").strip() or len(title) > 200:
        raise CaseError({"title": "Give the task a title of up to 200 characters."})
    task = Task.objects.create(
        case=case, title=title, due_on=due_on, assigned_to=assigned_to or case.link_worker
    )
    audit.record(user=by, action=AuditAction.CREATE, obj=task, person_id=case.person_id)
    return task


@write_guard.service
@transaction.atomic
def complete_task(*, task: Task, by) -> Task:
    if task.done_at is None:
        task.done_at = timezone.now()
        task.save(update_fields=["done_at"])
        audit.record(user=by, action=AuditAction.UPDATE, obj=task, person_id=task.case.person_id)
    return task


@write_guard.service
@transaction.atomic
def record_follow_up_advice(*, case: Case, follow_up_advice: str, by) -> Case:
    """What the GP and referrer should know about next steps; sent in the message back."""
    case = _lock(case)
    _check_text("follow_up_advice", follow_up_advice)
    case.follow_up_advice = (follow_up_advice or "").strip()
    case.save(update_fields=["follow_up_advice"])
    audit.record(user=by, action=AuditAction.UPDATE, obj=case, person_id=case.person_id)
    return case


@write_guard.service
@transaction.atomic
def record_address(*, case: Case, address: str, postcode: str, by) -> Case:
    """The person's current address (mandatory in the standard; may follow the referral)."""
    case = _lock(case)
    person = case.person
    if len(address or "") > 500:
        raise CaseError({"address": "Keep the address under 500 characters."})
    person.address = (address or "").strip()
    person.postcode = normalise_postcode(postcode) if postcode else ""
    try:
        person.full_clean(validate_constraints=False)
    except ValidationError as e:
        raise CaseError(e.message_dict) from e
    person.save(update_fields=["address", "postcode", "updated_at"])
    audit.record(user=by, action=AuditAction.UPDATE, obj=person, person_id=person.pk)
    return case


@write_guard.service
@transaction.atomic
def record_gp_practice(*, case: Case, gp_practice_code: str, by) -> Case:
    """The ODS code of the person's registered practice (mandatory; may follow the referral)."""
    case = _lock(case)
    person = case.person
    code = (gp_practice_code or "").strip().upper()
    try:
        validate_gp_practice_code(code)
    except ValidationError as e:
        raise CaseError({"gp_practice_code": e.messages}) from e
    person.gp_practice_code = code
    person.save(update_fields=["gp_practice_code", "updated_at"])
    audit.record(user=by, action=AuditAction.UPDATE, obj=person, person_id=person.pk)
    return case


@write_guard.service
@transaction.atomic
def record_risk(
    *,
    case: Case,
    by,
    no_known_risks: bool = False,
    description: str = "",
    started_on: date | None = None,
    ended_on: date | None = None,
    comment: str = "",
) -> Case:
    """A risk to the person or others, or that there are none known: the standard makes risks
    mandatory, so an empty section never means 'none'."""
    case = _lock(case)
    description, comment = (description or "").strip(), (comment or "").strip()
    if no_known_risks:
        if description:
            raise CaseError({"description": "Describe a risk or record no known risks, not both."})
        if case.risks.filter(ended_on__isnull=True).exists():
            raise CaseError(
                {"no_known_risks": "A current risk is recorded: give it an end date first."}
            )
        case.no_known_risks = True
        case.save(update_fields=["no_known_risks"])
        audit.record(user=by, action=AuditAction.UPDATE, obj=case, person_id=case.person_id)
        return case
    if not description or len(description) > 150 or len(comment) > 150:
        raise CaseError(
            {"description": "Describe the risk in up to 150 characters, or tick no known risks."}
        )
    if started_on and ended_on and ended_on < started_on:
        raise CaseError({"ended_on": "The end date must be on or after the start date."})
    risk = Risk.objects.create(
        case=case,
        description=description,
        started_on=started_on,
        ended_on=ended_on,
        comment=comment,
        recorded_by=by if by is not None and by.is_authenticated else None,
    )
    if case.no_known_risks:
        case.no_known_risks = False
        case.save(update_fields=["no_known_risks"])
    audit.record(user=by, action=AuditAction.CREATE, obj=risk, person_id=case.person_id)
    return case


@write_guard.service
@transaction.atomic
def assign(*, case: Case, link_worker, by) -> Case:
    if (
        link_worker is not None
        and not link_worker.memberships.filter(
            organisation_id=case.organisation_id, role="link_worker"
        ).exists()
    ):
        raise CaseError({"link_worker": "Choose a link worker in this case's PCN."})
    case = _lock(case)
    case.link_worker = link_worker
    case.save(update_fields=["link_worker"])
    audit.record(
        user=by,
        action=AuditAction.UPDATE,
        obj=case,
        person_id=case.person_id,
        link_worker=getattr(link_worker, "username", None),
    )
    return case


@write_guard.service
@transaction.atomic
def assign_many(*, cases, link_worker, by) -> list[Case]:
    """Assign several cases at once (the caseload's bulk action): all of them, or none."""
    if not cases:
        raise CaseError({"cases": "Select at least one case."})
    return [assign(case=case, link_worker=link_worker, by=by) for case in cases]


@write_guard.service
@transaction.atomic
def close_many(*, cases, to: str, by, note: str = "") -> list[Case]:
    """Close several cases at once: all of them, or none, naming the ones that cannot close."""
    if not cases:
        raise CaseError({"cases": "Select at least one case."})
    if to not in lifecycle.CLOSED:
        raise CaseError({"to": "Choose how the cases ended."})
    refused = [c.person.full_name for c in cases if not lifecycle.allowed(c.status, to)]
    if refused:
        raise CaseError(
            {
                "to": f"These cannot become {Status(to).label.lower()}: "
                f"{', '.join(refused)}. Nothing was changed."
            }
        )
    return [transition(case=case, to=to, by=by, note=note) for case in cases]
