"""Ranking directory services for one person, with the reasons for each place.

Two steps. SQL narrows 100,000 services to the few hundred that could fit: live, the person's
age within the service's range (an ineligible service never shows), within a bounding box
around the person or online, and — when the person has needs — serving at least one of them.
It reads MatchPoint (one narrow row per place a service runs at, indexed on latitude and
longitude), so that step is two index range scans with no joins. Python then scores those
candidates and says why, in the words a link worker would use: "2.1 km away", "Open Tuesday
mornings", "Free" — building the words only for the few shown.

Weights (points): each matching need 30, nearness up to 25 (falling to 0 at the search radius),
open when the person can go 15, free 10, the way they want to take part 10, their language 10,
the access they need 10. An unverified (stale) service keeps its place but is flagged.
"""

import math
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from django.db.models import F, Q, QuerySet

from . import taxonomy
from .models import MatchPoint, Service, stale_before
from .points import COPIED
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

    @cached_property
    def need_mask(self) -> int:  # once, not once per candidate scored
        return taxonomy.mask(self.needs)


@dataclass
class Match:
    service_id: str
    name: str
    organisation: str
    score: float
    distance_km: float | None
    reasons: list[str] = field(default_factory=list)
    stale: bool = False


# The match columns the ranking reads (ages are filtered in SQL, so not fetched).
FIELDS = tuple(c for c in COPIED if c not in ("minimum_age", "maximum_age"))


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def bounding_box(lat, lon, radius_km):
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return (lat - dlat, lat + dlat), (lon - dlon, lon + dlon)


def _eligible(person: Person) -> Q:
    q = Q(live=True)
    if person.age is not None:
        q &= Q(minimum_age__isnull=True) | Q(minimum_age__lte=person.age)
        q &= Q(maximum_age__isnull=True) | Q(maximum_age__gte=person.age)
    if person.free_only:
        q &= Q(is_free=True)
    return q


def _serving(points, person: Person):
    wanted = person.need_mask
    if not wanted:
        return points
    return points.alias(hit=F("need_mask").bitand(wanted)).filter(hit__gt=0)


def candidates(person: Person) -> dict[str, dict]:
    """Service id → its match columns and distance to its nearest place (None: online only).

    Two index range scans of MatchPoint, no joins: places in the bounding box, and online
    services (the most recently verified ONLINE_CANDIDATES of them)."""
    found: dict[str, dict] = {}
    columns = ("service_id", "latitude", "longitude", *FIELDS)
    if person.latitude is not None and person.mode != "online":
        (lat_lo, lat_hi), (lon_lo, lon_hi) = bounding_box(
            person.latitude, person.longitude, person.radius_km
        )
        near = _serving(
            MatchPoint.objects.filter(
                _eligible(person),
                latitude__range=(lat_lo, lat_hi),
                longitude__range=(lon_lo, lon_hi),
            ),
            person,
        )
        for values in near.values_list(*columns):
            row = dict(zip(columns, values, strict=True))
            row["distance_km"] = haversine_km(
                person.latitude, person.longitude, row["latitude"], row["longitude"]
            )
            if row["distance_km"] > person.radius_km:
                continue
            sid = row["service_id"]
            if sid not in found or row["distance_km"] < found[sid]["distance_km"]:
                found[sid] = row
    if person.mode != "in_person":
        for values in _online(person, columns):
            row = dict(zip(columns, values, strict=True))
            found.setdefault(row["service_id"], row | {"distance_km": None})
    return found


def _online(person: Person, columns) -> list:
    """The ONLINE_CANDIDATES most recently verified online services that fit, then any never
    verified: read in the order of the index `matchpoint_online_recent`. (Never-verified ones
    are asked for apart because PostgreSQL and SQLite put NULL at opposite ends of an index.)"""
    online = _serving(MatchPoint.objects.filter(_eligible(person), remote=True), person)
    verified = list(
        online.filter(last_verified__isnull=False)
        .order_by("-last_verified", "service_id")
        .values_list(*columns)[:ONLINE_CANDIDATES]
    )
    if len(verified) == ONLINE_CANDIDATES:
        return verified
    never = online.filter(last_verified__isnull=True).order_by("service_id")
    return verified + list(never.values_list(*columns)[: ONLINE_CANDIDATES - len(verified)])


def score(person: Person, row: dict, stale_since: date, *, explain: bool = True) -> Match:
    """Points for one candidate; with `explain`, the reasons too (only the shown few need them)."""
    points, reasons = 0.0, []
    say = reasons.append if explain else _silent
    served = row["need_mask"] & person.need_mask
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
        service_id=row["service_id"],
        name=row.get("name", ""),
        organisation=row.get("organisation", ""),
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
    return rank_page(person, limit=limit)[0]


def rank_page(
    person: Person, *, offset: int = 0, limit: int = 20, among: QuerySet | None = None
) -> tuple[list[Match], int]:
    """One page of the services for this person, best first, each with its reasons, and how
    many there are in all. `among` (Services, e.g. a text search) narrows the candidates:
    it is asked only about the few hundred that fit, never the whole directory."""
    stale_since = stale_before()
    rows = candidates(person)
    if among is not None:
        kept = set(among.filter(id__in=list(rows)).values_list("id", flat=True))
        rows = {sid: row for sid, row in rows.items() if sid in kept}
    ranked = [score(person, row, stale_since, explain=False) for row in rows.values()]
    ranked.sort(
        key=lambda m: (-m.score, m.distance_km if m.distance_km is not None else 1e9, m.service_id)
    )
    top = [rows[m.service_id] for m in ranked[offset : offset + limit]]
    names = {
        sid: (name, organisation or "")
        for sid, name, organisation in Service.objects.filter(
            id__in=[row["service_id"] for row in top]
        ).values_list("id", "name", "organisation__name")
    }
    for row in top:
        row["name"], row["organisation"] = names[row["service_id"]]
    return [score(person, row, stale_since) for row in top], len(ranked)
