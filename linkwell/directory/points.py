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


def refresh(service_ids, *, replace=None) -> None:
    """Remake the points of these services; `replace`: those that may have points already
    (default: all of them)."""
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
    rows = []
    for values in Service.objects.filter(id__in=service_ids).values(
        "id", "status", "retired_at", *COPIED
    ):
        sid = values.pop("id")
        live = values.pop("status") == "active" and values.pop("retired_at") is None
        common = {"service_id": sid, "live": live, **values}
        for lat, lon in sorted(places.get(sid, ())):
            rows.append(writing.Row(MatchPoint, {**common, "latitude": lat, "longitude": lon}))
        if values["online"]:
            rows.append(writing.Row(MatchPoint, {**common, "latitude": None, "longitude": None}))
    writing.insert(MatchPoint, rows)
