import re
from pathlib import Path

import pytest
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from linkwell.cases import demo
from linkwell.cases.lifecycle import Status
from linkwell.cases.models import Case, CaseEvent, WhatMatters
from linkwell.people.identifiers import validate_nhs_number

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def counts(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module's tests (they only read it) and rolled back after:
    loading it takes seconds."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo.load(seed=7)
        transaction.set_rollback(True)


def test_the_demo_has_cases_at_every_stage_with_consistent_histories(counts):
    assert counts["cases"] == 200
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")))
    assert by_status == {status: n for status, n in demo.STAGES}
    for case in Case.objects.prefetch_related("events"):
        events = list(case.events.all())
        assert events[-1].to_status == case.status
        assert all(a.at <= b.at for a, b in zip(events, events[1:], strict=False))
        if case.person.nhs_number:
            validate_nhs_number(case.person.nhs_number)
            assert case.person.nhs_number.startswith("999")  # never-issued test range
    assert not WhatMatters.objects.filter(at__gt=timezone.now()).exists()
    assert CaseEvent.objects.filter(to_status=Status.DISCHARGED).count() == 45


def test_demo_practices_have_valid_ods_codes_and_referrals_record_the_practice(counts):
    from linkwell.accounts.models import Organisation, OrganisationKind
    from linkwell.cases.models import Referral
    from linkwell.people.identifiers import validate_gp_practice_code

    practices = Organisation.objects.filter(kind=OrganisationKind.PRACTICE)
    assert practices.count() == 6
    for practice in practices:
        validate_gp_practice_code(practice.ods_code)
    from_practices = Referral.objects.filter(source="gp_practice").select_related(
        "person", "referring_organisation"
    )
    assert from_practices.exists()
    for referral in from_practices:
        assert referral.person.gp_practice_code == referral.referring_organisation.ods_code


def test_the_mesh_sandbox_commands_give_every_demo_practice_a_mailbox(counts):
    """README's `run_mesh_sandbox.py` line and compose's sandbox name the demo's practices, or a
    message back from the demo would find no mailbox."""
    from linkwell.accounts.models import Organisation, OrganisationKind

    codes = set(
        Organisation.objects.filter(kind=OrganisationKind.PRACTICE).values_list(
            "ods_code", flat=True
        )
    )
    root = Path(__file__).resolve().parents[2]
    readme = re.search(
        r"run_mesh_sandbox\.py --port \d+ ([A-Z0-9 ]+) &", (root / "README.md").read_text()
    )
    assert set(readme.group(1).split()) == codes
    sandbox = (root / "compose.yaml").read_text().split("  mesh-sandbox:\n")[1]
    command = re.search(r"command: \[([A-Z0-9, ]+)\]", sandbox)
    assert set(command.group(1).split(", ")) == codes
