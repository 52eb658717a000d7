"""Keeping MatchPoint rows in step with the services they are derived from.

Called after every write that can change what ranking sees (import, edit, confirm, retire):
the points of those services are deleted and made again from Service and its locations.
"""

from . import writing
from .models import MatchPoint, Service, ServiceAtLocation

COPIED = [
    "minimum_age",
    "maximum_age",
    "need_mask",
    "open_slots",
    "is_free",
    "in_person",
    "online",
    "language_names",
    "access_flags",
    "last_verified",
]


def rows_for(service: dict, places) -> list:
    """A service's points. `service`: its id, status, retired_at and the COPIED columns;
    `places`: the (latitude, longitude) of each place it runs at."""
    common = {
        "service_id": service["id"],
        "live": service.get("status") == "active" and service.get("retired_at") is None,
        **{column: service.get(column) for column in COPIED},
    }
    rows = [
        writing.Row(MatchPoint, {**common, "latitude": lat, "longitude": lon, "remote": False})
        for lat, lon in sorted(places)
    ]
    if common["online"]:
        rows.append(
            writing.Row(MatchPoint, {**common, "latitude": None, "longitude": None, "remote": True})
        )
    return rows


def refresh(service_ids, *, replace=None) -> None:
    """Remake the points of these services from the database; `replace`: those that may have
    points already (default: all of them)."""
    service_ids = list(service_ids)
    if not service_ids:
        return
    replace = service_ids if replace is None else list(replace)
    if replace:
        MatchPoint.objects.filter(service_id__in=replace).delete()
    places: dict[str, set] = {}
    for sid, lat, lon in ServiceAtLocation.objects.filter(
        service_id__in=service_ids, location__latitude__isnull=False
    ).values_list("service_id", "location__latitude", "location__longitude"):
        places.setdefault(sid, set()).add((lat, lon))
    services = Service.objects.filter(id__in=service_ids).values(
        "id", "status", "retired_at", *COPIED
    )
    writing.insert(
        MatchPoint, [row for s in services for row in rows_for(s, places.get(s["id"], ()))]
    )
