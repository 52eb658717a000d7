"""Caseload, referral list and referral creation at scale (issue 2's performance targets).

Loads 100,000 cases across 500 link workers (50 PCNs × 10) into a dedicated database, then
times requests through Django's full request stack in this process and counts their queries:
  - GET /caseload/ (the link worker's home page)          target p95 < 100 ms
  - GET /api/v1/referrals?limit=50 (referral list API)     target p95 < 100 ms
  - POST /api/v1/referrals (create, with Idempotency-Key)  target p95 < 50 ms

Run by hand (never in the test suite): `make bench`, or
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/linkwell_bench \
    .venv/bin/python bench/bench_caseload.py
The database named in DATABASE_URL (default: linkwell_bench on the local PostgreSQL) is emptied
and refilled; on PostgreSQL it is created if absent. Never point it at a database you need.
`--reuse` keeps a database an earlier run filled (for profiling one change after another).
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linkwell_bench"


def ensure_database(url: str) -> None:
    import dj_database_url

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    import psycopg

    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def setup(url: str, reuse: bool) -> bool:
    """Django set up on `url`, migrated; True when it still holds an earlier run's cases."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("LOG_REQUESTS_LEVEL", "WARNING")  # figures, not a line per request
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--no-input", verbosity=0)
    from linkwell.cases.models import Case

    if reuse and Case.objects.exists():
        return True
    call_command("flush", "--no-input", verbosity=0)
    return False


def load(cases_total: int, pcns_total: int, workers_per_pcn: int, seed: int = 1):
    from django.utils import timezone

    from linkwell.accounts.models import Membership, Organisation, Role, User
    from linkwell.cases.lifecycle import Status
    from linkwell.cases.models import Case, CaseEvent, Referral, Task
    from linkwell.people.models import Person

    rng = random.Random(seed)
    now = timezone.now()
    icb = Organisation.objects.create(name="Bench ICB", kind="icb")
    pcns = Organisation.objects.bulk_create(
        [
            Organisation(name=f"PCN {i}", kind="pcn", ods_code=f"U{i:05d}", parent=icb)
            for i in range(pcns_total)
        ]
    )
    practices = Organisation.objects.bulk_create(
        [
            Organisation(
                name=f"Practice {p.pk}-{j}", kind="practice", ods_code=f"P{p.pk:04d}{j}", parent=p
            )
            for p in pcns
            for j in range(5)
        ]
    )
    by_pcn = {p.pk: [pr for pr in practices if pr.parent_id == p.pk] for p in pcns}
    # One precomputed hash for every bench user: argon2 per user would dominate the load time.
    template = User(username="template")
    template.set_password("bench-password-123")
    workers = User.objects.bulk_create(
        [
            User(username=f"lw{p.pk}-{k}", password=template.password)
            for p in pcns
            for k in range(workers_per_pcn)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=w, organisation=pcns[i // workers_per_pcn], role=Role.LINK_WORKER)
            for i, w in enumerate(workers)
        ]
    )
    referrers = User.objects.bulk_create(
        [User(username=f"gp{pr.pk}", password=template.password) for pr in practices]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, organisation=pr, role=Role.REFERRER)
            for u, pr in zip(referrers, practices, strict=True)
        ]
    )
    statuses = (
        [Status.RECEIVED] * 10
        + [Status.CONTACTED] * 10
        + [Status.ASSESSED] * 10
        + [Status.SUPPORTED] * 30
        + [Status.DISCHARGED] * 35
        + [Status.DECLINED] * 5
    )
    batch = 5000
    for start in range(0, cases_total, batch):
        n = min(batch, cases_total - start)
        pcn_for = [pcns[(start + i) % pcns_total] for i in range(n)]
        people = Person.objects.bulk_create(
            [
                Person(
                    organisation=pcn,
                    given_name=f"Given{start + i}",
                    family_name=f"Family{(start + i) % 9973}",
                    date_of_birth=date(1940 + (i % 60), 1 + i % 12, 1 + i % 28),
                    postcode="LS1 4AP",
                    phone="07700 900000",
                )
                for i, pcn in enumerate(pcn_for)
            ]
        )
        opened = [
            now - timedelta(days=rng.randint(0, 700), minutes=rng.randint(0, 1440))
            for _ in range(n)
        ]
        referrals = Referral.objects.bulk_create(
            [
                Referral(
                    organisation=pcn,
                    person=person,
                    source="gp_practice",
                    referring_organisation=rng.choice(by_pcn[pcn.pk]),
                    reasons=["loneliness"],
                    consent_given=True,
                    received_at=at,
                )
                for pcn, person, at in zip(pcn_for, people, opened, strict=True)
            ]
        )
        cases = Case.objects.bulk_create(
            [
                Case(
                    referral=r,
                    person=r.person,
                    organisation=r.organisation,
                    status=rng.choice(statuses),
                    opened_at=r.received_at,
                    link_worker=workers[
                        pcns.index(r.organisation) * workers_per_pcn
                        + rng.randrange(workers_per_pcn)
                    ],
                )
                for r in referrals
            ]
        )
        CaseEvent.objects.bulk_create(
            [CaseEvent(case=c, at=c.opened_at, to_status=c.status) for c in cases]
        )
        Task.objects.bulk_create(
            [
                Task(
                    case=c,
                    organisation=c.organisation,
                    title="Follow-up call",
                    due_on=(now + timedelta(days=rng.randint(-20, 30))).date(),
                    assigned_to=c.link_worker,
                )
                for c in cases
                if c.status in (Status.CONTACTED, Status.ASSESSED, Status.SUPPORTED)
            ]
        )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return workers, referrers


def loaded():
    """The link workers and referrers `load` made, in the order it made them."""
    from linkwell.accounts.models import User

    by_pk = User.objects.order_by("pk")
    return list(by_pk.filter(username__startswith="lw")), list(
        by_pk.filter(username__startswith="gp")
    )


def measure(label, fn, repeat):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm up
    times, queries = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            t0 = time.perf_counter()
            response = fn()
            times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code in (200, 201), (
            label,
            response.status_code,
            response.content[:300],
        )
        queries.append(len(ctx.captured_queries))
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{label:<34} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   "
        f"queries/request {min(queries)}–{max(queries)}   (n={repeat})"
    )
    return p95


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--pcns", type=int, default=50)
    parser.add_argument("--workers-per-pcn", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="keep an earlier run's cases")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    reused = setup(url, args.reuse)

    from django.db import connection
    from django.test import Client

    from linkwell.accounts.services import create_token
    from linkwell.write_guard import allowed

    t0 = time.perf_counter()
    if reused:
        workers, referrers = loaded()
        print(f"{connection.vendor}: reusing the cases an earlier run loaded")
    else:
        with allowed("benchmark seeding: 100,000 rows in bulk, not one service call each"):
            workers, referrers = load(args.cases, args.pcns, args.workers_per_pcn)
        print(
            f"{connection.vendor}: loaded {args.cases:,} cases, {len(workers)} link workers "
            f"in {time.perf_counter() - t0:.0f} s"
        )

    rng = random.Random(2)
    client = Client(HTTP_HOST="localhost")
    worker = workers[0]
    client.force_login(worker)
    token = create_token(user=worker)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    referrer = referrers[0]
    ref_auth = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=referrer)}"}
    counter = iter(range(10**9))

    def create():
        i = next(counter)
        body = {
            "person": {
                "given_name": "Bench",
                "family_name": f"Person{i}",
                "date_of_birth": "1960-01-01",
                "postcode": "LS1 4AP",
                "phone": "07700 900000",
            },
            "reasons": ["loneliness"],
            "consent_given": True,
        }
        return client.post(
            "/api/v1/referrals",
            body,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=f"bench-{i}-{rng.random()}",
            **ref_auth,
        )

    results = {
        "caseload page": measure("GET /caseload/", lambda: client.get("/caseload/"), args.repeat),
        "referral list": measure(
            "GET /api/v1/referrals?limit=50",
            lambda: client.get("/api/v1/referrals?limit=50", **auth),
            args.repeat,
        ),
        "create": measure("POST /api/v1/referrals", create, args.repeat),
    }
    targets = {"caseload page": 100, "referral list": 100, "create": 50}
    for name, p95 in results.items():
        verdict = "meets" if p95 < targets[name] else "MISSES"
        print(f"{name}: p95 {p95:.1f} ms {verdict} the {targets[name]} ms target")


if __name__ == "__main__":
    main()
