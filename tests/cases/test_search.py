"""Searching the caseload by each thing a link worker may know about someone, closed cases
included, within what the worker may see."""

from datetime import date

import pytest

from linkwell.cases import queries, services
from linkwell.cases.lifecycle import Status
from linkwell.people import lookup
from tests.factories import arrange, make_case, valid_nhs_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(pcn, link_worker):
    """Ann (open), Ann's earlier closed case under another record, and Bob; and, in another
    PCN, Zed with every one of Ann's details."""
    details = dict(
        date_of_birth=date(1950, 4, 3),
        phone="07700 900456",
        email="Ann.Smith@Example.org",
        postcode="LS6 1AB",
    )
    ann = make_case(
        pcn=pcn, by=link_worker, given_name="Ann", nhs_number=valid_nhs_number(1), **details
    )
    closed = make_case(pcn=pcn, by=link_worker, given_name="Annie", **details)
    services.transition(case=closed, to=Status.DECLINED, by=link_worker)
    bob = make_case(
        pcn=pcn,
        by=link_worker,
        given_name="Bob",
        date_of_birth=date(1960, 1, 1),
        phone="0113 496 0000",
        email="bob@example.org",
        postcode="LS1 4AP",
    )
    elsewhere = make_case(given_name="Zed", nhs_number=valid_nhs_number(1), **details)
    return {"ann": ann, "closed": closed, "bob": bob, "elsewhere": elsewhere}


def found(user, q) -> set:
    load = queries.caseload(user, q=q)
    return {c.pk for section in load.sections if section.key != "overdue" for c in section}


@pytest.mark.parametrize(
    "q",
    [
        "3/4/1950",
        "03/04/1950",
        "1950-04-03",
        "3-4-1950",
        "3.4.1950",
        "3 April 1950",
        "3 apr 1950",
        "07700 900456",
        "07700900456",
        "+44 7700 900456",
        "+44 (0)7700 900456",
        "(07700) 900-456",
        "ann.smith@example.org",
        " ANN.SMITH@EXAMPLE.ORG ",
        "ls61ab",
        "LS6 1AB",
        "ls6  1ab",
    ],
)
def test_each_way_of_typing_a_detail_finds_open_and_closed_cases_of_the_pcn_only(
    link_worker, people, q
):
    assert found(link_worker, q) == {people["ann"].pk, people["closed"].pk}


def test_a_phone_stored_in_another_form_is_found(link_worker, people):
    person = people["bob"].person
    arrange(person, phone="+44 (0)113 496 0000")
    assert found(link_worker, "01134960000") == {people["bob"].pk}
    arrange(person, phone="441134960000")
    assert found(link_worker, "0113 496 0000") == {people["bob"].pk}


def test_name_and_nhs_number_still_work_and_stay_in_the_pcn(link_worker, people):
    number = people["ann"].person.nhs_number
    assert found(link_worker, f"{number[:3]} {number[3:6]} {number[6:]}") == {people["ann"].pk}
    assert found(link_worker, "ann") == {people["ann"].pk, people["closed"].pk}
    assert found(link_worker, "Zed") == set()
    assert found(link_worker, "bob@example.org") == {people["bob"].pk}


def test_other_pcns_worker_finds_only_their_own(people):
    from tests.factories import user_with_role

    theirs = user_with_role("link_worker", people["elsewhere"].person.organisation)
    assert found(theirs, "07700 900456") == {people["elsewhere"].pk}
    assert found(theirs, "3/4/1950") == {people["elsewhere"].pk}


def test_near_misses_find_nobody(link_worker, people):
    for q in ("4/3/1950", "3/4/50", "31/2/1950", "07700 900457", "ann@example.org", "LS6 1AC"):
        assert found(link_worker, q) == set(), q


def test_a_search_counts_its_closed_matches(link_worker, people):
    load = queries.caseload(link_worker, q="3/4/1950")
    assert (load.matched, load.closed_matched) == (2, 1)
    assert [c.pk for c in load.closed_cases] == [people["closed"].pk]
    # Without a search the caseload stays as it was: no closed section unless asked for.
    assert queries.caseload(link_worker).closed_cases is None
    assert queries.caseload(link_worker, q="3/4/1950", status="received").closed_cases is None


def test_the_page_tags_closed_matches_and_says_how_many(client, link_worker, people):
    client.force_login(link_worker)
    html = client.get("/caseload/", {"q": "07700 900456"}).content.decode()
    assert "2 cases match" in html and "1 of these cases is closed." in html
    assert html.count(">Closed</strong>") == 1 and "Annie" in html and "Zed" not in html
    html = client.get("/caseload/", {"q": "bob@example.org"}).content.decode()
    assert "1 case matches" in html and "of these" not in html


def test_typed_dates():
    assert lookup.typed_date("3/4/1950") == date(1950, 4, 3)
    assert lookup.typed_date("1950-04-03") == date(1950, 4, 3)
    assert lookup.typed_date("3/4/50") is None
