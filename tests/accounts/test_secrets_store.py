"""One rule for every single-use link: unknown, used or expired is refused, with its status."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from linkwell.accounts.secrets_store import LinkRefused, live


def link(used=None, expires_in=timedelta(days=1)):
    return SimpleNamespace(used_at=used, answer="", expires_at=timezone.now() + expires_in)


@pytest.mark.parametrize(
    ("row", "reason", "status"),
    [
        (None, "unknown", 404),
        (link(used=timezone.now()), "used", 410),
        (link(expires_in=timedelta(seconds=-1)), "expired", 410),
    ],
)
def test_a_link_that_cannot_be_used_is_refused_with_its_reason_and_status(row, reason, status):
    with pytest.raises(LinkRefused) as refused:
        live(row)
    assert (str(refused.value), refused.value.status) == (reason, status)


def test_a_live_link_is_returned_and_the_spent_field_can_be_another():
    row = link()
    assert live(row) is row
    row.answer = "yes"
    with pytest.raises(LinkRefused, match="used"):
        live(row, spent="answer")


def test_an_app_s_own_reason_carries_its_own_status():
    assert LinkRefused("case closed", status=409).status == 409
