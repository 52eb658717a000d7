"""The service directory at national scale (issue 3's performance targets).

Generates 100,000 synthetic ORUK services around 120 English towns (the demo generator, so the
records are valid ORUK), then on each database:
  - `linkwell directory import FILE` in a fresh process: wall time and peak memory
                                                     target < 60 s, < 1 GB
  - matching for one person (LS6, two needs, Tuesday mornings), once warm   target p95 < 20 ms
  - the baseline: every live service from a plain ORM query, scored and sorted in Python
  - GET /oruk/services?postcode=LS6 1AB&proximity=5000                   target p95 < 100 ms

Run by hand (never in the test suite):
  .venv/bin/python bench/bench_directory.py            # SQLite, then PostgreSQL
  .venv/bin/python bench/bench_directory.py --engine sqlite --services 20000
The databases (var/bench_directory.sqlite3; linkwell_bench_directory on the local PostgreSQL,
or BENCH_POSTGRES_URL) are emptied and refilled. Never point them at a database you need.
"""

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
POSTGRES = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/linkwell_bench_directory"
)
SQLITE = f"sqlite:///{ROOT / 'var' / 'bench_directory.sqlite3'}"


def towns(rng: random.Random) -> dict:
    """Leeds and Bradford (the demo areas) and 118 made-up towns across England."""
    from linkwell.directory.demo import AREAS

    places = dict(AREAS)
    for t in range(118):
        lat, lon = rng.uniform(50.6, 54.9), rng.uniform(-3.2, 0.4)
        places[f"Town {t}"] = [
            (
                f"Ward {t}.{a}",
                f"ZZ{t}",
                lat + rng.uniform(-0.05, 0.05),
                lon + rng.uniform(-0.08, 0.08),
            )
            for a in range(4)
        ]
    return places


def generate(path: Path, count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    import django

    django.setup()  # the demo generator's module imports models; no database is touched
    from linkwell.directory.demo import service_records

    rng = random.Random(2026)
    with open(path, "w") as f:
        f.write("[")
        for i, record in enumerate(service_records(rng, count, towns(rng))):
            f.write(",\n" if i else "\n")
            f.write(json.dumps(record))
        f.write("\n]\n")


def reset(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    if url.startswith("sqlite"):
        Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
    else:
        import psycopg

        admin, name = url.rsplit("/", 1)
        with psycopg.connect(admin + "/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    linkwell = [sys.executable, "-m", "linkwell"]
    subprocess.run([*linkwell, "migrate", "-v0"], env=env, check=True)  # noqa: S603
    sample = ROOT / "linkwell" / "geo" / "fixtures" / "onspd_demo_sample.csv"
    subprocess.run([*linkwell, "geo", "import", str(sample)], env=env, check=True)  # noqa: S603


def timed_import(url: str, path: Path) -> tuple[float, float]:
    """Wall seconds and peak resident MB of `linkwell directory import` in its own process."""
    env = {**os.environ, "DATABASE_URL": url}
    code = (
        "import resource, sys; from linkwell.__main__ import main; "
        f"main(['linkwell', 'directory', 'import', {str(path)!r}]); "
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)"
    )
    start = time.perf_counter()
    done = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    print("   ", done.stdout.strip())
    return wall, int(done.stderr.strip().splitlines()[-1]) / 1024


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def measure(url: str, runs: int) -> dict:
    """Runs in a child process with DATABASE_URL set, so Django reads it at start-up."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    from django.db import connection, reset_queries
    from django.test import Client

    from linkwell.cases.needs import Need
    from linkwell.directory import matching, taxonomy
    from linkwell.directory.models import Service, ServiceAtLocation, stale_before
    from linkwell.directory.profile import slot
    from linkwell.geo.postcodes import locate

    place = locate("LS6 1AB")
    person = matching.Person(
        age=72,
        latitude=place.latitude,
        longitude=place.longitude,
        needs=frozenset({Need.LONELINESS, Need.PHYSICAL_ACTIVITY}),
        available=slot(1, 0),
    )
    candidates = len(matching.candidates(person))
    times = []
    for _ in range(runs + 20):
        start = time.perf_counter()
        matching.rank(person)
        times.append((time.perf_counter() - start) * 1000)
    match = percentiles(times[20:])

    def baseline():
        # Plain ORM: every live service with every place, filtered, scored and sorted in Python.
        wanted = taxonomy.mask(person.needs)
        rows = {}
        for row in ServiceAtLocation.objects.filter(
            service__status="active", service__retired_at__isnull=True
        ).values(
            "service_id",
            "service__minimum_age",
            "service__maximum_age",
            *(f"service__{f}" for f in matching.FIELDS),
            "location__latitude",
            "location__longitude",
        ):
            low, high = row["service__minimum_age"], row["service__maximum_age"]
            if (low is not None and low > person.age) or (high is not None and high < person.age):
                continue
            if not row["service__need_mask"] & wanted:
                continue
            d = matching.haversine_km(
                place.latitude,
                place.longitude,
                row["location__latitude"],
                row["location__longitude"],
            )
            if d <= person.radius_km and d < rows.get(row["service_id"], {}).get(
                "distance_km", 1e9
            ):
                rows[row["service_id"]] = {f: row[f"service__{f}"] for f in matching.FIELDS} | {
                    "service_id": row["service_id"],
                    "distance_km": d,
                }
        since = stale_before()
        scored = [matching.score(person, r, since) for r in rows.values()]
        return sorted(scored, key=lambda m: -m.score)[:20]

    base_times = []
    for _ in range(5):
        start = time.perf_counter()
        baseline()
        base_times.append((time.perf_counter() - start) * 1000)

    client = Client()
    api = []
    url_path = "/oruk/services?postcode=LS6%201AB&proximity=5000&per_page=50"
    assert client.get(url_path).status_code == 200
    connection.force_debug_cursor = True
    reset_queries()
    client.get(url_path)
    queries = len(connection.queries)
    connection.force_debug_cursor = False
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url_path)
        api.append((time.perf_counter() - start) * 1000)
    total = response.json()["total_items"]
    return {
        "services": Service.objects.count(),
        "candidates": candidates,
        "match_p50": match[0],
        "match_p95": match[1],
        "baseline_median": statistics.median(base_times),
        "api_p50": percentiles(api)[0],
        "api_p95": percentiles(api)[1],
        "api_queries": queries,
        "api_total": total,
    }


def run_engine(name: str, url: str, path: Path, runs: int) -> None:
    print(f"== {name}")
    reset(url)
    load = os.getloadavg()[0]
    wall, peak = timed_import(url, path)
    print(
        f"   import: {wall:.1f} s, peak {peak:.0f} MB (target < 60 s, < 1 GB); "
        f"1-minute load {load:.2f} before, {os.getloadavg()[0]:.2f} after (2 cores)"
    )
    child = subprocess.run(  # noqa: S603 — our own interpreter and arguments
        [sys.executable, __file__, "--measure", url, "--runs", str(runs)],
        check=True,
        capture_output=True,
        text=True,
    )
    m = json.loads(child.stdout.strip().splitlines()[-1])
    print(
        f"   {m['services']} services; {m['candidates']} candidates for the LS6 person\n"
        f"   matching: p50 {m['match_p50']:.1f} ms, p95 {m['match_p95']:.1f} ms (target < 20 ms)\n"
        f"   baseline (plain ORM + Python sort): median {m['baseline_median']:.0f} ms "
        f"→ {m['baseline_median'] / m['match_p50']:.0f}× the two-step ranking's median\n"
        f"   /oruk/services?proximity=5000: p50 {m['api_p50']:.1f} ms, p95 {m['api_p95']:.1f} ms, "
        f"{m['api_queries']} queries, {m['api_total']} services in range (target p95 < 100 ms)"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=100_000)
    parser.add_argument("--engine", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "directory.json"
        start = time.perf_counter()
        generate(path, args.services)
        size = path.stat().st_size / 1e6
        took = time.perf_counter() - start
        print(f"Generated {args.services} services ({size:.0f} MB) in {took:.0f} s")
        if args.engine in ("sqlite", "both"):
            (ROOT / "var").mkdir(exist_ok=True)
            run_engine("SQLite", SQLITE, path, args.runs)
        if args.engine in ("postgres", "both"):
            run_engine("PostgreSQL", POSTGRES, path, args.runs)
    print(
        f"(bench process peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)"
    )


if __name__ == "__main__":
    main()
