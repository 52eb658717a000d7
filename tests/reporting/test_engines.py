"""Every aggregate gives the same answer in the database and in DuckDB over the snapshot."""

from datetime import timedelta

import pytest
from django.utils import timezone

from linkwell.cases.needs import Need
from linkwell.interop import gp_record, snomed
from linkwell.reporting import national_return, report, snapshot
from linkwell.reporting.engine import DatabaseEngine, DuckDBEngine
from linkwell.reporting.periods import next_month, start_of
from linkwell.reporting.queries import AGGREGATES, Filters
from linkwell.reporting.sections import person_deprivation
from tests.reporting.world import add_deprivation

pytestmark = pytest.mark.django_db


def _filters(world, **narrow):
    today = timezone.now().date().replace(day=1)
    start = (today - timedelta(days=150)).replace(day=1)
    return Filters(
        pcn_ids=tuple(p.pk for p in world.pcns),
        start=start_of(start),
        end=start_of(next_month(today)),
        **narrow,
    )


def _same(rows):
    return sorted(
        (tuple(round(v, 9) if isinstance(v, float) else v for v in r) for r in rows), key=repr
    )


@pytest.fixture
def engines(world, tmp_path):
    add_deprivation(world)
    snapshot.write(directory=tmp_path / "snapshot")
    return DatabaseEngine(), DuckDBEngine(tmp_path / "snapshot")


@pytest.mark.parametrize("aggregate", sorted(AGGREGATES))
def test_each_aggregate_agrees_on_both_engines(world, engines, aggregate):
    database, duckdb = engines
    for filters in (
        _filters(world),
        _filters(world, practice_id=world.practices[0].pk),
        _filters(world, link_worker_id=world.workers[1].pk),
    ):
        found = _same(database.run(aggregate, filters))
        assert found == _same(duckdb.run(aggregate, filters))
    assert _same(database.run(aggregate, _filters(world)))  # the world gives every one something


def test_the_whole_report_is_the_same_on_both_engines(world, engines):
    database, duckdb = engines
    live = report.build(_filters(world), engine=database)
    snap = report.build(_filters(world), engine=duckdb)
    assert [t.rows() for t in live.tables] == [t.rows() for t in snap.tables]
    assert live.taken_at is None and snap.taken_at is not None


def test_the_counts_match_the_records(world, engines):
    database, _ = engines
    filters = _filters(world)
    ours = [c for c in world.cases if c.organisation_id in filters.pcn_ids]
    by_source = database.run("referrals_by_month_and_source", filters)
    assert sum(n for *_, n in by_source) == len(ours)
    waits = dict(database.run("days_to_first_contact", filters))
    expected = sum(1 for i in range(24) if i % 4 == 3)
    assert waits[None] == expected
    (per_need,) = database.run("referrals_by_reason", filters)
    reasons = {code: n for code, n in zip(Need.values, per_need, strict=True) if n}
    assert reasons == {"loneliness": 24, "money": 12}
    worker = _filters(world, link_worker_id=world.workers[0].pk)
    assert sum(n for _, n in database.run("caseload_by_link_worker", worker)) == 12


def test_the_person_s_quintile_is_their_area_s_then_their_practice_s(world, engines):
    """24 referrals: 8 from an area of quintile 1; of the rest, 8 fall back to the first
    practice (quintile 2) and 8 to the second (no IMD), so they are not known."""
    for engine in engines:
        table = person_deprivation(engine, _filters(world))
        assert table.columns == ["By the person's area", "By the referring practice", "Not known"]
        assert table.counts == [[8, 0, 0], [0, 8, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 8]]
        one_practice = person_deprivation(
            engine, _filters(world, practice_id=world.practices[0].pk)
        )
        assert one_practice.counts[:2] == [[4, 0, 0], [0, 8, 0]]


def test_the_snapshot_holds_no_names_and_is_read_only(world, tmp_path):
    counts = snapshot.write(directory=tmp_path / "s")
    assert counts["cases.Referral"] == 25
    person = tmp_path / "s" / "people_person.parquet"
    assert b"Person1" not in person.read_bytes() and b"Bloggs" not in person.read_bytes()
    assert not person.stat().st_mode & 0o222


def test_the_national_return_counts_what_gp_record_codes(world, engines):
    database, duckdb = engines
    month = timezone.now().date().replace(day=1)
    rows = national_return.rows(month, {p.pk for p in world.pcns}, engine=database)
    assert rows == national_return.rows(month, {p.pk for p in world.pcns}, engine=duckdb)
    assert len(rows) == 2 * len(national_return.CONCEPTS)
    events, _ = gp_record.coded_events(start_of(month))
    coded = {}
    for e in events:
        if e.at < start_of(next_month(month)):
            coded[e.concept.code] = coded.get(e.concept.code, 0) + 1
    filters = Filters(tuple(p.pk for p in world.pcns), start_of(month), start_of(next_month(month)))
    for concept, aggregate in national_return.CONCEPTS:
        true = sum(n for _, n in database.run(aggregate, filters))
        assert true == coded.get(concept.code, 0), concept.term
    assert {r[3] for r in rows} == {c.code for c, _ in national_return.CONCEPTS}
    assert snomed.REFERRAL_TO_SOCIAL_PRESCRIBING.code in {r[3] for r in rows}
