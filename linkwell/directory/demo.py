"""A realistic, synthetic directory for the demo PCNs: `linkwell demo` loads it.

Every service here is made up (names end "(demo)"); places are near the middles of the demo
PCNs' postcode districts. The records are ORUK JSON and go through the real importer, so the
demo exercises validation and the match columns exactly as a council's feed would.
`service_records` also generates the national directory for bench/bench_directory.py.
"""

import random
import uuid
from datetime import timedelta

from django.utils import timezone

from linkwell.accounts.models import Membership, Organisation, OrganisationKind, Role, User
from linkwell.cases.demo import DEMO_PASSWORD

from . import taxonomy
from .importing import import_records
from .models import DirectoryOrganisation

NAMESPACE = uuid.UUID("6f0c6c1e-3f7d-4d53-9a55-3c1b0f1e2d11")

# Approximate district middles (see linkwell/geo/fixtures/SOURCE.md: approximate, not ONSPD).
AREAS = {
    "Leeds": [
        ("Headingley", "LS6", 53.8210, -1.5770),
        ("Burley", "LS4", 53.8110, -1.5850),
        ("Kirkstall", "LS5", 53.8215, -1.6020),
        ("Adel", "LS16", 53.8530, -1.5960),
    ],
    "Bradford": [
        ("City Centre", "BD1", 53.7935, -1.7530),
        ("Barkerend", "BD3", 53.7990, -1.7290),
        ("Little Horton", "BD5", 53.7790, -1.7550),
        ("Great Horton", "BD7", 53.7800, -1.7770),
        ("Heaton", "BD9", 53.8090, -1.7820),
    ],
}
# term code → service name patterns
KINDS = {
    "gardening": ["{place} Community Garden", "Grow Together {place}", "{place} Allotment Club"],
    "walking": ["{place} Health Walks", "Striders {place} Walking Group", "Buggy Walks {place}"],
    "befriending": ["{place} Befriending Service", "Good Neighbours {place}", "Phone Friends"],
    "social-groups": ["{place} Lunch Club", "Men's Shed {place}", "Coffee Morning at {place}"],
    "debt-advice": ["{place} Money Advice", "Debt Help {place}", "Budgeting Drop-in {place}"],
    "food-bank": ["{place} Food Bank", "{place} Community Pantry", "Fareshare Café {place}"],
    "housing-advice": ["{place} Housing Advice", "Tenancy Support {place}"],
    "carers-support": ["{place} Carers' Café", "Carers Resource {place}"],
    "arts": ["{place} Arts on Prescription", "Singing for Wellbeing {place}", "Crafty {place}"],
    "volunteering": ["Volunteer Centre {place}", "{place} Park Volunteers"],
    "employment-support": ["{place} Jobs Club", "Skills for Work {place}"],
    "bereavement": ["{place} Bereavement Café", "Cruse Drop-in {place}"],
    "energy-advice": ["Warm Homes {place}", "{place} Energy Advice"],
    "digital-skills": ["Get Online {place}", "{place} Digital Drop-in"],
    "wellbeing": ["{place} Wellbeing Group", "Talking Space {place}"],
}
LANGUAGES = {"Leeds": ["Polish", "Arabic"], "Bradford": ["Urdu", "Punjabi", "Polish", "Bengali"]}
ACCESS = [
    "Step-free access throughout; accessible toilet.",
    "Wheelchair accessible; hearing loop at reception.",
    "Two steps at the entrance; no lift.",
]
ELIGIBILITY = [(None, None, "")] * 6 + [
    (18, None, "Adults"),
    (60, None, "People aged 60 and over"),
    (16, 25, "Young people aged 16 to 25"),
]
PROVIDERS = {  # linked to the cases demo's provider organisations, with a user each
    "walking": ("Ridings Walking Group", "provider.walking", "Wendy", "Hall"),
    "debt-advice": ("Citizens Advice (demo)", "provider.advice", "Adam", "Price"),
    "befriending": ("Good Neighbours Befriending", "provider.befriending", "Bea", "Lamb"),
}


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(map(str, parts))))


def _term(code: str) -> dict:
    name = taxonomy.TERMS[code][0]
    return {
        "id": taxonomy.term_id(code),
        "code": code,
        "name": name,
        "description": f"{name} ({', '.join(n.label for n in taxonomy.TERMS[code][1])}).",
        "taxonomy": taxonomy.TAXONOMY_NAME,
        "taxonomy_detail": {
            "id": taxonomy.TAXONOMY_ID,
            "name": taxonomy.TAXONOMY_NAME,
            "description": "Linkwell's social prescribing needs and activities.",
            "version": "1",
        },
    }


def service_record(rng: random.Random, n: int, town: str, place, code: str, today) -> dict:
    """One synthetic ORUK service record near `place` (name, district, lat, lon)."""
    area, district, lat, lon = place
    sid = _id("service", n)
    name = rng.choice(KINDS[code]).format(place=area)
    online = rng.random() < 0.15
    opens = rng.choice([9, 10, 13, 14, 18])
    days = rng.sample(["MO", "TU", "WE", "TH", "FR", "SA"], k=rng.choice([1, 1, 2, 3]))
    low, high, who = rng.choice(ELIGIBILITY)
    free = rng.random() < 0.8
    org = PROVIDERS.get(code, (f"{name} Trust (demo)",))[0] if rng.random() < 0.3 else None
    org = org or f"{area} Community Association (demo)"
    record = {
        "id": sid,
        "name": f"{name} (demo)",
        "description": f"Synthetic demo service: {taxonomy.TERMS[code][0].lower()} in {area}, "
        f"{town}. {who + '. ' if who else ''}Friendly, informal and open to newcomers.",
        "email": f"hello@{code}.{district.lower()}.example",
        "url": f"https://{code}-{district.lower()}.example",
        "status": "active",
        "fees": "Free" if free else f"£{rng.choice([2, 3, 5])} a session; ask about concessions",
        "assured_date": (
            today - timedelta(days=rng.choice([10, 40, 90, 150, 200, 400]))
        ).isoformat(),
        "organization": {"id": _id("org", org), "name": org, "description": "Synthetic demo."},
        "schedules": [
            {
                "id": _id("schedule", n),
                "freq": "WEEKLY",
                "byday": ",".join(days),
                "opens_at": f"{opens:02d}:00",
                "closes_at": f"{opens + 2:02d}:00",
                "description": f"Weekly, {opens:02d}:00 to {opens + 2:02d}:00",
                "attending_type": "Online by video call" if online else "In person",
            }
        ],
        "cost_options": [
            {"id": _id("cost", n), "option": "Per session", "amount": 0 if free else 3}
        ],
        "languages": [{"id": _id("lang", n, 0), "name": "English", "code": "en"}],
        "contacts": [{"id": _id("contact", n), "name": "Duty coordinator", "title": "Coordinator"}],
        "phones": [{"id": _id("phone", n), "number": f"0113 496 {n % 10000:04d}"}],
        "attributes": [{"id": _id("attribute", n), "taxonomy_term": _term(code)}],
    }
    if low is not None:
        record["minimum_age"] = low
    if high is not None:
        record["maximum_age"] = high
    if rng.random() < 0.3:
        language = rng.choice(LANGUAGES.get(town, LANGUAGES["Bradford"]))
        record["languages"].append({"id": _id("lang", n, 1), "name": language})
    if not online:
        record["service_at_locations"] = [
            {
                "id": _id("sal", n),
                "location": {
                    "id": _id("location", n),
                    "location_type": "physical",
                    "name": f"{area} Community Centre",
                    "latitude": round(lat + rng.uniform(-0.015, 0.015), 6),
                    "longitude": round(lon + rng.uniform(-0.025, 0.025), 6),
                    "addresses": [
                        {
                            "id": _id("address", n),
                            "address_1": f"{rng.randint(1, 200)} {area} Road",
                            "city": town,
                            "state_province": "West Yorkshire",
                            "postal_code": f"{district} {rng.randint(1, 9)}ZZ",
                            "country": "GB",
                            "address_type": "physical",
                        }
                    ],
                    "accessibility": [{"id": _id("access", n), "description": rng.choice(ACCESS)}],
                },
            }
        ]
    return record


def service_records(rng: random.Random, count: int, places=None):
    """`count` synthetic services spread over `places` ({town: [(area, district, lat, lon)]})."""
    places = places or AREAS
    today = timezone.localdate()
    towns = list(places)
    for n in range(count):
        town = towns[n % len(towns)]
        yield service_record(rng, n, town, rng.choice(places[town]), rng.choice(list(KINDS)), today)


def _link_providers() -> int:
    users = 0
    for name, username, first, last in PROVIDERS.values():
        account = Organisation.objects.filter(name=name, kind=OrganisationKind.PROVIDER).first()
        if account is None:
            continue
        DirectoryOrganisation.objects.filter(id=_id("org", name)).update(account=account)
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(
                username, password=DEMO_PASSWORD, first_name=first, last_name=last
            )
            Membership.objects.create(user=user, organisation=account, role=Role.PROVIDER)
            users += 1
    return users


def load(*, seed: int) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 — synthetic demo data, not security
    result = import_records(records=service_records(rng, 320), label="demo directory")
    return {"services": result.created, "provider users": _link_providers()}
