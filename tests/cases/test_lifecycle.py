import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from linkwell.cases import services
from linkwell.cases.lifecycle import CLOSED, OPEN, TRANSITIONS, Status, allowed
from linkwell.cases.models import Case, CaseEvent
from tests.factories import make_case

# The case lifecycle as the service agrees it with link workers, written out by hand rather than
# read from linkwell.cases.lifecycle: adding or removing a move there must fail here.
EXPECTED_MOVES = {
    "received": {"contacted", "unable_to_contact", "declined", "not_appropriate"},
    "contacted": {"assessed", "discharged", "declined", "not_appropriate"},
    "assessed": {"supported", "discharged", "declined", "not_appropriate"},
    "supported": {"discharged", "declined"},
    "discharged": set(),
    "declined": set(),
    "unable_to_contact": {"contacted"},  # they got back in touch
    "not_appropriate": set(),
}
EXPECTED_OPEN = {"received", "contacted", "assessed", "supported"}


def test_the_statuses_are_exactly_the_agreed_ones():
    assert set(Status.values) == set(EXPECTED_MOVES)
    assert set(OPEN) == EXPECTED_OPEN
    assert set(CLOSED) == set(EXPECTED_MOVES) - EXPECTED_OPEN


@pytest.mark.parametrize("frm", sorted(EXPECTED_MOVES))
def test_the_table_allows_exactly_the_agreed_moves(frm):
    assert {to for to in Status.values if allowed(frm, to)} == EXPECTED_MOVES[frm]
    assert set(TRANSITIONS[Status(frm)]) == EXPECTED_MOVES[frm]


def _path_to(status: str) -> list[str]:
    """The shortest walk from "received" to `status` along the expected moves."""
    paths = {"received": []}
    queue = ["received"]
    while queue:
        here = queue.pop(0)
        for there in sorted(EXPECTED_MOVES[here]):
            if there not in paths:
                paths[there] = [*paths[here], there]
                queue.append(there)
    return paths[status]


@pytest.mark.django_db
@pytest.mark.parametrize("frm", sorted(EXPECTED_MOVES))
def test_the_service_makes_exactly_the_agreed_moves(frm):
    """Every status × target pair through services.transition, the door every edge uses."""
    for to in Status.values:
        case = make_case(by=None)
        for step in _path_to(frm):
            services.transition(case=case, to=step, by=None)
        if to in EXPECTED_MOVES[frm]:
            assert services.transition(case=case, to=to, by=None).status == to
        else:
            with pytest.raises(services.CaseError):
                services.transition(case=case, to=to, by=None)
            assert Case.objects.get(pk=case.pk).status == frm


class TransitionProperties(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(list(Status)), max_size=6))
    def test_a_case_only_moves_along_the_table_and_every_move_is_an_event(self, walk):
        case = make_case(by=None)
        for target in walk:
            before = Case.objects.get(pk=case.pk).status
            events_before = CaseEvent.objects.filter(case=case).count()
            if target in EXPECTED_MOVES[before]:
                services.transition(case=case, to=target, by=None)
                assert Case.objects.get(pk=case.pk).status == target
                assert CaseEvent.objects.filter(case=case).count() == events_before + 1
            else:
                with pytest.raises(services.CaseError):
                    services.transition(case=case, to=target, by=None)
                assert Case.objects.get(pk=case.pk).status == before
                assert CaseEvent.objects.filter(case=case).count() == events_before
