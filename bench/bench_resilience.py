"""Reliability under load and crashes (issue 8, item 5), against a real gunicorn + PostgreSQL.

What it does, on loopback only:
  1. Recreates a dedicated database (default linkwell_resilience on 127.0.0.1:5432), migrates
     it and seeds two PCNs, their practices, link workers and referrers (each client with its
     own API tokens) and some cases, through the services.
  2. Starts gunicorn with gunicorn.conf.py and runs 50 client threads for 60 s. Each one at
     random: makes a referral (a fresh Idempotency-Key, retried with the same key after a
     connection error, as a real client would), records a contact or a status change on one
     of its PCN's cases, or reads the caseload (sometimes searching by name or NHS number).
  3. Twice, at known times, kills the gunicorn master and workers with SIGKILL and restarts
     it. A restart window runs from the kill until /healthz answers 200 again, plus 1 s.
  4. Two link workers then save the same care plan from the same version, several times:
     exactly one must win each time, the other must get 422 with the clear message.
  5. Stops the server and checks the database: every acknowledged referral is there exactly
     once (by key and by id); every case's status replays from its events along the
     lifecycle table; no error outside the restart windows; no identifier in the server log.

Run by hand (never in the test suite):
    .venv/bin/python bench/bench_resilience.py [--duration 60] [--clients 50] [--workers 3]
The database named by --database-url is dropped and recreated: never point it at one you need.
Exits 1 if any check fails. The server's JSON log is kept and its path printed.
"""

import argparse
import json
import os
import random
import secrets
import signal
import subprocess  # nosec B404 — starts our own gunicorn with an argument list
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from processes import Process  # noqa: E402
from resilience_checks import check_database, check_log  # noqa: E402
from resilience_clients import Client, call, run_duel  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linkwell_resilience"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
GRACE = 1.0  # seconds after /healthz recovers during which a failure still counts as the crash's
POSTCODES = ["LS1 4AP", "LS6 2QB", "BD1 1HY", "BD7 1DP", "LS16 6EB"]


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    if parts.hostname not in LOOPBACK:
        sys.exit(f"Refusing {parts.hostname}: this benchmark only touches a loopback database.")
    name = parts.path.lstrip("/")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(url: str, clients: int, rng: random.Random) -> dict:
    """Organisations, users, one pair of tokens per client, and cases to work on."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linkwell.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from linkwell.accounts.models import Membership, Organisation, Role, User
    from linkwell.accounts.services import create_token
    from linkwell.cases import services
    from linkwell.cases.demo import test_nhs_numbers
    from linkwell.cases.needs import Need
    from linkwell.people.services import PersonDetails

    call_command("migrate", "--no-input", verbosity=0)
    icb = Organisation.objects.create(name="Resilience ICB", kind="icb")
    numbers = test_nhs_numbers(rng)
    nhs_pool = [next(numbers) for _ in range(400)]
    pcns = []
    for p in range(2):
        pcn = Organisation.objects.create(
            name=f"Resilience PCN {p}", kind="pcn", ods_code=f"RP{p:04d}", parent=icb
        )
        workers = [User.objects.create(username=f"lw{p}-{k}") for k in range(4)]
        referrers = []
        for j in range(3):
            practice = Organisation.objects.create(
                name=f"Practice {p}-{j}", kind="practice", ods_code=f"RX{p}{j:03d}", parent=pcn
            )
            referrers.append(User.objects.create(username=f"gp{p}-{j}"))
            Membership.objects.create(user=referrers[-1], organisation=practice, role=Role.REFERRER)
        for w in workers:
            Membership.objects.create(user=w, organisation=pcn, role=Role.LINK_WORKER)
        cases = []
        for i in range(40):
            referral, _ = services.make_referral(
                person=PersonDetails(
                    given_name="Seed",
                    family_name=f"Person{p}-{i}",
                    date_of_birth="1950-01-01",
                    nhs_number=nhs_pool.pop(),
                    postcode=rng.choice(POSTCODES),
                    phone="0113 496 0000",
                ),
                reasons=["loneliness"],
                consent_given=True,
                by=referrers[i % 3],
            )
            cases.append(referral.case.pk)
        pcns.append({"workers": workers, "referrers": referrers, "cases": cases})
    duel_case = _case_with_plan(services, pcns[0]["workers"][0], pcns[0]["cases"].pop(0))
    client_specs = []
    for i in range(clients):
        pcn = pcns[i % 2]
        client_specs.append(
            {
                "referrer_token": create_token(user=pcn["referrers"][i // 2 % 3]),
                "worker_token": create_token(user=pcn["workers"][i // 2 % 4]),
                "cases": pcn["cases"],  # shared by the PCN's clients, so they contend
            }
        )
    a, b = pcns[0]["workers"][:2]
    return {
        "clients": client_specs,
        "nhs_pool": nhs_pool,
        "needs": list(Need.values),
        "duel": {"case": duel_case, "tokens": [create_token(user=a), create_token(user=b)]},
    }


def _case_with_plan(services, worker, case_id):
    from linkwell.cases.models import Case

    case = Case.objects.get(pk=case_id)
    services.transition(case=case, to="contacted", by=worker)
    services.transition(case=case, to="assessed", by=worker)
    services.agree_care_plan(case=case, summary="Walking group on Tuesdays.", by=worker)
    return case_id


class Server(Process):
    """Our gunicorn, in its own process group so a SIGKILL takes the master and every worker."""

    def __init__(self, port: int, env: dict, log_path: Path):
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        command = [gunicorn, "-c", str(ROOT / "gunicorn.conf.py")]
        help_text = subprocess.run([gunicorn, "--help"], capture_output=True, text=True).stdout  # noqa: S603
        if "--no-control-socket" in help_text:
            command.append("--no-control-socket")  # never touch ~/.gunicorn
        super().__init__(command, env, log_path)
        self.port = port

    def wait_healthy(self, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see its log")
            if call(self.port, "GET", "/healthz", timeout=2)[0] == 200:
                return time.monotonic()
            time.sleep(0.05)
        raise RuntimeError("the server did not answer /healthz within a minute")

    def _group(self) -> list[int]:
        pids = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.getpgid(int(entry.name)) == self.proc.pid:
                        pids.append(int(entry.name))
                except ProcessLookupError:
                    pass
        return pids

    def kill(self) -> int:
        """SIGKILL the master and its workers at once; returns how many processes died."""
        victims = self._group()
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        deadline = time.monotonic() + 5
        while self._group() and time.monotonic() < deadline:
            time.sleep(0.05)
        if self._group():
            raise RuntimeError("gunicorn workers survived SIGKILL")
        return len(victims)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=35)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker (gthread)")
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--restart-delay", type=float, default=1.0, help="seconds down per kill")
    parser.add_argument("--duel-rounds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    fresh_database(args.database_url)
    t = time.monotonic()
    data = seed(args.database_url, args.clients, rng)
    print(f"seeded in {time.monotonic() - t:.1f} s")
    log_path = Path(tempfile.mkdtemp(prefix="linkwell-resilience-")) / "server.log"
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "LINKWELL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "DELIVERY_KEYS": Fernet.generate_key().decode(),  # queued text is sealed in production
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",  # no TLS proxy in front on loopback
        "GUNICORN_BIND": f"127.0.0.1:{args.port}",
        "WEB_CONCURRENCY": str(args.workers),
        "GUNICORN_THREADS": str(args.threads),
    }
    server = Server(args.port, env, log_path)
    windows, killed = [], []
    try:
        server.start()
        server.wait_healthy()
        start = time.monotonic()
        deadline = start + args.duration
        clients = [
            Client(i, args.port, spec, data, deadline, random.Random(args.seed * 1000 + i))
            for i, spec in enumerate(data["clients"])
        ]
        for c in clients:
            c.start()
        for k in range(args.kills):
            time.sleep(
                max(0.0, start + args.duration * (k + 1) / (args.kills + 1) - time.monotonic())
            )
            down_at = time.monotonic()
            killed.append(server.kill())
            time.sleep(args.restart_delay)
            server.start()
            up_at = server.wait_healthy()
            windows.append((down_at, up_at + GRACE))
            back = up_at - down_at
            print(f"crash {k + 1}: SIGKILL at {down_at - start:.1f} s, healthy after {back:.2f} s")
        for c in clients:
            c.join()
        elapsed = time.monotonic() - start
        duel = run_duel(args.port, data["duel"], args.duel_rounds)
    finally:
        server.stop()

    records = [r for c in clients for r in c.records]
    writes = {
        "referrals": [a for c in clients for a in c.acks],
        "contacts": [i for c in clients for i in c.contacts],
        "transitions": [i for c in clients for i in c.transitions],
    }
    db = check_database(writes, data["duel"], duel)
    with (log_path.parent / "requests.jsonl").open("w") as out:
        for r in sorted(records, key=lambda r: r.start):
            out.write(json.dumps({**asdict(r), "start": r.start - start, "end": r.end - start}))
            out.write("\n")
    log = check_log(log_path, data["nhs_pool"], POSTCODES)

    def inside(r) -> bool:  # the request overlaps a restart window
        return any(r.start <= end and r.end >= begin for begin, end in windows)

    errors_in = [r for r in records if r.error and inside(r)]
    errors_out = [r for r in records if r.error and not inside(r)]
    answered = [r for r in records if r.status is not None]
    latencies = [r.end - r.start for r in answered]

    print(
        f"\n{len(records):,} requests from {args.clients} clients in {elapsed:.1f} s "
        f"({args.workers} workers × {args.threads} threads, PostgreSQL)"
    )
    p50, p95 = (percentile(latencies, q) * 1000 for q in (0.5, 0.95))
    steady = [r.end - r.start for r in answered if not inside(r)]
    s50, s95 = (percentile(steady, q) * 1000 for q in (0.5, 0.95))
    print(
        f"throughput {len(answered) / elapsed:.1f} answered req/s; latency p50 {p50:.1f} ms, "
        f"p95 {p95:.1f} ms (outside restart windows: p50 {s50:.1f} ms, p95 {s95:.1f} ms)"
    )
    print(
        f"{'operation':<12}{'sent':>8}{'2xx':>8}{'422':>8}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
    )
    for op in sorted({r.op for r in records}):
        rs = [r for r in records if r.op == op]
        lat = [r.end - r.start for r in rs if r.status is not None]
        print(
            f"{op:<12}{len(rs):>8}{sum(200 <= (r.status or 0) < 300 for r in rs):>8}"
            f"{sum(r.status == 422 for r in rs):>8}{sum(bool(r.error) for r in rs):>8}"
            f"{percentile(lat, 0.5) * 1000:>9.1f}{percentile(lat, 0.95) * 1000:>9.1f}"
        )
    survived = len(windows)
    print(f"crashes survived: {survived} of {args.kills} (processes killed each time: {killed})")
    print(f"errors inside restart windows: {len(errors_in)}; outside: {len(errors_out)}")
    for r in errors_out[:10]:
        print(f"  outside: {r.op} at {r.start - start:.2f} s: {r.status} {r.error}")
    for line in db["lines"] + log["lines"]:
        print(line)
    print(f"server log: {log_path}; every request: {log_path.parent / 'requests.jsonl'}")
    ok = survived == args.kills and not errors_out and not db["problems"] and not log["problems"]
    print("RESULT:", "all checks passed" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
