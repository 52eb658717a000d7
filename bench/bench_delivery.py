"""Delivery under faults (issue 17's "Done when"): nothing lost, nothing sent twice.

What it does, on loopback only:
  1. Recreates a dedicated database (default linkwell_delivery on 127.0.0.1:5432), loads the
     demo (whose discharged GP referrals queue messages back for MESH) and queues a text to
     every demo person with a mobile number, through `linkwell.delivery.services.queue`.
  2. Starts the local GOV.UK Notify server (tests/delivery/notify_server.py: the real
     `notifications-python-client` talks to it) and `linkwell worker` as a separate process.
     NHS England's mesh-sandbox is down for the first part of the run.
  3. During the run: Notify answers a 429 or a 500 to some sends (`--fault-rate`, per
     request), the worker is killed with SIGKILL `--kills` times and restarted, the
     mesh-sandbox is started late, then killed and restarted; `linkwell delivery send-due`
     runs every 2 s, as cron would.
  4. When every message has left (or `--timeout` passes), checks that each text reached Notify
     exactly once (by our reference), each message back is in its practice's MESH inbox
     exactly once (by Mex-LocalID), and that none failed.

Retries are shortened for the drill (DELIVERY_RETRY_SECONDS=1, at most 4 s; a dead worker's
claim is stale after 5 s); production waits minutes.

Run by hand (never in the test suite):
    .venv/bin/python bench/bench_delivery.py [--kills 2] [--fault-rate 0.3]
The database named by --database-url is dropped and recreated: never point it at one you need.
Exits 1 if any check fails.
"""

import argparse
import os
import random
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_resilience import fresh_database  # noqa: E402
from processes import Process  # noqa: E402

from scripts import run_mesh_sandbox  # noqa: E402
from tests.delivery.notify_server import NotifyServer  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/linkwell_delivery"
NOTIFY = "linkwell.delivery.notify.NotifyBackend"
PRACTICES = ["Y91001", "Y91002", "Y91003", "Y92001", "Y92002", "Y92003"]  # the demo's


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def configure(url: str, notify: NotifyServer, mesh_port: int) -> dict:
    """The environment this process and the worker share."""
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "linkwell.settings",
        "LOG_REQUESTS_LEVEL": "WARNING",
        "DELIVERY_KEYS": Fernet.generate_key().decode(),
        "DELIVERY_RETRY_SECONDS": "1",
        "DELIVERY_RETRY_MAX_SECONDS": "4",
        "DELIVERY_MAX_ATTEMPTS": "200",
        "DELIVERY_CLAIM_SECONDS": "5",
        "NOTIFY_API_KEY": notify.api_key,
        "NOTIFY_BASE_URL": notify.url,
        "NOTIFY_TEMPLATE_TEXT": str(uuid.uuid4()),
        "TEXT_BACKEND": NOTIFY,
        "MESH_URL": f"http://127.0.0.1:{mesh_port}",
        "MESH_MAILBOX": run_mesh_sandbox.LINKWELL_MAILBOX,
        "MESH_PASSWORD": run_mesh_sandbox.PASSWORD,
        "MESH_SHARED_KEY": run_mesh_sandbox.SHARED_KEY,
        "MESH_TIMEOUT_SECONDS": "5",
    }
    os.environ.update(env)
    return {**os.environ, **env}


def seed() -> dict[str, int]:
    import django

    django.setup()
    from django.core.management import call_command

    from linkwell.cases.models import Case
    from linkwell.delivery import services
    from linkwell.delivery.models import Delivery

    call_command("migrate", "--no-input", verbosity=0)
    call_command("demo", verbosity=0)
    for case in Case.objects.select_related("person").exclude(person__phone=""):
        services.queue(
            key=f"drill-text-{case.pk}",
            what="check-in",
            channel="text",
            to=case.person.phone,
            case=case,
            body="Did you get to the group? Reply 1 for yes, 2 for no.",
        )
    return dict(Counter(Delivery.objects.values_list("channel", flat=True)))


def inject_faults(notify: NotifyServer, rate: float, stop: threading.Event, rng) -> Counter:
    """After a request, with probability `rate`, the next send is answered 429 (rate limit) or
    500 (Notify's own error)."""
    injected = Counter()

    def run():
        seen = 0
        while not stop.wait(0.01):
            if notify.requests == seen or notify.faults_pending():
                continue
            seen = notify.requests
            if rng.random() < rate:
                status = rng.choice([429, 500])
                notify.fail_next(status)
                injected[status] += 1

    threading.Thread(target=run, daemon=True).start()
    return injected


def outstanding() -> Counter:
    from linkwell.delivery.models import Delivery, Status

    return Counter(
        Delivery.objects.exclude(status__in=[Status.SENT, Status.DELIVERED]).values_list(
            "status", flat=True
        )
    )


def in_mesh_inboxes(url: str) -> Counter:
    """How many times each of our references (Mex-LocalID) is in a practice's inbox."""
    from mesh_client import MeshClient

    found = Counter()
    for code in PRACTICES:
        mailbox = run_mesh_sandbox.practice_mailbox(code)
        key = run_mesh_sandbox.SHARED_KEY.encode()
        with MeshClient(url, mailbox, run_mesh_sandbox.PASSWORD, shared_key=key) as gp:
            for message_id in gp.list_messages():
                found[gp.retrieve_message(message_id).mex_header("localid")] += 1
    return found


def drill(args, worker: Process, sandbox: Process, send_due, rng) -> tuple[bool, float, list]:
    """The worker runs while the faults happen on their timetable; send-due every 2 s. Returns
    whether everything left, how long it took and what happened when."""
    start = time.monotonic()
    events = []
    worker.start()
    plan = [(rng.uniform(2, 20), "kill worker") for _ in range(args.kills)]
    plan += [(args.mesh_late, "start MESH"), (args.mesh_late + 6, "kill MESH")]
    plan += [(args.mesh_late + 9, "start MESH")]
    plan.sort()
    while time.monotonic() - start < args.timeout:
        now = time.monotonic() - start
        while plan and plan[0][0] <= now:
            _, action = plan.pop(0)
            events.append(f"{now:5.1f} s {action}")
            if action == "kill worker":
                worker.kill()
                time.sleep(0.5)
                worker.start()
            elif action == "kill MESH":
                sandbox.kill()
            else:
                sandbox.start()
        send_due()
        if not plan and not outstanding():
            return True, time.monotonic() - start, events
        time.sleep(2)
    return False, time.monotonic() - start, events


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--fault-rate", type=float, default=0.3, help="per request")
    parser.add_argument("--mesh-late", type=float, default=8, help="seconds MESH is down first")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    rng = random.Random(17)

    work = Path(tempfile.mkdtemp(prefix="linkwell-delivery-"))
    notify = NotifyServer(service_id=str(uuid.uuid4()), secret=str(uuid.uuid4()))
    mesh_port = free_port()
    env = configure(args.database_url, notify, mesh_port)
    fresh_database(args.database_url)
    queued = seed()
    print(f"queued: {queued} (PostgreSQL); logs in {work}")

    from linkwell.delivery.models import Delivery
    from linkwell.delivery.services import send_due

    linkwell = str(Path(sys.executable).with_name("linkwell"))
    worker = Process([linkwell, "worker", "--interval", "0.2"], env, work / "worker.log")
    run_mesh_sandbox.prepare(work / "mesh", PRACTICES)
    mesh_args, mesh_env = run_mesh_sandbox.command(work / "mesh", mesh_port)
    sandbox = Process(mesh_args, mesh_env, work / "mesh.log")

    stop = threading.Event()
    injected = inject_faults(notify, args.fault_rate, stop, rng)
    try:
        done, elapsed, events = drill(args, worker, sandbox, send_due, rng)
    finally:
        stop.set()
        worker.kill()
    try:
        at_notify = Counter(n.get("reference") for n in notify.sent)
        at_mesh = in_mesh_inboxes(env["MESH_URL"])
    finally:
        sandbox.kill()
        notify.stop()

    texts = Delivery.objects.filter(channel="text")
    mesh = Delivery.objects.filter(channel="mesh")
    text_refs = set(texts.values_list("reference", flat=True))
    mesh_refs = set(mesh.values_list("reference", flat=True))
    attempts = Counter(Delivery.objects.values_list("attempts", flat=True))
    checks = {
        "every message left within the timeout": done,
        "no message failed": not Delivery.objects.filter(status="failed").exists(),
        "every text reached Notify": text_refs <= set(at_notify),
        "no text reached Notify twice": max(at_notify.values(), default=0) == 1,
        "Notify holds nothing we did not send": set(at_notify) <= text_refs,
        "every message back is in its practice's inbox": mesh_refs <= set(at_mesh),
        "no message back arrived twice": max(at_mesh.values(), default=0) == 1,
    }
    print("\n".join(events))
    print(
        f"drained in {elapsed:.1f} s: {texts.count()} texts, {mesh.count()} messages back; "
        f"Notify answered {injected[429]} × 429 and {injected[500]} × 500 ({notify.requests} "
        f"requests in all); attempts per message {dict(sorted(attempts.items()))}"
    )
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
