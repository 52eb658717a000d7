"""The demo leaves check-ins a link worker would expect to see: answered, with tasks, and some
not sent because the person prefers phone calls."""

import pytest

from linkwell.cases import demo as cases_demo
from linkwell.checkins import demo
from linkwell.checkins.models import CheckIn
from linkwell.connections import demo as connections_demo
from linkwell.directory import demo as directory_demo

pytestmark = pytest.mark.django_db


def test_demo_check_ins():
    cases_demo.load(seed=2026)
    directory_demo.load(seed=2026)
    connections_demo.load(seed=2026)
    counts = demo.load(seed=2026)
    assert counts["check-ins answered"] == CheckIn.objects.exclude(answer="").count() > 3
    assert counts["check-ins not sent"] == CheckIn.objects.exclude(not_sent="").count() > 0
    assert CheckIn.objects.filter(task__isnull=False, answer="call_me").exists()
    assert CheckIn.objects.filter(sent_at__isnull=True, not_sent="").exists()  # still to come
