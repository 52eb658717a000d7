"""Ranking directory services for one person, with the reasons for each place.

Two steps. SQL narrows 100,000 services to the few hundred that could fit: live, the person's
age within the service's range (an ineligible service never shows), within a bounding box
around the person (indexed latitude/longitude) or online, and — when the person has needs —
serving at least one of them. Python then scores those candidates from their match columns and
says why, in the words a link worker would use: "2.1 km away", "Open Tuesday mornings", "Free".

Weights (points): each matching need 30, nearness up to 25 (falling to 0 at the search radius),
open when the person can go 15, free 10, the way they want to take part 10, their language 10,
the access they need 10. An unverified (stale) service keeps its place but is flagged.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Q

from . import taxonomy
from .models import Service, ServiceAtLocation, stale_before
from .profile import ACCESS_LABELS, PARTS, slot, slot_label

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG), for the haversine distance
ONLINE_CANDIDATES = 200


@dataclass(frozen=True)
class Person:
    """What matching needs to know about someone; nothing that identifies them."""

    age: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    needs: frozenset = frozenset()
    available: int = 0  # slot bits (profile.slot); 0 = any time
    language: str = "english"
    access: int = 0  # profile access flags they need
    mode: str = "any"  # "in_person" | "online" | "any"
    free_only: bool = False
    radius_km: float = 10.0


@dataclass
class Match:
    service_id: str
    name: str
    organisation: str
    score: float
    distance_km: float | None
    reasons: list[str] = field(default_factory=list)
    stale: bool = False


FIELDS = (
    "id",
    "name",
    "organisation__name",
    "need_mask",
    "open_slots",
    "is_free",
    "in_person",
    "online",
    "language_names",
    "access_flags",
    "last_verified",
)


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat, lon, radius_km):
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)


def _eligible(person: Person, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}status": "active", f"{prefix}retired_at__isnull": True})
    if person.age is not None:
        q &= Q(**{f"{prefix}minimum_age__isnull": True}) | Q(
            **{f"{prefix}minimum_age__lte": person.age}
        )
        q &= Q(**{f"{prefix}maximum_age__isnull": True}) | Q(
            **{f"{prefix}maximum_age__gte": person.age}
        )
    if person.free_only:
        q &= Q(**{f"{prefix}is_free": True})
    return q


def candidates(person: Person) -> dict[str, dict]:
    """Service id → its match columns (+ the nearest location's distance), from SQL."""
    wanted = taxonomy.mask(person.needs)
    found: dict[str, dict] = {}
    if person.latitude is not None and person.mode != "online":
        (lat_lo, lat_hi), (lon_lo, lon_hi) = bounding_box(
            person.latitude, person.longitude, person.radius_km
        )
        near = ServiceAtLocation.objects.filter(
            _eligible(person, "service__"),
            location__latitude__range=(lat_lo, lat_hi),
            location__longitude__range=(lon_lo, lon_hi),
        )
        if wanted:
            near = near.alias(hit=F("service__need_mask").bitand(wanted)).filter(hit__gt=0)
        for row in near.values(
            *(f"service__{f}" for f in FIELDS), "location__latitude", "location__longitude"
        ):
            distance = haversine_km(
                person.latitude,
                person.longitude,
                row["location__latitude"],
                row["location__longitude"],
            )
            if distance > person.radius_km:
                continue
            sid = row["service__id"]
            if sid not in found or distance < found[sid]["distance_km"]:
                found[sid] = {f: row[f"service__{f}"] for f in FIELDS} | {"distance_km": distance}
    if person.mode != "in_person":
        online = Service.objects.filter(_eligible(person), online=True)
        if wanted:
            online = online.alias(hit=F("need_mask").bitand(wanted)).filter(hit__gt=0)
        for row in online.order_by(F("last_verified").desc(nulls_last=True), "id").values(*FIELDS)[
            :ONLINE_CANDIDATES
        ]:
            found.setdefault(row["id"], row | {"distance_km": None})
    return found


def score(person: Person, row: dict, stale_since: date, *, explain: bool = True) -> Match:
    """Points for one candidate; with `explain`, the reasons too (only the shown few need them)."""
    points, reasons = 0.0, []
    say = reasons.append if explain else _silent
    served = row["need_mask"] & taxonomy.mask(person.needs)
    if served:
        points += 30 * bin(served).count("1")
        if explain:
            say("Matches: " + ", ".join(n.label.lower() for n in taxonomy.needs_in(served)))
    distance = row["distance_km"]
    if distance is not None:
        points += 25 * max(0.0, 1 - distance / person.radius_km)
        if explain:
            say(f"{distance:.1f} km away")
    if row["online"]:
        say("Online or by phone")
    open_now = row["open_slots"] & person.available if person.available else 0
    if open_now:
        points += 15
        if explain:
            say("Open " + _slots_text(open_now))
    elif person.available and row["open_slots"]:
        say("Not open when they are free")
    if row["is_free"]:
        points += 10
        say("Free")
    elif row["is_free"] is False:
        say("Costs money")
    if (person.mode == "online" and row["online"]) or (
        person.mode == "in_person" and row["in_person"]
    ):
        points += 10
    if person.language != "english" and person.language in (row["language_names"] or "").split("|"):
        points += 10
        say(f"In {person.language.title()}")
    if person.access:
        met = row["access_flags"] & person.access
        if met:
            points += 10 * bin(met).count("1") / bin(person.access).count("1")
            reasons.extend(label for flag, label in ACCESS_LABELS.items() if met & flag)
        else:
            say("Access needs not confirmed")
    stale = row["last_verified"] is None or row["last_verified"] < stale_since
    if stale:
        say("Not checked recently")
    return Match(
        service_id=row["id"],
        name=row["name"],
        organisation=row["organisation__name"] or "",
        score=round(points, 1),
        distance_km=None if distance is None else round(distance, 1),
        reasons=reasons,
        stale=stale,
    )


def _silent(reason: str) -> None:
    pass


def _slots_text(bits: int) -> str:
    labels = [
        slot_label(day, part)
        for day in range(7)
        for part in range(len(PARTS))
        if bits & slot(day, part)
    ]
    return ", ".join(labels[:3]) + (" and more" if len(labels) > 3 else "")


def rank(person: Person, *, limit: int = 20) -> list[Match]:
    """The best `limit` services for this person, best first, each with its reasons."""
    stale_since = stale_before()
    rows = candidates(person)
    ranked = [score(person, row, stale_since, explain=False) for row in rows.values()]
    ranked.sort(
        key=lambda m: (-m.score, m.distance_km if m.distance_km is not None else 1e9, m.name)
    )
    return [score(person, rows[m.service_id], stale_since) for m in ranked[:limit]]
