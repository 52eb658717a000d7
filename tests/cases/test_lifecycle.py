import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from linkwell.cases import services
from linkwell.cases.lifecycle import CLOSED, OPEN, TRANSITIONS, Status
from linkwell.cases.models import Case, CaseEvent
from tests.factories import make_case


def test_every_status_has_a_row_and_targets_are_statuses():
    assert set(TRANSITIONS) == set(Status)
    for targets in TRANSITIONS.values():
        assert targets <= set(Status)


def test_closed_statuses_cannot_be_left_except_to_reopen_after_no_contact():
    for status in CLOSED:
        assert TRANSITIONS[status] <= {Status.CONTACTED}
    assert TRANSITIONS[Status.DISCHARGED] == frozenset()


def test_every_open_status_can_reach_a_closed_one():
    for status in OPEN:
        assert TRANSITIONS[status] & CLOSED


class TransitionProperties(TestCase):
    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.sampled_from(list(Status)), max_size=6))
    def test_a_case_only_moves_along_the_table_and_every_move_is_an_event(self, walk):
        case = make_case(by=None)
        for target in walk:
            before = Case.objects.get(pk=case.pk).status
            events_before = CaseEvent.objects.filter(case=case).count()
            if target in TRANSITIONS[Status(before)]:
                services.transition(case=case, to=target, by=None)
                assert Case.objects.get(pk=case.pk).status == target
                assert CaseEvent.objects.filter(case=case).count() == events_before + 1
            else:
                with pytest.raises(services.CaseError):
                    services.transition(case=case, to=target, by=None)
                assert Case.objects.get(pk=case.pk).status == before
                assert CaseEvent.objects.filter(case=case).count() == events_before
