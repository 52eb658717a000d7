"""How an import writes: the collector, PostgreSQL's staged batches and its indexes."""

import gc

import pytest
from django.db import IntegrityError, connection, transaction

from linkwell.directory import writing
from linkwell.directory.importing import ImportRefused, import_records
from linkwell.directory.models import Schedule, Service
from tests.directory.factories import load, record

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's writer and indexes"
)


def test_an_import_leaves_the_cycle_collector_on():
    load(record())
    assert gc.isenabled()
    with pytest.raises(ImportRefused):
        import_records(records=[{"id": "x"}], label="bad")
    assert gc.isenabled()


@postgres_only
def test_directory_text_keys_have_no_pattern_index_copies():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename LIKE 'directory%%' "
            "AND indexdef LIKE '%%pattern_ops%%'"
        )
        assert cursor.fetchall() == []


@postgres_only
def test_a_batch_the_database_refuses_raises_its_error_and_keeps_nothing():
    orphan = writing.Row(Schedule, {"service_id": "no-such-service", "extra": {}})
    with pytest.raises(IntegrityError), transaction.atomic(), writing.batches() as writer:
        writer.put(Schedule, [orphan])
        writer.send()
    assert not Schedule.objects.exists()


@postgres_only
def test_foreign_keys_are_deferred_again_after_an_import():
    load(record())
    with transaction.atomic():
        # A child before its parent is fine until commit, as everywhere else in Django.
        Schedule.objects.create(service_id="later")
        Service.objects.create(id="later", name="Later", status="active")
    assert Schedule.objects.filter(service_id="later").exists()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's page cache")
def test_sqlite_gets_its_page_cache_back_after_an_import():
    with connection.cursor() as cursor:
        before = cursor.execute("PRAGMA cache_size").fetchone()[0]
        with writing.batches():
            assert cursor.execute("PRAGMA cache_size").fetchone()[0] == -128 * 1024
        assert cursor.execute("PRAGMA cache_size").fetchone()[0] == before


@postgres_only
def test_postgresql_has_statistics_for_the_tables_an_import_wrote():
    load(record())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stats WHERE tablename = 'directory_matchpoint' "
            "AND attname = 'remote'"
        )
        assert cursor.fetchone()[0] == 1
