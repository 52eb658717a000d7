"""The demo measures load through the service and show the improvement the demo promises."""

import pytest

from linkwell.accounts.models import (
    AuditEntry,
    Membership,
    Organisation,
    OrganisationKind,
    Role,
    User,
)
from linkwell.cases import demo as cases_demo
from linkwell.outcomes import demo, queries
from linkwell.outcomes.models import Administration

pytestmark = pytest.mark.django_db


def test_demo_measures_are_recorded_audited_and_improve():
    cases_demo.load(seed=2026)
    counts = demo.load(seed=2026)
    assert counts["administrations"] == Administration.objects.count() > 100
    audited = AuditEntry.objects.filter(object_type="outcomes.administration").count()
    assert audited == counts["administrations"]
    # Cohort change reads people's measures, so over both demo PCNs it takes a manager of each.
    manager = User.objects.get(username="manager.leeds")
    for pcn in Organisation.objects.filter(kind=OrganisationKind.PCN).exclude(
        memberships__user=manager
    ):
        Membership.objects.create(user=manager, organisation=pcn, role=Role.MANAGER)
    wellbeing = queries.cohort_change(manager, instrument="swemwbs")
    loneliness = queries.cohort_change(manager, instrument="ucla3")
    assert wellbeing.n > 20 and wellbeing.mean_change > 0 and wellbeing.p_value < 0.05
    assert loneliness.mean_change < 0
