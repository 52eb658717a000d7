"""Directory rows → ORUK records, for export and the /oruk/ API."""

from django.db.models import Prefetch, QuerySet

from . import oruk
from .models import Attribute, Service, ServiceAtLocation


def with_children(services: QuerySet) -> QuerySet:
    """Everything a full service record needs, in a fixed number of queries."""
    return services.select_related("organisation").prefetch_related(
        *(accessor for _, accessor in oruk.SERVICE_CHILDREN.values()),
        Prefetch(
            "at_locations",
            queryset=ServiceAtLocation.objects.select_related("location").prefetch_related(
                "location__addresses", "location__accessibility"
            ),
        ),
        Prefetch(
            "attributes",
            queryset=Attribute.objects.select_related("taxonomy_term__taxonomy_detail"),
        ),
    )


def organisation_record(organisation) -> dict:
    return oruk.ORGANISATION.write(organisation)


def taxonomy_record(taxonomy) -> dict:
    return oruk.TAXONOMY.write(taxonomy)


def term_record(term) -> dict:
    record = oruk.TERM.write(term)
    if term.taxonomy_detail_id:
        record["taxonomy_detail"] = taxonomy_record(term.taxonomy_detail)
    return record


def location_record(location) -> dict:
    record = oruk.LOCATION.write(location)
    for key, (entity, accessor) in oruk.LOCATION_CHILDREN.items():
        rows = list(getattr(location, accessor).all())
        if rows:
            record[key] = [entity.write(r) for r in rows]
    return record


def service_record(service: Service, *, full: bool = True) -> dict:
    """The ORUK service: one-to-one fields and its organisation, and with `full` every child."""
    record = oruk.SERVICE.write(service)
    if service.organisation_id:
        record["organization_id"] = service.organisation_id  # kept through import → export
        record["organization"] = organisation_record(service.organisation)
    if not full:
        return record
    for key, (entity, accessor) in oruk.SERVICE_CHILDREN.items():
        rows = sorted(getattr(service, accessor).all(), key=lambda r: r.pk)
        if rows:
            record[key] = [entity.write(r) for r in rows]
    at_locations = sorted(service.at_locations.all(), key=lambda r: r.pk)
    if at_locations:
        record["service_at_locations"] = [
            {**oruk.SERVICE_AT_LOCATION.write(sal), "location": location_record(sal.location)}
            for sal in at_locations
        ]
    attributes = sorted(service.attributes.all(), key=lambda r: r.pk)
    if attributes:
        record["attributes"] = [
            {**oruk.ATTRIBUTE.write(a), "taxonomy_term": term_record(a.taxonomy_term)}
            for a in attributes
        ]
    return record
