"""ORUK service records for tests, loaded through the real importer."""

import itertools
import uuid

from linkwell.directory import taxonomy
from linkwell.directory.importing import import_records

_n = itertools.count()

# Demo geo sample: LS6 1AB is at about (53.82, -1.58).
HOME = (53.8210, -1.5770)


def term(code: str) -> dict:
    return {
        "id": taxonomy.term_id(code),
        "code": code,
        "name": taxonomy.TERMS[code][0],
        "description": taxonomy.TERMS[code][0],
    }


def record(
    *,
    name=None,
    terms=("befriending",),
    at=HOME,
    online=False,
    byday="TU",
    opens="10:00",
    closes="12:00",
    amount=0,
    minimum_age=None,
    maximum_age=None,
    languages=("English",),
    access="",
    assured_date="2099-01-01",
    **extra,
) -> dict:
    n = next(_n)
    sid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-service-{n}"))
    data = {
        "id": sid,
        "name": name or f"Service {n}",
        "description": "A test service.",
        "status": "active",
        "assured_date": assured_date,
        "organization": {"id": f"org-{n}", "name": f"Organisation {n}", "description": "Test."},
        "schedules": [
            {
                "id": f"sch-{n}",
                "freq": "WEEKLY",
                "byday": byday,
                "opens_at": opens,
                "closes_at": closes,
                "attending_type": "Online" if online else "In person",
            }
        ],
        "cost_options": [{"id": f"cost-{n}", "amount": amount}],
        "languages": [{"id": f"lang-{n}-{i}", "name": lang} for i, lang in enumerate(languages)],
        "attributes": [
            {"id": f"attr-{n}-{i}", "taxonomy_term": term(code)} for i, code in enumerate(terms)
        ],
        **extra,
    }
    if minimum_age is not None:
        data["minimum_age"] = minimum_age
    if maximum_age is not None:
        data["maximum_age"] = maximum_age
    if at is not None and not online:
        data["service_at_locations"] = [
            {
                "id": f"sal-{n}",
                "location": {
                    "id": f"loc-{n}",
                    "location_type": "physical",
                    "name": "Hall",
                    "latitude": at[0],
                    "longitude": at[1],
                    "accessibility": [{"id": f"acc-{n}", "description": access}] if access else [],
                },
            }
        ]
    return data


def load(*records):
    import_records(records=list(records), label="test")
    return records
