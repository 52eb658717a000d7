"""Reporting at scale (issue 6's targets): 1,000,000 referrals and 3,000,000 contacts.

Fills a dedicated PostgreSQL database with INSERT … SELECT generate_series (not the ORM), then
times, through Django's full request stack in this process, as an ICB manager (all 50 PCNs,
then one PCN):
  - GET /reporting/ (the dashboard)            target p95 < 1 s warm
  - GET /reporting/export/all.csv (every table)  target < 10 s
  - peak memory of this process (RSS)          target < 1 GB
first with the database engine, then with DuckDB over the Parquet snapshot (whose writing is
timed too).

Run by hand (never in the test suite):
  .venv/bin/python bench/bench_reporting.py [--database-url postgres://…/lw_a_bench] [--reload]
The database is created if absent and filled once (again with --reload). Never point it at a
database you need.
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lw_a_bench"
REFERRALS, CONTACTS_PER_CASE, PCNS, PRACTICES_PER_PCN, WORKERS_PER_PCN = 1_000_000, 3, 50, 5, 10


def ensure_database(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    maintenance = url.rsplit("/", 1)[0] + "/" + os.environ.get("BENCH_MAINTENANCE_DB", "lw_a")
    with psycopg.connect(maintenance, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_REQUESTS_LEVEL", "WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)


def _filler(cursor, table: str, given: dict[str, str]) -> tuple[str, str]:
    """Column list and SELECT expressions: `given`, plus a neutral value for every other
    NOT NULL column without a default (other apps add columns; the bench should not break)."""
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = %s "
        "AND is_nullable = 'NO' AND column_default IS NULL AND column_name <> 'id'",
        [table],
    )
    neutral = {
        "boolean": "false",
        "jsonb": "'[]'::jsonb",
        "date": "current_date",
        "timestamp with time zone": "now()",
        "integer": "0",
        "bigint": "0",
        "smallint": "0",
        "double precision": "0",
    }
    columns = dict(given)
    for name, kind in cursor.fetchall():
        columns.setdefault(name, neutral.get(kind, "''"))
    return ", ".join(columns), ", ".join(columns.values())


def insert(cursor, table, given, source):
    names, values = _filler(cursor, table, given)
    cursor.execute(f"INSERT INTO {table} ({names}) SELECT {values} FROM {source}")  # noqa: S608


def fill():
    from django.db import connection

    from linkwell.accounts.models import Membership, Organisation, OrganisationKind, Role, User
    from linkwell.cases.needs import Need

    started = time.perf_counter()
    icb = Organisation.objects.create(name="Bench ICB", kind=OrganisationKind.ICB, ods_code="QXX")
    manager = User.objects.create_user("bench.manager", password=None)
    Membership.objects.create(user=manager, organisation=icb, role=Role.MANAGER)
    for p in range(PCNS):
        pcn = Organisation.objects.create(
            name=f"Bench PCN {p}", kind=OrganisationKind.PCN, ods_code=f"UB{p:04d}", parent=icb
        )
        Organisation.objects.bulk_create(
            Organisation(
                name=f"Bench practice {p}-{i}",
                kind=OrganisationKind.PRACTICE,
                ods_code=f"B{p:03d}{i}",
                parent=pcn,
            )
            for i in range(PRACTICES_PER_PCN)
        )
        for w in range(WORKERS_PER_PCN):
            worker = User.objects.create_user(f"bench.lw{p}.{w}", password=None)
            Membership.objects.create(user=worker, organisation=pcn, role=Role.LINK_WORKER)
    reasons = [f'["{code}"]' for code in Need.values]
    with connection.cursor() as c:
        c.execute(
            "CREATE TEMP TABLE pcn AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id "
            "FROM accounts_organisation WHERE kind = 'pcn'"
        )
        c.execute(
            "CREATE TEMP TABLE practice AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, "
            "id, parent_id FROM accounts_organisation WHERE kind = 'practice'"
        )
        c.execute(
            "CREATE TEMP TABLE worker AS SELECT row_number() OVER (ORDER BY u.id) - 1 AS n, "
            "u.id FROM accounts_user u JOIN accounts_membership m ON m.user_id = u.id "
            "WHERE m.role = 'link_worker'"
        )
        # Person i, referral i and case i are referred by practice i % 250 of PCN (i % 250) / 5,
        # received at a point spread over the last two years.
        series = (
            f"generate_series(0, {REFERRALS - 1}) g(i) JOIN practice pr ON pr.n = g.i % "
            f"{PCNS * PRACTICES_PER_PCN}"
        )
        insert(
            c,
            "people_person",
            {
                "organisation_id": "pr.parent_id",
                "given_name": "'Bench'",
                "family_name": "'Person' || g.i",
                "date_of_birth": "date '1930-01-01' + ((g.i::bigint * 7919) % 30000)::int",
                "sex": "CASE WHEN g.i % 2 = 0 THEN '1' ELSE '2' END",
                "ethnicity": "(ARRAY['A','A','A','B','C','H','J','K','M','N','R','S','Z'])"
                "[1 + g.i % 13]",
                "preferred_contact": "'phone'",
                "preferred_language": "'English'",
                "created_at": "now()",
                "updated_at": "now()",
            },
            series,
        )
        c.execute(
            "CREATE TEMP TABLE person AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, "
            "id FROM people_person WHERE given_name = 'Bench'"
        )
        c.execute("CREATE INDEX ON person (n)")
        received = "now() - (g.i % 730) * interval '1 day' - (g.i % 86400) * interval '1 second'"
        insert(
            c,
            "cases_referral",
            {
                "organisation_id": "pr.parent_id",
                "person_id": "p.id",
                "source": "(ARRAY['gp_practice','gp_practice','self','other_agency'])[1 + g.i % 4]",
                "referring_organisation_id": "CASE WHEN g.i % 4 < 2 THEN pr.id END",
                "reasons": f"(ARRAY[{', '.join(map(repr, reasons))}])"
                f"[1 + g.i % {len(reasons)}]::jsonb",
                "consent_given": "true",
                "urgency": "'routine'",
                "received_at": received,
            },
            f"{series} JOIN person p ON p.n = g.i",
        )
        c.execute(
            "CREATE TEMP TABLE referral AS SELECT r.id, r.person_id, r.organisation_id, "
            "r.received_at, row_number() OVER (ORDER BY r.id) - 1 AS n FROM cases_referral r"
        )
        insert(
            c,
            "cases_case",
            {
                "referral_id": "r.id",
                "person_id": "r.person_id",
                "organisation_id": "r.organisation_id",
                "link_worker_id": "w.id",
                "status": "(ARRAY['contacted','assessed','supported','discharged','declined',"
                "'received'])[1 + r.n % 6]",
                "opened_at": "r.received_at",
                "first_contact_at": "CASE WHEN r.n % 6 <> 5 THEN r.received_at + (r.n % 40) "
                "* interval '1 day' END",
                "closed_at": "CASE WHEN r.n % 6 IN (3, 4) "
                "THEN r.received_at + interval '60 days' END",
                "discharge_reason": "''",
            },
            f"referral r JOIN worker w ON w.n = r.n % {PCNS * WORKERS_PER_PCN}",
        )
        insert(
            c,
            "cases_contact",
            {
                "case_id": "k.id",
                "at": "k.opened_at + (s.j * 7) * interval '1 day'",
                "mode": "'phone'",
                "minutes": "30",
                "notes": "''",
            },
            f"cases_case k CROSS JOIN generate_series(1, {CONTACTS_PER_CASE}) s(j)",
        )
        insert(
            c,
            "cases_caseevent",
            {
                "case_id": "k.id",
                "at": "k.first_contact_at",
                "from_status": "'received'",
                "to_status": "'contacted'",
                "note": "''",
            },
            "cases_case k WHERE k.first_contact_at IS NOT NULL",
        )
        c.execute("ANALYZE")
    print(f"loaded in {time.perf_counter() - started:.0f} s")


def timings(client, url, runs):
    found = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        found.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return found


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(label, runs, query=""):
    from django.test import Client

    from linkwell.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(username="bench.manager"))
    timings(client, f"/reporting/{query}", 1)  # warm
    dashboard = sorted(timings(client, f"/reporting/{query}", runs))
    export = timings(client, f"/reporting/export/all.csv{query}", 3)
    p95 = dashboard[min(len(dashboard) - 1, round(0.95 * len(dashboard)) - 1)]
    print(
        f"{label}: dashboard p50 {statistics.median(dashboard) * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms; full CSV export {min(export):.2f}–{max(export):.2f} s; "
        f"peak RSS so far {peak_rss_mb():.0f} MB"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--reload", action="store_true")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    ensure_database(args.database_url)
    os.environ["DEBUG"] = "false"
    setup(args.database_url)
    from django.conf import settings
    from django.core.management import call_command

    from linkwell.cases.models import Referral
    from linkwell.reporting import snapshot

    settings.ALLOWED_HOSTS = ["testserver"]
    if args.reload or not Referral.objects.exists():
        call_command("flush", "--no-input", verbosity=0)
        fill()
    print(f"{Referral.objects.count():,} referrals; {os.cpu_count()} CPUs; load {os.getloadavg()}")
    measure("database engine (PostgreSQL), whole ICB", args.runs)
    from linkwell.accounts.models import Organisation

    one = Organisation.objects.filter(kind="pcn").order_by("pk").first()
    measure("database engine (PostgreSQL), one PCN", args.runs, f"?pcn={one.pk}")
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        counts = snapshot.write(directory=Path(directory) / "snapshot")
        print(
            f"snapshot written in {time.perf_counter() - started:.1f} s "
            f"({counts['cases.Contact']:,} contacts)"
        )
        settings.REPORTING_ENGINE, settings.REPORTING_SNAPSHOT_DIR = (
            "duckdb",
            Path(directory) / "snapshot",
        )
        measure("DuckDB engine (snapshot), whole ICB", args.runs)
        measure("DuckDB engine (snapshot), one PCN", args.runs, f"?pcn={one.pk}")
    print(f"peak RSS of the whole run {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
