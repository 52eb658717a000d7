"""Onward referrals at scale: the provider portal, FHIR referrals in, Task reads, reminders.

Loads cases with bench_caseload.load (default 20,000 over 5 PCNs), 50 directory services of one
provider organisation and 20,000 connections (a provider sees ~400 open ones), then times
requests through Django's full stack in this process:
  - GET /provider/ (the provider's phone page, every open referral)   target p95 < 200 ms
  - POST /fhir/ (a Gravity-style transaction Bundle → referral + Task)  target p95 < 100 ms
  - GET /fhir/Task?based-on=ServiceRequest/ID (the GP's poll)          target p95 < 50 ms
  - linkwell reminders send-due over every connection (one run)        target < 5 s

Run by hand (never in the test suite):
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/linkwell_bench \
    .venv/bin/python bench/bench_connections.py
The database named in DATABASE_URL is emptied and refilled. Never point it at one you need.
"""

import argparse
import json
import os
import random
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_caseload import DEFAULT_URL, ensure_database, load, measure, setup  # noqa: E402


def connect_all(total: int, seed: int = 3):
    from django.utils import timezone

    from linkwell.accounts.models import Membership, Organisation, Role, User
    from linkwell.cases.models import Case
    from linkwell.connections.lifecycle import Status
    from linkwell.connections.models import Connection, ConnectionEvent
    from linkwell.directory.models import DirectoryOrganisation, Service

    rng = random.Random(seed)
    account = Organisation.objects.create(name="Bench Walkers", kind="provider")
    template = User(username="template")
    template.set_password("bench-password-123")
    volunteer = User.objects.create(username="volunteer", password=template.password)
    Membership.objects.create(user=volunteer, organisation=account, role=Role.PROVIDER)
    mine = DirectoryOrganisation.objects.create(id="bench-mine", name="Mine", account=account)
    other = DirectoryOrganisation.objects.create(id="bench-other", name="Others")
    services = Service.objects.bulk_create(
        [
            Service(id=f"bench-{i}", name=f"Service {i}", organisation=mine if i < 5 else other)
            for i in range(50)
        ]
    )
    now = timezone.now()
    statuses = [Status.SENT] * 3 + [Status.ACCEPTED] * 2 + [Status.ATTENDED, Status.COMPLETED] * 2
    case_ids = list(Case.objects.values_list("pk", flat=True)[:total])
    connections = Connection.objects.bulk_create(
        [
            Connection(
                case_id=case_id,
                service=rng.choice(services),
                status=rng.choice(statuses),
                shared_details=["name", "phone"],
                created_at=now - timedelta(days=rng.randint(0, 60)),
                status_changed_at=now - timedelta(days=rng.randint(0, 30)),
            )
            for case_id in case_ids
        ]
    )
    ConnectionEvent.objects.bulk_create(
        [
            ConnectionEvent(connection=c, at=c.created_at, via="bench", to_status=c.status)
            for c in connections
        ]
    )
    return volunteer


def bundle() -> dict:
    patient = {
        "resourceType": "Patient",
        "name": [{"family": "Bench", "given": ["Ada"]}],
        "birthDate": "1950-02-03",
        "telecom": [{"system": "phone", "value": "07700 900123"}],
    }
    request = {
        "resourceType": "ServiceRequest",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "urn:uuid:00000000-0000-4000-8000-000000000001"},
        "reasonCode": [{"coding": [{"system": "urn:linkwell:need", "code": "loneliness"}]}],
    }
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000001", "resource": patient},
            {"fullUrl": "urn:uuid:00000000-0000-4000-8000-000000000002", "resource": request},
        ],
    }


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=100)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    ensure_database(url)
    setup(url)

    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from linkwell.accounts.services import create_token
    from linkwell.cases.models import Referral
    from linkwell.connections.reminders import send_due
    from linkwell.write_guard import allowed

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    t0 = time.perf_counter()
    with allowed("benchmark seeding: rows in bulk, not one service call each"):
        _, referrers = load(args.cases, 5, 2)
        volunteer = connect_all(args.cases)
    print(
        f"{connection.vendor}: loaded {args.cases:,} cases and connections in "
        f"{time.perf_counter() - t0:.0f} s"
    )

    portal = Client(HTTP_HOST="localhost")
    portal.force_login(volunteer)
    gp = {"HTTP_AUTHORIZATION": f"Bearer {create_token(user=referrers[0])}"}
    api = Client(HTTP_HOST="localhost")
    body = json.dumps(bundle())
    referral_id = (
        Referral.objects.filter(referring_organisation__memberships__user=referrers[0]).first().pk
    )

    measure("GET /provider/", lambda: portal.get("/provider/"), args.repeat)
    measure(
        "POST /fhir/ (transaction Bundle)",
        lambda: api.post("/fhir/", body, content_type="application/fhir+json", **gp),
        args.repeat,
    )
    measure(
        "GET /fhir/Task?based-on=…",
        lambda: api.get(f"/fhir/Task?based-on=ServiceRequest/{referral_id}", **gp),
        args.repeat,
    )
    t0 = time.perf_counter()
    counts = send_due()
    print(f"reminders send-due: {time.perf_counter() - t0:.2f} s, {counts}")


if __name__ == "__main__":
    main()
