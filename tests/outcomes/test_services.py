"""Recording measures through the service: scoring, rules, audit, and nothing stored on error."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.accounts.models import AuditEntry
from linkwell.cases import services as case_services
from linkwell.outcomes import queries
from linkwell.outcomes.models import Administration
from linkwell.outcomes.services import OutcomeError, define_local_instrument, record_administration

pytestmark = pytest.mark.django_db


def record(case, by, instrument="swemwbs", answers=(3,) * 7, timepoint="baseline", **kw):
    return record_administration(
        case=case,
        instrument=instrument,
        answers=list(answers),
        timepoint=timepoint,
        mode=kw.pop("mode", "in_person"),
        by=by,
        **kw,
    )


def test_a_measure_is_scored_stored_and_audited(case, link_worker):
    taken = record(case, link_worker, answers=[4, 3, 3, 4, 3, 3, 3])
    taken.refresh_from_db()
    assert (taken.raw, taken.score, taken.measures) == (23, 20.73, {"score": 20.73})
    assert taken.answers == [4, 3, 3, 4, 3, 3, 3] and taken.asked_by == link_worker
    entry = AuditEntry.objects.get(action="create", object_type="outcomes.administration")
    assert entry.person_id == case.person_id and entry.detail["instrument"] == "swemwbs"


@pytest.mark.parametrize(
    "kwargs,field",
    [
        (dict(answers=[3] * 6), "answers"),
        (dict(answers=[3, 3, 3, 3, 3, 3, 9]), "answers.6"),
        (dict(answers=[3, 3, None, 3, 3, 3, 3]), "answers.2"),
        (dict(instrument="phq9"), "instrument"),
        (dict(instrument="pam", answers=[1, 2, 3]), "answers"),
        (dict(instrument="pam", answers=[], score=150), "answers"),
        (dict(timepoint="halfway"), "timepoint"),
        (dict(mode="telepathy"), "mode"),
        (dict(administered_at=timezone.now() + timedelta(days=1)), "administered_at"),
        (dict(administered_at=timezone.now() - timedelta(days=3650)), "administered_at"),
    ],
)
def test_bad_input_is_refused_by_the_field_and_nothing_is_stored(case, link_worker, kwargs, field):
    with pytest.raises(OutcomeError) as refused:
        record(case, link_worker, **kwargs)
    assert field in refused.value.message_dict
    assert not Administration.objects.exists()
    assert not AuditEntry.objects.filter(object_type="outcomes.administration").exists()


def test_pam_keeps_only_the_licensed_tools_score_and_level(case, link_worker):
    taken = record(case, link_worker, instrument="pam", answers=[], score=58.4, level=3)
    assert (taken.score, taken.band, taken.answers) == (58.4, "Level 3", [])


def test_one_baseline_per_measure_then_follow_ups(case, link_worker):
    record(case, link_worker)
    with pytest.raises(OutcomeError, match="already has a baseline"):
        record(case, link_worker)
    record(case, link_worker, instrument="ucla3", answers=[3, 3, 2])  # another measure: fine
    record(case, link_worker, timepoint="follow_up", answers=[4] * 7)
    record(case, link_worker, timepoint="follow_up", answers=[5] * 7)
    assert Administration.objects.filter(case=case).count() == 4


def test_a_closed_case_takes_only_a_discharge_measure(case, link_worker):
    case_services.transition(case=case, to="declined", by=link_worker)
    with pytest.raises(OutcomeError, match="closed"):
        record(case, link_worker, timepoint="follow_up")
    assert record(case, link_worker, timepoint="discharge").timepoint == "discharge"


def test_scoping_follows_the_case(case, link_worker, stranger):
    taken = record(case, link_worker)
    assert list(queries.for_user(link_worker)) == [taken]
    assert not queries.for_user(stranger).exists()
    with pytest.raises(Exception, match="not yours"):
        queries.administration_for(stranger, taken.pk)
    assert AuditEntry.objects.filter(action="denied", user=stranger).exists()


def test_change_from_baseline_and_cohort_only_count_people_with_both(case, link_worker, pcn):
    from tests.factories import make_case

    record(case, link_worker, answers=[2] * 7)  # raw 14 → 15.32
    record(case, link_worker, timepoint="follow_up", answers=[3] * 7)  # raw 21 → 19.25
    only_baseline = make_case(pcn=pcn, by=link_worker)
    record(only_baseline, link_worker, answers=[1] * 7)
    rows = queries.case_measures(case)
    assert rows[0].change == {}
    assert rows[1].change["score"].delta == pytest.approx(3.93)
    assert rows[1].change["score"].meaningful is True
    cohort = queries.cohort_change(link_worker, instrument="swemwbs")
    assert cohort.n == 1 and cohort.mean_change == pytest.approx(3.93)


def test_an_admin_defines_a_local_measure_that_is_scored_by_sum(case, link_worker, pcn):
    from linkwell.accounts.models import Role
    from tests.factories import user_with_role

    admin = user_with_role(Role.ADMIN, pcn.parent)
    define_local_instrument(
        code="garden-club",
        name="Garden club check-in",
        statements=["I felt part of the group", "I learned something new"],
        options=[(0, "Not at all"), (1, "A little"), (2, "A lot")],
        by=admin,
    )
    taken = record(case, link_worker, instrument="garden-club", answers=[2, 1])
    assert taken.score == 3
    with pytest.raises(OutcomeError):
        record(case, link_worker, instrument="garden-club", answers=[2, 3], timepoint="follow_up")


@pytest.mark.parametrize(
    "change,field",
    [
        (dict(code="swemwbs"), "code"),
        (dict(statements=[" "]), "statements"),
        (dict(options=[(1, "Yes")]), "options"),
        (dict(options=[(1, "Yes"), (1, "No")]), "options"),
        (dict(meaningful_change=2.0), "meaningful_change_source"),
    ],
)
def test_bad_local_measures_are_refused(pcn, change, field):
    from linkwell.accounts.models import Role
    from tests.factories import user_with_role

    values = dict(
        code="club",
        name="Club",
        statements=["One"],
        options=[(0, "No"), (1, "Yes")],
        by=user_with_role(Role.ADMIN, pcn.parent),
    )
    with pytest.raises(OutcomeError) as refused:
        define_local_instrument(**{**values, **change})
    assert field in refused.value.message_dict
