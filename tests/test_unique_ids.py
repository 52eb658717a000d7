"""No page has two elements with one id: a label names one field, a link one target
(WCAG 2.2 success criterion 4.1.1's intent, and what makes `<label for>` work)."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from linkwell.accounts.models import Role
from tests.factories import user_with_role
from tests.test_route_matrix import build_world


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = []

    def handle_starttag(self, tag, attrs):
        self.ids.extend(value for name, value in attrs if name == "id")


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in Counter(parser.ids).items() if n > 1)


def test_the_parser_finds_a_duplicate():
    assert duplicate_ids('<p id="a"></p><input id="b"><span id="a"></span>') == ["a"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "route",
    [
        "cases:caseload",
        "cases:today",
        "cases:case",
        "cases:case_plan",
        "cases:case_connections",
        "cases:case_measures",
        "cases:case_message_back",
        "cases:case_timeline",
        "cases:referral_new",
        "outcomes:measure_new",
        "standards:message_back",
        "directory:find_support",
        "outcomes:report",
    ],
)
def test_a_link_workers_pages_have_unique_ids(client, route):
    world = build_world()
    worker = user_with_role(Role.LINK_WORKER, world.practice.parent)
    client.force_login(worker)
    needs_case = route.startswith("cases:case_") or route in {
        "cases:case",
        "outcomes:measure_new",
        "standards:message_back",
        "directory:find_support",
    }
    url = reverse(route, kwargs={"pk": world.case.pk} if needs_case else {})
    if route == "outcomes:measure_new":
        url += "?instrument=ucla3"  # the measure form beside the send-a-link form
    response = client.get(url)
    assert response.status_code == 200
    assert duplicate_ids(response.content.decode()) == []
