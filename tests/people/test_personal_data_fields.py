"""Every field that can hold something about a person is classified here, by hand, and the
classification is checked against subject access (export) and erasure.

A model field added anywhere, on a model that leads to a Person, fails
`test_every_field_about_a_person_is_classified` until it is put in FIELDS below; the field's
class then decides what the other tests demand of it:

- ERASE: shown in the export, and empty (or the erased marker) after erasure;
- REDUCE: shown in the export, and kept after erasure at a lower resolution (see below);
- KEEP: kept after erasure, for reporting or because the law requires it (the reason is in a
  comment); statuses, dates, coded needs and scores;
- SECRET: a link's credential, never shown; emptied by erasure so no old link works;
- INTERNAL: keys, relations and bookkeeping, saying nothing about the person on their own.

MODELS_REMOVED lists the rows erasure deletes outright (links not yet used).
"""

import json
from datetime import date

import pytest
from django.apps import apps
from django.db import models

from linkwell import write_guard
from linkwell.cases import services
from linkwell.checkins.services import schedule
from linkwell.connections.models import SharedDetail
from linkwell.connections.provider_links import issue_link
from linkwell.outcomes.self_completion import create_link
from linkwell.people import subject_access
from linkwell.people.models import Person
from linkwell.portal.person_page import send_link
from linkwell.standards.services import send_message_back
from tests.standards.helpers import recorded_case

pytestmark = pytest.mark.django_db

ERASE, REDUCE, KEEP, SECRET, INTERNAL = "erase", "reduce", "keep", "secret", "internal"

FIELDS = {
    "people.Person": {
        "id": INTERNAL,
        "organisation": INTERNAL,
        "nhs_number": ERASE,
        "referred_nhs_number": ERASE,  # a number kept apart as a possible mismatch
        "given_name": ERASE,
        "family_name": ERASE,
        "date_of_birth": REDUCE,  # to 1 July of the year: age bands stay right
        "sex": KEEP,  # counts by sex
        "gender_identity": ERASE,
        "ethnicity": KEEP,  # counts by ethnicity (health inequalities reporting)
        "address": ERASE,
        "postcode": REDUCE,  # to the district: counts by area and deprivation
        "gp_practice_code": ERASE,
        "phone": ERASE,
        "email": ERASE,
        "preferred_contact": KEEP,
        "preferred_language": ERASE,
        "interpreter_needed": ERASE,
        "accessibility_needs": ERASE,
        "created_at": KEEP,
        "updated_at": INTERNAL,
        "erased_at": INTERNAL,
        "merged_into": INTERNAL,
    },
    # Consents are the proof of lawful processing (UK GDPR Article 7(1)), so they stay.
    "people.Consent": {
        "id": INTERNAL,
        "person": INTERNAL,
        "scope": KEEP,
        "given": KEEP,
        "recorded_at": KEEP,
        "recorded_by": INTERNAL,
        "method": KEEP,
    },
    "cases.Referral": {
        "submitted_person": ERASE,  # the person as the referrer described them
        "submitted_request": ERASE,  # the referrer's coded request: its note is about them
        "id": INTERNAL,
        "organisation": INTERNAL,
        "person": INTERNAL,
        "source": KEEP,
        "referring_organisation": KEEP,
        "referrer_name": KEEP,  # about the referring professional, not the person
        "referrer_contact": KEEP,
        "referring_organisation_name": KEEP,
        "referred_by": INTERNAL,
        "reasons": KEEP,  # coded needs, reported in aggregate
        "details": ERASE,
        "urgency": KEEP,
        "consent_given": KEEP,
        "received_at": KEEP,
        "idempotency_key": INTERNAL,
        # the referrer's reference number for the referral, as the idempotency key was before
        "identifier": INTERNAL,
        "request_fingerprint": INTERNAL,
    },
    "cases.Case": {
        "updated_at": INTERNAL,  # when a service last changed the case (caseload sort)
        "id": INTERNAL,
        "referral": INTERNAL,
        "person": INTERNAL,
        "organisation": INTERNAL,
        "link_worker": KEEP,
        "status": KEEP,
        "opened_at": KEEP,
        "first_contact_at": KEEP,  # waiting times
        "closed_at": KEEP,
        "discharge_reason": ERASE,
        "follow_up_advice": ERASE,
        "no_known_risks": KEEP,
    },
    "cases.Risk": {
        "id": INTERNAL,
        "case": INTERNAL,
        "description": ERASE,
        "started_on": KEEP,
        "ended_on": KEEP,
        "comment": ERASE,
        "recorded_at": KEEP,
        "recorded_by": INTERNAL,
    },
    "cases.CaseEvent": {
        "id": INTERNAL,
        "case": INTERNAL,
        "at": KEEP,
        "by": INTERNAL,
        "from_status": KEEP,
        "to_status": KEEP,
        "note": ERASE,
    },
    "cases.Contact": {
        "id": INTERNAL,
        "case": INTERNAL,
        "at": KEEP,
        "mode": KEEP,
        "minutes": KEEP,  # link worker time, reported
        "notes": ERASE,
        "by": INTERNAL,
    },
    "cases.WhatMatters": {
        "id": INTERNAL,
        "case": INTERNAL,
        "at": KEEP,
        "what_matters": ERASE,
        "strengths": ERASE,
        "needs": KEEP,  # coded needs, reported in aggregate
        "by": INTERNAL,
    },
    "cases.CarePlan": {
        "id": INTERNAL,
        "case": INTERNAL,
        "summary": ERASE,
        "agreed_on": KEEP,
        "review_on": KEEP,
        "updated_at": INTERNAL,
        "updated_by": INTERNAL,
        "version": INTERNAL,
    },
    "cases.Goal": {
        "id": INTERNAL,
        "care_plan": INTERNAL,
        "description": ERASE,
        "status": KEEP,
        "target_date": KEEP,
    },
    "cases.Action": {
        "id": INTERNAL,
        "goal": INTERNAL,
        "description": ERASE,
        "owner": ERASE,  # free text: often a relative or friend, by name
        "done": KEEP,
    },
    "cases.Task": {
        "id": INTERNAL,
        "case": INTERNAL,
        "title": ERASE,
        "due_on": KEEP,
        "assigned_to": INTERNAL,
        "done_at": KEEP,
        "created_at": INTERNAL,
        "organisation": INTERNAL,  # the case's PCN, copied for the caseload's index
    },
    "connections.Connection": {
        "id": INTERNAL,
        "case": INTERNAL,
        "service": KEEP,  # which services people are connected to, reported
        "status": KEEP,
        "shared_details": ERASE,  # nothing more may be shared
        "note": ERASE,
        "first_session_at": KEEP,
        "created_at": KEEP,
        "created_by": INTERNAL,
        "status_changed_at": INTERNAL,
        "nudged_at": INTERNAL,
        "person_reminded_at": INTERNAL,
    },
    "connections.ConnectionEvent": {
        "id": INTERNAL,
        "connection": INTERNAL,
        "at": KEEP,
        "by": INTERNAL,
        "via": KEEP,
        "from_status": KEEP,
        "to_status": KEEP,
        "reason": ERASE,
    },
    "connections.ProviderLink": {
        "id": INTERNAL,
        "connection": INTERNAL,
        "token_hash": SECRET,
        "email": INTERNAL,  # the provider's address, not the person's
        "expires_at": INTERNAL,
        "used_at": INTERNAL,
        "created_at": INTERNAL,
        "created_by": INTERNAL,
    },
    "directory.ShortlistEntry": {
        "id": INTERNAL,
        "case": INTERNAL,
        "service": KEEP,
        "reasons": ERASE,  # why a service was picked echoes the person's needs
        "at": KEEP,
        "by": INTERNAL,
    },
    # Measures identify no one on their own and the cohort reports need them.
    "outcomes.Administration": {
        "id": INTERNAL,
        "case": INTERNAL,
        "instrument": KEEP,
        "timepoint": KEEP,
        "answers": KEEP,
        "raw": KEEP,
        "score": KEEP,
        "band": KEEP,
        "bands": KEEP,
        "measures": KEEP,
        "mode": KEEP,
        "asked_by": KEEP,
        "administered_at": KEEP,
        "recorded_at": INTERNAL,
    },
    "outcomes.SelfCompletionLink": {
        "id": INTERNAL,
        "case": INTERNAL,
        "instrument": INTERNAL,
        "timepoint": INTERNAL,
        "token_hash": SECRET,
        "expires_at": INTERNAL,
        "used_at": INTERNAL,
        "administration": INTERNAL,
        "created_by": INTERNAL,
        "created_at": INTERNAL,
    },
    "portal.PersonPageLink": {
        "id": INTERNAL,
        "case": INTERNAL,
        "token_hash": SECRET,
        "code_hash": SECRET,
        "wrong_codes": INTERNAL,
        "channel": KEEP,
        "expires_at": KEEP,
        "used_at": KEEP,
        "created_at": KEEP,
        "created_by": INTERNAL,
    },
    # Kept as sent: the record of what was disclosed to whom (docs/standards).
    "standards.MessageBack": {
        "id": INTERNAL,
        "case": INTERNAL,
        "recipient": KEEP,
        "recipient_name": KEEP,
        "recipient_organisation": INTERNAL,
        "sections": KEEP,
        "bundle": KEEP,
        "sent_at": KEEP,
        "sent_by": KEEP,
    },
    "checkins.CheckIn": {
        "id": INTERNAL,
        "connection": INTERNAL,
        "due_at": KEEP,
        "attempt": INTERNAL,
        "queued_at": INTERNAL,
        "sent_at": KEEP,
        "channel": KEEP,
        "not_sent": KEEP,
        "token_hash": SECRET,
        "expires_at": SECRET,
        "answer": KEEP,  # whether a service was reached, not who
        "answered_at": KEEP,
        "task": INTERNAL,
        "created_at": INTERNAL,
        "created_by": INTERNAL,
    },
    # The access log is the proof of lawful access (Data Security and Protection Toolkit).
    "accounts.AuditEntry": {
        "id": INTERNAL,
        "at": KEEP,
        "user": INTERNAL,
        "username": KEEP,
        "action": KEEP,
        "object_type": KEEP,
        "object_id": INTERNAL,
        "person_id": INTERNAL,
        "ip_address": INTERNAL,
        "path": INTERNAL,
        "detail": INTERNAL,
    },
}

# Erasure deletes these rows when not yet used, so no old message opens anything.
FIELDS["delivery.Delivery"] = {
    "id": INTERNAL,
    "key": INTERNAL,
    "what": KEEP,  # what Linkwell sent and when, like the audit log
    "channel": KEEP,
    # bookkeeping of the send: erasure fails what is still queued, so these may change
    "status": INTERNAL,
    "error": INTERNAL,
    "failed_at": INTERNAL,
    "case": INTERNAL,
    "to": ERASE,
    "to_person": INTERNAL,
    "mesh_mailbox": INTERNAL,  # the GP practice's mailbox, not the person's
    # the message itself (a single-use link, the document sent): never shown, emptied
    "subject": SECRET,
    "body": SECRET,
    "document": SECRET,
    "attachment": SECRET,
    "content_type": INTERNAL,
    "reference": INTERNAL,
    "provider_id": INTERNAL,
    "attempts": INTERNAL,
    "next_attempt_at": INTERNAL,
    "claimed_at": INTERNAL,
    "created_at": KEEP,
    "sent_at": KEEP,
    "delivered_at": KEEP,
    "acknowledged_at": INTERNAL,  # the practice's reply, or a link worker's word for it
    "acknowledged_by": INTERNAL,
}

MODELS_REMOVED = {
    "connections.ProviderLink": {"used_at__isnull": True},
    "outcomes.SelfCompletionLink": {"used_at__isnull": True},
    "portal.PersonPageLink": {},
}

# Fields whose stored value is not shown as it is: codes shown by their label, and the NHS
# number shown in groups of 3, 3 and 4. The fixture keeps the service's valid value for these.
SHOWN_AS = {
    "people.Person.nhs_number": lambda v: [f"{v[:3]} {v[3:6]} {v[6:]}"],
    "connections.Connection.shared_details": lambda codes: [SharedDetail(c).label for c in codes],
    # the person as the referrer described them: each detail given
    # (as JSON text, since the export is searched as JSON)
    "cases.Referral.submitted_person": lambda details: [
        json.dumps(f"{k}: {v}")[1:-1] for k, v in details.items() if v not in ("", None)
    ],
}

ERASED_MARKERS = {
    "",
    None,
    False,
    "[removed at the person's request]",
    "Erased",
    "record",
    "(erased)",  # an outbox message's address (linkwell/delivery/personal_data.py)
}


def _path_to_person(model, seen=()) -> str | None:
    """The lookup from `model` to the person it is about ("case__person"), or None."""
    if model is Person:
        return "pk"
    if any(f.name == "person_id" and not f.is_relation for f in model._meta.concrete_fields):
        return "person_id"
    for field in model._meta.concrete_fields:
        target = field.related_model
        if not field.is_relation or target in seen or target is model:
            continue
        if target is Person:
            return field.name
        onward = _path_to_person(target, (*seen, model))
        if onward is not None:
            return f"{field.name}__{onward}"
    return None


def _models_about_a_person():
    return {
        m._meta.label: m
        for m in apps.get_models()
        if m.__module__.startswith("linkwell.") and _path_to_person(m) is not None
    }


def _rows(label, person):
    model = apps.get_model(label)
    return model.objects.filter(**{_path_to_person(model): person.pk}).order_by("pk")


def _empty(value) -> bool:
    if isinstance(value, dict):  # details kept as a whole (the person as referred)
        return all(_empty(v) for v in value.values())
    return value in ([], {}) if isinstance(value, list) else value in ERASED_MARKERS


def test_every_field_about_a_person_is_classified():
    found = {
        label: {f.name for f in model._meta.concrete_fields}
        for label, model in _models_about_a_person().items()
    }
    assert set(found) == set(FIELDS), "a model about a person is missing from FIELDS"
    for label, names in found.items():
        assert names == set(FIELDS[label]), f"{label}: classify its fields in FIELDS"


@pytest.fixture
def everything(practice):
    """A person with at least one row of every kind the apps hold, through the services, and a
    distinct value in every ERASE field (so each can be found in the export and must go)."""
    case, worker = recorded_case(practice, discharge=False, email="zainab@example.org")
    goal = services.add_goal(case=case, description="Join the choir", by=worker)
    services.add_action(goal=goal, description="Ring the choir", owner="Her sister", by=worker)
    services.add_task(case=case, title="Ring back", due_on=date.today(), by=worker)
    connection = case.connections.get()
    issue_link(connection=connection, email="walkers@example.org", by=worker)
    schedule(connection=connection, by=worker)
    create_link(case=case, instrument="ucla3", timepoint="follow_up", by=worker)
    send_link(case=case, channel="email", with_code=False, by=worker)
    services.record_follow_up_advice(case=case, follow_up_advice="Review in a year", by=worker)
    services.transition(case=case, to="discharged", note="Goals met", by=worker)
    send_message_back(case=case, recipient="gp", consent_given=True, by=worker)
    person = case.person
    with write_guard.allowed("test: a distinct value in every field erasure must empty"):
        for label, fields in FIELDS.items():
            for name, kind in fields.items():
                if kind != ERASE:
                    continue
                field = apps.get_model(label)._meta.get_field(name)
                if f"{label}.{name}" in SHOWN_AS:
                    continue
                if isinstance(field, models.BooleanField):
                    value = True
                elif isinstance(field, models.JSONField):
                    value = [_value_for(label, name)]
                else:
                    value = _value_for(label, name)
                _rows(label, person).update(**{name: value})
    return Person.objects.get(pk=person.pk), worker


def _value_for(label, name):
    field = apps.get_model(label)._meta.get_field(name)
    text = f"{label}.{name}"
    return text[-field.max_length :] if field.max_length else text


def test_every_kind_of_row_exists_and_every_erase_field_is_filled(everything):
    person, _ = everything
    for label, fields in FIELDS.items():
        rows = list(_rows(label, person).values(*fields))
        assert rows, f"the fixture made no {label}"
        for name, kind in fields.items():
            if kind == ERASE:
                assert not any(_empty(r[name]) for r in rows), (
                    label,
                    name,
                )


def test_the_export_shows_every_erase_field(everything):
    person, worker = everything
    text = json.dumps(subject_access.export(person=person, by=worker))
    missing = []
    for label, fields in FIELDS.items():
        for name, kind in fields.items():
            if kind != ERASE:
                continue
            for row in _rows(label, person).values_list(name, flat=True):
                shown = SHOWN_AS.get(f"{label}.{name}")
                if shown is not None:
                    needles = shown(row)
                elif isinstance(row, bool):
                    continue  # shown as Yes or No, which says nothing on its own
                else:
                    needles = row if isinstance(row, list) else [row]
                missing += [f"{label}.{name}" for n in needles if n not in text]
    assert missing == []


def test_erasure_empties_every_erase_and_secret_field_and_reduces_the_rest(everything):
    person, worker = everything
    subject_access.erase(person=person, by=worker, reason="Her request")
    left = {}
    for label, fields in FIELDS.items():
        for row in _rows(label, person).values(*fields):
            for name, kind in fields.items():
                value = row[name]
                if kind in (ERASE, SECRET) and not _empty(value):
                    left[f"{label}.{name}"] = value
    assert left == {}
    erased = Person.objects.get(pk=person.pk)
    assert erased.date_of_birth == person.date_of_birth.replace(month=7, day=1)
    assert erased.postcode == person.postcode.split(" ")[0]
    for label, still in MODELS_REMOVED.items():
        assert not _rows(label, person).filter(**still).exists(), label


def test_erasure_keeps_what_reporting_and_the_law_need(everything):
    person, worker = everything
    kept = {
        label: list(_rows(label, person).values(*[n for n, k in f.items() if k == KEEP]))
        for label, f in FIELDS.items()
        if label not in MODELS_REMOVED
    }
    subject_access.erase(person=person, by=worker, reason="Her request")
    for label, before in kept.items():
        after = list(
            _rows(label, person).values(*[n for n, k in FIELDS[label].items() if k == KEEP])
        )
        if label == "accounts.AuditEntry":
            assert after[: len(before)] == before  # kept, and grew by the erasure itself
        elif label == "checkins.CheckIn":
            assert [{**r, "not_sent": ""} for r in after] == [{**r, "not_sent": ""} for r in before]
        else:
            assert after == before, label
