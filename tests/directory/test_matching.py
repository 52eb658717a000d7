"""Ranking on crafted cases: what should come first, what must never show."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linkwell.cases.needs import Need
from linkwell.directory.matching import Person, haversine_km, rank
from linkwell.directory.profile import STEP_FREE, slot
from tests.directory.factories import HOME, load, record

pytestmark = pytest.mark.django_db
TUESDAY_MORNING = slot(1, 0)
NEAR = (HOME[0] + 0.005, HOME[1])  # ~0.6 km
FAR = (HOME[0] + 0.06, HOME[1])  # ~6.7 km


def person(**kw):
    values = dict(
        age=70,
        latitude=HOME[0],
        longitude=HOME[1],
        needs=frozenset({Need.LONELINESS}),
        available=TUESDAY_MORNING,
    )
    values.update(kw)
    return Person(**values)


def test_the_near_open_matching_service_ranks_first_with_its_reasons():
    load(
        record(name="Far", at=FAR),
        record(name="Thursday", at=NEAR, byday="TH"),
        record(name="Near", at=NEAR),
        record(name="Wrong need", at=NEAR, terms=("debt-advice",)),
    )
    matches = rank(person())
    assert [m.name for m in matches] == ["Near", "Thursday", "Far"]
    assert matches[0].reasons == [
        "Matches: loneliness and isolation",
        "0.6 km away",
        "Open Tuesday mornings",
        "Free",
    ]
    assert "Not open when they are free" in matches[1].reasons


def test_an_ineligible_service_never_shows():
    load(
        record(name="Young people", at=NEAR, minimum_age=16, maximum_age=25),
        record(name="Over 80s", at=NEAR, minimum_age=80),
        record(name="Everyone", at=FAR),
    )
    assert [m.name for m in rank(person(age=70))] == ["Everyone"]


def test_cost_language_access_and_mode_each_count():
    load(
        record(name="Paid", at=NEAR, amount=5),
        record(
            name="Urdu, step-free",
            at=NEAR,
            languages=("English", "Urdu"),
            access="Wheelchair accessible",
        ),
        record(name="Online", online=True),
    )
    who = person(language="urdu", access=STEP_FREE)
    matches = {m.name: m for m in rank(who)}
    assert "Costs money" in matches["Paid"].reasons
    assert {"In Urdu", "Step-free access"} <= set(matches["Urdu, step-free"].reasons)
    assert (
        matches["Online"].distance_km is None and "Online or by phone" in matches["Online"].reasons
    )
    assert rank(who)[0].name == "Urdu, step-free"
    assert [m.name for m in rank(person(mode="online"))] == ["Online"]
    assert [m.name for m in rank(person(free_only=True, mode="in_person"))] == ["Urdu, step-free"]


def test_online_candidates_are_the_most_recently_verified_then_never_verified(monkeypatch):
    never = record(name="Never checked", online=True)
    del never["assured_date"]
    load(
        record(name="Checked last year", online=True, assured_date="2025-06-01"),
        never,
        record(name="Checked this month", online=True, assured_date="2026-11-01"),
    )
    monkeypatch.setattr("linkwell.directory.matching.ONLINE_CANDIDATES", 2)
    names = {m.name for m in rank(person(mode="online"))}
    assert names == {"Checked this month", "Checked last year"}
    monkeypatch.setattr("linkwell.directory.matching.ONLINE_CANDIDATES", 3)
    assert "Never checked" in {m.name for m in rank(person(mode="online"))}


def test_outside_the_radius_is_left_out():
    load(record(name="Far", at=FAR))
    assert rank(person(radius_km=5)) == []
    assert [m.name for m in rank(person(radius_km=10))] == ["Far"]


def test_stale_services_are_flagged():
    load(record(name="Old", at=NEAR, assured_date="2020-01-01"))
    match = rank(person())[0]
    assert match.stale and "Not checked recently" in match.reasons


def test_haversine_leeds_to_bradford():
    # Leeds and Bradford city centres are about 14 km apart.
    assert 13 < haversine_km(53.7997, -1.5492, 53.7960, -1.7594) < 15


@settings(max_examples=25, deadline=None)
@given(age=st.integers(0, 110), low=st.integers(0, 90), span=st.integers(0, 40))
def test_nobody_outside_an_age_range_is_offered_the_service(age, low, span):
    (ranged,) = load(record(at=NEAR, minimum_age=low, maximum_age=low + span))
    offered = ranged["id"] in {m.service_id for m in rank(person(age=age), limit=1000)}
    assert offered == (low <= age <= low + span)


def test_a_service_at_a_place_given_by_id_is_found_there():
    (first,) = load(record(name="Hall group", at=NEAR))
    second = record(name="Same hall")
    location_id = first["service_at_locations"][0]["location"]["id"]
    second["service_at_locations"] = [{"id": "sal-by-id", "location_id": location_id}]
    load(second)
    names = {m.name: m for m in rank(person())}
    assert names["Same hall"].distance_km == names["Hall group"].distance_km == 0.6
