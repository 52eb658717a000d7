"""The simulated API clients of bench_resilience.py: GP systems and link workers over HTTP.

Each request is recorded with its start and end (time.monotonic), HTTP status or transport
error, and whether its outcome was expected. A 422 is an expected answer to a contact on a
closed case or a move the lifecycle forbids; anything else unexpected is an error.
"""

import http.client
import json
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

RETRY_FOR = 15.0  # seconds past the end of the run that a client keeps retrying a referral
EXPECTED = {
    "refer": {200, 201},
    "replay": {200},
    "contact": {201, 422},
    "transition": {200, 422},
    "caseload": {200},
}
GIVEN = ["Ann", "Bilal", "Chen", "Dorota", "Efe", "Fatima", "George", "Hana"]
FAMILY = ["Ashworth", "Begum", "Coates", "Dewhirst", "Ellison", "Fairbairn", "Gledhill", "Hussain"]
TRANSITION_NOTE = "Agreed with the person."  # marks the events our transition requests made
TARGETS = ["contacted", "assessed", "supported", "discharged", "declined", "unable_to_contact"]
TARGETS += ["contacted", "assessed", "supported"]  # the normal path, more often than the exits


@dataclass
class Record:
    op: str
    start: float
    end: float
    status: int | None
    error: str = ""
    written: str = ""  # for an acknowledged write: "referral <id> <key>", "contact <id>", …


def call(port, method, path, token=None, body=None, headers=None, timeout=30.0):
    """One request on a fresh connection: (status, parsed JSON or None, transport error)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    if token:
        all_headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, json.dumps(body) if body is not None else None, all_headers)
        response = conn.getresponse()
        raw = response.read()
        try:
            payload = json.loads(raw) if raw else None
        except ValueError:
            payload = None
        return response.status, payload, ""
    except (OSError, http.client.HTTPException) as e:
        return None, None, type(e).__name__
    finally:
        conn.close()


class Client(threading.Thread):
    def __init__(self, number, port, spec, data, deadline, rng):
        super().__init__(name=f"client-{number}", daemon=True)
        self.port, self.spec, self.data, self.deadline, self.rng = port, spec, data, deadline, rng
        self.records: list[Record] = []
        self.acks: list[tuple[str, int]] = []  # (idempotency key, referral id) acknowledged
        self.contacts: list[int] = []  # ids of acknowledged contacts
        self.transitions: list[int] = []  # case ids of acknowledged status changes

    def run(self):
        ops = [self.refer, self.contact, self.transition, self.caseload]
        while time.monotonic() < self.deadline:
            self.rng.choices(ops, weights=[3, 3, 2, 3])[0]()

    def _call(self, op, method, path, token, body=None, headers=None):
        start = time.monotonic()
        status, payload, failure = call(self.port, method, path, token, body, headers)
        error = failure or ("" if status in EXPECTED[op] else f"unexpected {status}: {payload}")
        self.records.append(Record(op, start, time.monotonic(), status, error))
        if failure:
            time.sleep(0.1)  # the server is down: do not spin
        return status, payload

    def refer(self):
        rng = self.rng
        key = f"res-{uuid.UUID(int=rng.getrandbits(128)).hex}"
        nhs = rng.choice(self.data["nhs_pool"]) if rng.random() < 0.8 else ""
        body = {
            "person": {
                "given_name": rng.choice(GIVEN),
                "family_name": rng.choice(FAMILY),
                "date_of_birth": str(date(rng.randint(1935, 2004), rng.randint(1, 12), 1)),
                "nhs_number": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"
                if nhs and rng.random() < 0.5
                else nhs,
                "postcode": rng.choice(["LS1 4AP", "LS6 2QB", "BD1 1HY"]),
                "phone": f"0113 496 0{rng.randint(100, 999)}",
            },
            "reasons": rng.sample(self.data["needs"], rng.randint(1, 3)),
            "consent_given": True,
            "details": "Lives alone since a bereavement; keen to get out more.",
        }
        headers = {"Idempotency-Key": key}
        # Like a real GP system: on a dropped connection or a 5xx, send the same key again,
        # backing off exponentially (0.1 s doubling to 2 s).
        delay = 0.1
        while True:
            status, payload = self._call(
                "refer", "POST", "/api/v1/referrals", self.spec["referrer_token"], body, headers
            )
            if status in (200, 201):
                break
            if (
                status is not None and status < 500
            ) or time.monotonic() > self.deadline + RETRY_FOR:
                return
            time.sleep(delay)
            delay = min(2 * delay, 2.0)
        self.acks.append((key, payload["id"]))
        self.records[-1].written = f"referral {payload['id']} {key}"
        self.spec["cases"].append(payload["case_id"])
        if rng.random() < 0.1:  # a retry after a lost response: the same referral, 200
            status, again = self._call(
                "replay", "POST", "/api/v1/referrals", self.spec["referrer_token"], body, headers
            )
            if status == 200 and again["id"] != payload["id"]:
                self.records[-1].error = f"replay answered {again['id']}, not {payload['id']}"

    def contact(self):
        case = self.rng.choice(self.spec["cases"])
        at = datetime.now(UTC) - timedelta(minutes=self.rng.randint(1, 600))
        body = {
            "at": at.isoformat(),
            "mode": self.rng.choice(["phone", "face_to_face", "video"]),
            "minutes": self.rng.randint(5, 60),
            "notes": "Talked through local walking groups.",
        }
        status, payload = self._call(
            "contact", "POST", f"/api/v1/cases/{case}/contacts", self.spec["worker_token"], body
        )
        if status == 201:
            self.contacts.append(payload["id"])
            self.records[-1].written = f"contact {payload['id']}"

    def transition(self):
        case = self.rng.choice(self.spec["cases"])
        body = {"to": self.rng.choice(TARGETS), "note": TRANSITION_NOTE}
        path = f"/api/v1/cases/{case}/transitions"
        status, _ = self._call("transition", "POST", path, self.spec["worker_token"], body)
        if status == 200:
            self.transitions.append(case)
            self.records[-1].written = f"case {case} {body['to']}"

    def caseload(self):
        query = f"limit=20&offset={self.rng.randint(0, 60)}"
        roll = self.rng.random()
        if roll < 0.2:
            query += f"&q={self.rng.choice(self.data['nhs_pool'])}"
        elif roll < 0.4:
            query += f"&q={self.rng.choice(FAMILY)}"
        elif roll < 0.6:
            query += "&status=received"
        self._call("caseload", "GET", f"/api/v1/cases?{query}", self.spec["worker_token"])


def _at_once(port, path, tokens, bodies):
    """PUT each body with its token, released together by a barrier."""
    barrier = threading.Barrier(len(tokens))
    answers = [None] * len(tokens)

    def save(i):
        barrier.wait()
        answers[i] = call(port, "PUT", path, tokens[i], bodies[i])

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(tokens))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def run_duel(port, duel, rounds):
    """Two link workers save the same plan from the same version at once, `rounds` times."""
    path = f"/api/v1/cases/{duel['case']}"
    outcomes = []
    for n in range(rounds):
        versions = [call(port, "GET", path, t)[1]["care_plan"]["version"] for t in duel["tokens"]]
        bodies = [
            {"summary": f"Plan saved by editor {i} in round {n}.", "version": v}
            for i, v in enumerate(versions)
        ]
        answers = _at_once(port, f"{path}/care-plan", duel["tokens"], bodies)
        outcomes.append({"versions": versions, "bodies": bodies, "answers": answers})
    return outcomes
