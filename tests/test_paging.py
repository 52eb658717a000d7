"""Every page number is bounded in one place, linkwell.paging.page_number (issue 15, item 8)."""

import pytest

from linkwell.accounts.models import Role
from linkwell.paging import MAX_PAGE, page_number
from tests.factories import user_with_role

HUGE = [
    "9223372036854775807",
    "9223372036854775808",
    "9" * 60,
    "9" * 5000,
    "-1",
    "0",
    "²",
    "1e9",
    "",
    "x",
]


@pytest.mark.parametrize(
    "value, expected",
    [("2", 2), ("0002", 2), (None, 1), (7, 7), (2**70, MAX_PAGE), ("9" * 60, MAX_PAGE), ("²", 1)],
)
def test_page_numbers_are_bounded(value, expected):
    assert page_number(value) == expected


@pytest.mark.django_db
@pytest.mark.parametrize("page", HUGE)
@pytest.mark.parametrize(
    "url, role",
    [
        ("/directory/?q=walk&page={}", Role.LINK_WORKER),
        ("/directory/review/?page={}", Role.PROVIDER),
        ("/accounts/audit/?page={}", Role.ADMIN),
        ("/oruk/services?page={}", None),
        ("/caseload/?page={}", Role.LINK_WORKER),
        ("/caseload/?new_page={}&closed_page={}", Role.LINK_WORKER),  # each section's own page
        ("/delivery/?page={}", Role.ADMIN),
    ],
)
def test_no_page_number_is_a_server_error(client, pcn, url, role, page):
    if role is not None:
        client.force_login(user_with_role(role, pcn.parent if role == Role.ADMIN else pcn))
    response = client.get(url.format(page, page))
    # 400: the ORUK API refuses a page out of range rather than answering another page
    assert response.status_code in (200, 400, 422), (url, page, response.status_code)
