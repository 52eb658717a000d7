"""Searching the directory (the search page and the ORUK API): text, need, term, place."""

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet

from . import taxonomy
from .matching import bounding_box, haversine_km
from .models import Attribute, MatchPoint, Service

MAX_NEARBY = 5000  # services ranked by distance in one search; a wider search should narrow


@dataclass
class Found:
    services: list  # Service rows for this page, with .distance_km when searched by place
    total: int


def filtered(
    *, text: str = "", need: str = "", term_id: str = "", taxonomy_id: str = "", org_id: str = ""
) -> QuerySet:
    services = Service.objects.live().select_related("organisation")
    for word in (text or "").split()[:5]:
        # Each word in the name, the description or a taxonomy term ("befriending").
        termed = Attribute.objects.filter(
            service=OuterRef("pk"), taxonomy_term__name__icontains=word
        )
        services = services.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Exists(termed)
        )
    if need:
        services = services.alias(hit=F("need_mask").bitand(taxonomy.mask([need]))).filter(
            hit__gt=0
        )
    if term_id:
        services = services.filter(attributes__taxonomy_term_id=term_id)
    if taxonomy_id:
        services = services.filter(
            Q(attributes__taxonomy_term__taxonomy_detail_id=taxonomy_id)
            | Q(attributes__taxonomy_term__taxonomy=taxonomy_id)
        ).distinct()
    if org_id:
        services = services.filter(organisation_id=org_id)
    return services


def search(services: QuerySet, *, place=None, radius_km: float = 5.0, offset=0, limit=20):
    """One page of `services`: by distance from `place` within the radius, else by name."""
    if place is None:
        return Found(
            list(services.order_by("name", "id")[offset : offset + limit]), services.count()
        )
    (lat_lo, lat_hi), (lon_lo, lon_hi) = bounding_box(place.latitude, place.longitude, radius_km)
    nearest: dict[str, float] = {}
    # The places in range first (an index range scan), then the other filters on those only.
    points = MatchPoint.objects.filter(
        live=True, latitude__range=(lat_lo, lat_hi), longitude__range=(lon_lo, lon_hi)
    ).values_list("service_id", "latitude", "longitude")[:MAX_NEARBY]
    for sid, lat, lon in points:
        distance = haversine_km(place.latitude, place.longitude, lat, lon)
        if distance <= radius_km and distance < nearest.get(sid, float("inf")):
            nearest[sid] = distance
    if nearest:
        kept = set(services.filter(id__in=list(nearest)).values_list("id", flat=True))
        nearest = {sid: d for sid, d in nearest.items() if sid in kept}
    ordered = sorted(nearest, key=lambda sid: (nearest[sid], sid))[offset : offset + limit]
    page = Service.objects.select_related("organisation").in_bulk(ordered)
    found = []
    for sid in ordered:
        service = page[sid]
        service.distance_km = round(nearest[sid], 1)
        found.append(service)
    return Found(found, len(nearest))
