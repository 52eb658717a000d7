"""Outcome measures: scoring speed, the case page with a long history, recording, the cohort report.

Times, in this process through Django's full request stack:
  - scoring alone (the pure core): SWEMWBS scores per second
  - GET /cases/{id}/ for a case with 3 measures × 12 administrations     target p95 < 150 ms
  - POST /api/v1/cases/{id}/measures                                     target p95 < 50 ms
  - the cohort change over 2,000 people with a baseline and a follow-up  target < 1 s

Run by hand (never in the test suite):
  .venv/bin/python bench/bench_outcomes.py [--database-url URL]
The database (default: a new SQLite file under /tmp) is emptied and refilled. Never point it at
a database you need.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench_caseload import setup  # noqa: E402 — the same fresh, migrated database


def timed(fn, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20)[18]


def main() -> None:
    parser = argparse.ArgumentParser()
    default = f"sqlite:///{tempfile.gettempdir()}/linkwell_bench_outcomes.sqlite3"
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", default))
    args = parser.parse_args()

    from linkwell.outcomes.instruments import score

    answers = [3, 4, 2, 5, 3, 3, 4]
    start = time.perf_counter()
    for _ in range(100_000):
        score("swemwbs", answers)
    per_second = 100_000 / (time.perf_counter() - start)
    print(f"scoring: {per_second:,.0f} SWEMWBS scores/s")

    setup(args.database_url)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from linkwell.accounts.models import Role
    from linkwell.accounts.services import create_token
    from linkwell.cases.models import Case, Referral
    from linkwell.outcomes.models import Administration
    from linkwell.outcomes.queries import cohort_change
    from linkwell.outcomes.services import record_administration
    from tests.factories import PracticeFactory, make_case, user_with_role

    rng = random.Random(5)
    practice = PracticeFactory()
    worker = user_with_role(Role.LINK_WORKER, practice.parent)
    manager = user_with_role(Role.MANAGER, practice.parent)
    case = make_case(practice=practice, by=worker)
    Case.objects.filter(pk=case.pk).update(opened_at=timezone.now() - timedelta(days=400))
    Referral.objects.filter(pk=case.referral_id).update(
        received_at=timezone.now() - timedelta(days=400)
    )
    for instrument, n, values in (("swemwbs", 7, 5), ("ucla3", 3, 3), ("ons4", 4, 10)):
        for i in range(12):
            record_administration(
                case=case,
                instrument=instrument,
                answers=[rng.randint(1, values) for _ in range(n)],
                timepoint="baseline" if i == 0 else "follow_up",
                mode="phone",
                by=worker,
                administered_at=timezone.now() - timedelta(days=360 - 30 * i),
            )
    client = Client(SERVER_NAME="localhost")
    client.force_login(worker)
    url = f"/cases/{case.pk}/"
    assert client.get(url).status_code == 200
    # Counted by an execute wrapper: Django clears its own query log as each request starts.
    queries = []
    with connection.execute_wrapper(lambda run, sql, *a: queries.append(sql) or run(sql, *a)):
        client.get(url)
    page = timed(lambda: client.get(url), 60)
    print(
        f"case page, 36 measures: p50 {statistics.median(page):.1f} ms, p95 {p95(page):.1f} ms, "
        f"{len(queries)} queries"
    )

    fresh = make_case(practice=practice, by=worker)
    token = create_token(user=worker)
    record_administration(
        case=fresh,
        instrument="swemwbs",
        answers=[2] * 7,
        timepoint="baseline",
        mode="phone",
        by=worker,
    )
    body = '{"instrument": "swemwbs", "timepoint": "follow_up", "answers": [3,3,3,3,3,3,3]}'
    post = timed(
        lambda: client.post(
            f"/api/v1/cases/{fresh.pk}/measures",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        ),
        60,
    )
    print(f"POST measure: p50 {statistics.median(post):.1f} ms, p95 {p95(post):.1f} ms")

    people = [make_case(practice=practice, by=worker) for _ in range(2000)]
    Administration.objects.bulk_create(
        Administration(
            case=c,
            instrument="swemwbs",
            timepoint=timepoint,
            answers=[],
            raw=0,
            score=value,
            measures={"score": value},
            mode="phone",
            administered_at=timezone.now() - timedelta(days=days),
        )
        for c in people
        for timepoint, value, days in (
            ("baseline", rng.uniform(12, 26), 90),
            ("follow_up", rng.uniform(14, 29), 10),
        )
    )
    start = time.perf_counter()
    result = cohort_change(manager, instrument="swemwbs")
    took = (time.perf_counter() - start) * 1000
    print(f"cohort change, {result.n} people: {took:.0f} ms (mean change {result.mean_change:.2f})")


if __name__ == "__main__":
    main()
