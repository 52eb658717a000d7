"""`linkwell export gp-record`: SNOMED CT coded events per practice, as FHIR and CSV."""

import csv
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle

from linkwell.accounts.models import Role
from linkwell.cases import services as cases
from linkwell.cases.models import CaseEvent
from linkwell.directory.models import Service
from linkwell.interop import snomed
from tests.connections.factories import connect
from tests.directory.factories import load, record
from tests.factories import make_case, user_with_role

pytestmark = pytest.mark.django_db


def test_each_step_with_a_concept_is_written_per_practice(practice, tmp_path):
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    engaged = make_case(practice=practice, by=worker, family_name="Engaged")
    cases.record_contact(
        case=engaged, at=timezone.now(), mode="phone", minutes=10, notes="", by=worker
    )
    declined = make_case(practice=practice, by=worker, family_name="Declined")
    cases.transition(case=declined, to="declined", by=worker)
    (walking,) = load(record(name="Striders", terms=("walking",)))
    connect(engaged, Service.objects.get(pk=walking["id"]), worker)
    old = make_case(practice=practice, by=worker, family_name="Longago")
    cases.record_contact(case=old, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker)
    CaseEvent.objects.filter(case=old).update(at=timezone.now() - timedelta(days=400))

    since = (timezone.localdate() - timedelta(days=30)).isoformat()
    call_command("export", "gp-record", "--since", since, "--out", str(tmp_path))

    with (tmp_path / f"{practice.ods_code}.csv").open() as f:
        rows = {(r["family_name"], r["snomed_code"]) for r in csv.DictReader(f)}
    assert rows == {
        ("Engaged", snomed.REFERRAL_TO_SOCIAL_PRESCRIBING.code),
        ("Engaged", snomed.REFERRAL_TO_PHYSICAL_ACTIVITY.code),
        ("Declined", snomed.SOCIAL_PRESCRIBING_DECLINED.code),
    }
    bundle = Bundle.model_validate(json.loads((tmp_path / f"{practice.ods_code}.json").read_text()))
    kinds = [e.resource.__resource_type__ for e in bundle.entry]
    assert kinds.count("Patient") == 2 and kinds.count("Procedure") == 2
    assert kinds.count("Observation") == 1  # "declined" is a situation, not a procedure


def test_only_the_first_contact_of_an_episode_is_coded(practice, tmp_path):
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker)
    cases.transition(case=case, to="unable_to_contact", by=worker)
    for _ in range(2):
        cases.record_contact(
            case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker
        )
    call_command("export", "gp-record", "--since", "2000-01-01", "--out", str(tmp_path))
    lines = (tmp_path / f"{practice.ods_code}.csv").read_text().splitlines()
    assert len(lines) == 2  # the header and one coded event


def test_a_bad_date_is_a_clear_error(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("export", "gp-record", "--since", "1 April", "--out", str(tmp_path))


def _bundle(path) -> Bundle:
    return Bundle.model_validate(json.loads(path.read_text()))


def test_events_go_to_the_registered_practice_self_referrals_included(practice, tmp_path):
    from linkwell.cases.services import make_referral
    from tests.factories import person_details

    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    moved = make_case(practice=practice, by=worker, family_name="Moved", gp_practice_code="B86010")
    cases.record_contact(
        case=moved, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker
    )
    referral, _ = make_referral(
        origin_code=practice.ods_code,
        person=person_details(family_name="Selfref", gp_practice_code="B86011"),
        source="self",
        reasons=["loneliness"],
        consent_given=True,
        by=None,
    )
    cases.record_contact(
        case=referral.case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker
    )
    call_command("export", "gp-record", "--since", "2000-01-01", "--out", str(tmp_path))
    assert "Moved" in (tmp_path / "B86010.csv").read_text()
    assert "Selfref" in (tmp_path / "B86011.csv").read_text()
    assert not (tmp_path / f"{practice.ods_code}.csv").exists()


def test_re_exports_give_the_same_entries_naming_the_pcn(practice, tmp_path):
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker)
    cases.record_contact(case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker)
    first, second = tmp_path / "1", tmp_path / "2"
    for out in (first, second):
        call_command("export", "gp-record", "--since", "2000-01-01", "--out", str(out))
    a, b = (_bundle(d / f"{practice.ods_code}.json") for d in (first, second))
    assert [e.fullUrl for e in a.entry] == [e.fullUrl for e in b.entry]
    assert a.identifier.value != b.identifier.value and a.timestamp is not None
    procedure = next(e.resource for e in a.entry if e.resource.__resource_type__ == "Procedure")
    assert procedure.identifier[0].value.startswith("case-event-")
    actor = procedure.performer[0].actor
    assert actor.identifier.value == practice.parent.ods_code and actor.display
    assert procedure.subject.reference == a.entry[0].fullUrl


def test_with_mesh_each_practices_bundle_is_queued(practice, tmp_path):
    from linkwell.delivery.models import Delivery

    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    case = make_case(practice=practice, by=worker)
    cases.record_contact(case=case, at=timezone.now(), mode="phone", minutes=5, notes="", by=worker)
    call_command("export", "gp-record", "--since", "2000-01-01", "--out", str(tmp_path), "--mesh")
    (delivery,) = Delivery.objects.all()
    assert delivery.channel == "mesh" and delivery.to == practice.ods_code
    assert Bundle.model_validate(delivery.document).type == "collection"
