"""The Open Referral UK read API under /oruk/: services, service at locations, organisations
and taxonomies, each as a page and one by id.

Paths, parameters and the page shape follow the ORUK profile's OpenAPI description
(OpenReferralUK/uk-profile schema/openapi.json, parameters in components.parameters):
GET /services (search, page, per_page, taxonomy_term_id, taxonomy_id, organization_id,
modified_after, minimum_age, maximum_age, day, start_time, end_time, minimal, full, format,
postcode or lat/long with proximity in metres), GET /services/{id} (the full service),
/service_at_locations (the same service filters, without postcode and proximity, which are
refused there), /organizations (search), /taxonomies and /taxonomy_terms (with taxonomy_id and
search) and each by id. A parameter a path does not take, or a value it cannot honour (a
negative age, a minimum above the maximum, a proximity that is not a positive distance, page 0,
per_page above 100, 2026-02-30), is refused with 400 on every path, never ignored; any other
path under /oruk/ is a JSON 404.
Every service carries `last_modified`, so an aggregator reads the feed incrementally with
`modified_after`. Public and read-only: directory data describes services, not people; who
edited what is never shown.
"""

import functools
import math
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import JsonResponse
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import ValidationError
from ninja.responses import Status as Reply

from linkwell.accounts.access import record_id
from linkwell.dates import read_datetime
from linkwell.geo.postcodes import Place, locate
from linkwell.interfaces import with_each_view
from linkwell.paging import MAX_PAGE

from . import queries
from .models import DirectoryOrganisation, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from .oruk import SERVICE, SERVICE_AT_LOCATION, read_time
from .records import (
    location_record,
    organisation_record,
    service_record,
    taxonomy_record,
    term_record,
    with_children,
)

MAX_PER_PAGE = 100

oruk = NinjaAPI(
    title="Linkwell — Open Referral UK API",
    version="3.0",
    description="The Linkwell service directory in the Open Referral UK (HSDS 3.0) API shape.",
    urls_namespace="oruk",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=None,
)


class Paging(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE)
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE)


class ServiceNarrowing(Paging):
    """What narrows the services, on /services and on /service_at_locations alike."""

    search: str = ""
    text: str = ""  # older ORUK clients' name for `search`
    taxonomy_term_id: str = ""
    taxonomy_term: str = ""  # ORUK 1 clients' name: a term's id or code
    taxonomy_id: str = ""
    organization_id: str = ""
    modified_after: str = ""  # a date and time: services changed then or since
    # services whose minimum age is at least minimum_age, and maximum at most maximum_age
    minimum_age: float | None = Field(None, ge=0, le=200, allow_inf_nan=False)
    maximum_age: float | None = Field(None, ge=0, le=200, allow_inf_nan=False)
    day: str = ""  # a weekday (MO … SU, or Monday …) the service is open
    start_time: str = ""  # open from this time or later (HH:MM)
    end_time: str = ""  # closing at this time or earlier (HH:MM)
    format: str = "json"  # json only (ndjson is refused)


class ServiceFilters(ServiceNarrowing):
    minimal: bool = False  # only id and last_modified, for a sync
    full: bool = False  # every nested part of each service
    postcode: str = ""
    # a point instead of a postcode (with long)
    lat: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    long: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    # metres from the postcode's centroid or the point: a positive distance
    proximity: float | None = Field(None, gt=0, le=1_000_000, allow_inf_nan=False)


class TermFilters(Paging):
    taxonomy_id: str = ""
    search: str = ""


class PlaceFilters(ServiceNarrowing):
    """/service_at_locations: the services' filters. Its postcode and proximity (in the ORUK
    description) are not served, so are refused as unknown parameters."""


class OrganisationFilters(Paging):
    search: str = ""


class NoParameters(Schema):
    """A record by id takes no parameters."""


def page_of(items: list, *, total: int, paging: Paging) -> dict:
    pages = max(1, math.ceil(total / paging.per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": len(items),  # the items on this page (ORUK: "size of the page's contents")
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not items,
        "contents": items,
    }


# Every operation may answer 400: an unknown parameter, a value of the wrong type or out of
# range (below), or a NUL character (linkwell.nul). 422 is kept in the description for clients
# that read it, though a parameter is never answered 422 now.
REFUSED = {400: dict, 422: dict}


def _problem(message: str, status: int = 400):
    return Reply(status, {"detail": message})


@oruk.exception_handler(ValidationError)
def _invalid_parameter(request, exc):
    """A query parameter of the wrong type or out of range is a bad request (400), as every
    other refusal here; ninja's default would be 422."""
    return oruk.create_response(request, {"detail": exc.errors}, status=400)


def takes(schema: type[Schema]):
    """Refuse (400) a query parameter that `schema` does not name, so none is ignored."""
    known = frozenset(schema.model_fields)

    def decorate(view):
        @functools.wraps(view)
        def checked(request, *args, **kwargs):
            unknown = sorted(set(request.GET) - known)
            if unknown:
                return _problem(f"Unknown parameter {unknown[0]!r}: see /oruk/openapi.json.")
            return view(request, *args, **kwargs)

        return checked

    return decorate


@oruk.get("/", response={200: dict, **REFUSED}, summary="About this API")
def about(request):
    return {
        "version": "3.0",
        "profile": "https://github.com/OpenReferralUK/uk-profile",
        "openapi_url": request.build_absolute_uri("openapi.json"),
    }


# RRULE weekday codes (RFC 5545), as ORUK schedule.byday holds them; full names accepted too.
DAYS = {
    "MO": "monday",
    "TU": "tuesday",
    "WE": "wednesday",
    "TH": "thursday",
    "FR": "friday",
    "SA": "saturday",
    "SU": "sunday",
}


class Refused(ValueError):
    """A parameter that cannot be honoured: 400 with this message."""


def _moment(text: str) -> datetime:
    when = read_datetime(text)
    if when is None:
        raise Refused(
            f"modified_after must be a date and time like 2026-01-31T09:00:00Z, not {text!r}."
        )
    return timezone.make_aware(when) if timezone.is_naive(when) else when


def _time(name: str, text: str):
    try:
        return read_time(text)
    except ValueError:
        raise Refused(f"{name} must be a time like 09:30, not {text!r}.") from None


def _day(text: str) -> str:
    code = (
        text.strip().upper()[:2] if text.strip().lower() in DAYS.values() else text.strip().upper()
    )
    if code not in DAYS:
        raise Refused(f"day must be one of {', '.join(DAYS)} (or the day's name), not {text!r}.")
    return code


def narrowed(f: ServiceNarrowing) -> QuerySet:
    """The live services these filters select (queries.filtered, then the ORUK filters beyond
    text, taxonomy and organisation), or Refused."""
    services = queries.filtered(
        text=f.search or f.text,
        term_id=f.taxonomy_term_id,
        taxonomy_id=f.taxonomy_id,
        org_id=f.organization_id,
    )
    if f.format.lower() != "json":
        raise Refused("Only format=json is served; page through the results with page.")
    if f.minimum_age is not None and f.maximum_age is not None and f.minimum_age > f.maximum_age:
        raise Refused("minimum_age must not be above maximum_age.")
    if f.modified_after:
        services = services.filter(last_modified__gte=_moment(f.modified_after))
    if f.minimum_age is not None:
        services = services.filter(minimum_age__gte=f.minimum_age)
    if f.maximum_age is not None:
        services = services.filter(maximum_age__lte=f.maximum_age)
    if f.taxonomy_term:
        services = services.filter(
            Q(attributes__taxonomy_term_id=f.taxonomy_term)
            | Q(attributes__taxonomy_term__code=f.taxonomy_term)
        )
    opening = {}  # one schedule must meet all of day, start_time and end_time
    if f.day:
        opening["schedules__byday__icontains"] = _day(f.day)
    if f.start_time:
        opening["schedules__opens_at__gte"] = _time("start_time", f.start_time)
    if f.end_time:
        opening["schedules__closes_at__lte"] = _time("end_time", f.end_time)
    if opening:
        services = services.filter(**opening)
    return services.distinct() if opening or f.taxonomy_term else services


def _place(f: ServiceFilters) -> Place | None:
    if (f.lat is None) != (f.long is None):
        raise Refused("Give both lat and long.")
    if f.lat is not None:  # each within ±90 and ±180 (ServiceFilters)
        return Place("", f.lat, f.long, exact=True)
    if f.postcode:
        place = locate(f.postcode)
        if place is None:
            raise Refused(f"Unknown postcode {f.postcode!r}.")
        return place
    if f.proximity is not None:
        raise Refused("Give a postcode, or lat and long, with proximity.")
    return None


@oruk.get("/services", response={200: dict, **REFUSED}, summary="Services, a page at a time")
@takes(ServiceFilters)
def list_services(request, filters: Query[ServiceFilters]):
    paging = filters
    try:
        services = narrowed(filters)
        place = _place(filters)
    except Refused as e:
        return _problem(str(e))
    offset = (paging.page - 1) * paging.per_page
    if place is not None:
        radius = (filters.proximity or 5000) / 1000
        found = queries.search(
            services, place=place, radius_km=radius, offset=offset, limit=paging.per_page
        )
    else:
        found = queries.search(services, offset=offset, limit=paging.per_page)
    rows = found.services
    if filters.full:
        complete = with_children(Service.objects.filter(pk__in=[s.pk for s in rows])).in_bulk()
        rows = [_keep_distance(complete[s.pk], s) for s in rows]
    if filters.minimal:
        items = [{"id": s.pk, "last_modified": SERVICE.write(s)["last_modified"]} for s in rows]
    else:
        items = [service_record(s, full=filters.full) for s in rows]
    for item, service in zip(items, rows, strict=True):
        if hasattr(service, "distance_km"):
            item["distance"] = round(service.distance_km * 1000)  # metres, as proximity
    return page_of(items, total=found.total, paging=paging)


def _keep_distance(complete, found):
    if hasattr(found, "distance_km"):
        complete.distance_km = found.distance_km
    return complete


@oruk.get(
    "/services/{service_id}", response={200: dict, 404: dict, **REFUSED}, summary="One service"
)
@takes(NoParameters)
def get_service(request, service_id: str):
    service = with_children(Service.objects.filter(retired_at__isnull=True, pk=service_id)).first()
    if service is None:
        return _problem("No such service.", 404)
    return service_record(service)


def _page(queryset: QuerySet, paging: Paging, write) -> dict:
    offset = (paging.page - 1) * paging.per_page
    rows = list(queryset[offset : offset + paging.per_page])
    return page_of([write(r) for r in rows], total=queryset.count(), paging=paging)


def _one(queryset: QuerySet, pk: str, write, what: str):
    row = queryset.filter(pk=pk).first()
    return write(row) if row is not None else _problem(f"No such {what}.", 404)


ONE = {200: dict, 404: dict, **REFUSED}


@oruk.get("/taxonomies", response={200: dict, **REFUSED}, summary="Taxonomies")
@takes(Paging)
def list_taxonomies(request, paging: Query[Paging]):
    return _page(Taxonomy.objects.order_by("name", "id"), paging, taxonomy_record)


@oruk.get("/taxonomies/{taxonomy_id}", response=ONE, summary="One taxonomy")
@takes(NoParameters)
def get_taxonomy(request, taxonomy_id: str):
    return _one(Taxonomy.objects.all(), taxonomy_id, taxonomy_record, "taxonomy")


def _terms() -> QuerySet:
    return TaxonomyTerm.objects.select_related("taxonomy_detail").order_by("name", "id")


@oruk.get("/taxonomy_terms", response={200: dict, **REFUSED}, summary="Taxonomy terms")
@takes(TermFilters)
def list_terms(request, filters: Query[TermFilters]):
    terms = _terms()
    if filters.taxonomy_id:
        terms = terms.filter(
            Q(taxonomy_detail_id=filters.taxonomy_id) | Q(taxonomy=filters.taxonomy_id)
        )
    for word in filters.search.split()[:5]:
        terms = terms.filter(
            Q(name__icontains=word) | Q(description__icontains=word) | Q(code__iexact=word)
        )
    return _page(terms, filters, term_record)


@oruk.get("/taxonomy_terms/{term_id}", response=ONE, summary="One taxonomy term")
@takes(NoParameters)
def get_term(request, term_id: str):
    return _one(_terms(), term_id, term_record, "taxonomy term")


def _at_locations() -> QuerySet:
    return (
        ServiceAtLocation.objects.filter(service__in=Service.objects.live())
        .select_related("service__organisation", "location")
        .prefetch_related("location__addresses", "location__accessibility")
        .order_by("service__name", "id")
    )


def at_location_record(row) -> dict:
    return {
        **SERVICE_AT_LOCATION.write(row),
        "service_id": row.service_id,
        "location_id": row.location_id,
        "service": service_record(row.service, full=False),
        "location": location_record(row.location),
    }


@oruk.get("/service_at_locations", response={200: dict, **REFUSED}, summary="Services at locations")
@takes(PlaceFilters)
def list_at_locations(request, filters: Query[PlaceFilters]):
    try:
        services = narrowed(filters)
    except Refused as e:
        return _problem(str(e))
    return _page(_at_locations().filter(service__in=services), filters, at_location_record)


@oruk.get(
    "/service_at_locations/{at_location_id}", response=ONE, summary="One service at a location"
)
@takes(NoParameters)
def get_at_location(request, at_location_id: str):
    # Its ORUK id (kept as oruk_id), else Linkwell's row number when the source gave none.
    by_id = Q(oruk_id=at_location_id)
    if record_id(at_location_id) is not None:
        by_id |= Q(oruk_id="", pk=record_id(at_location_id))
    row = _at_locations().filter(by_id).first()
    return at_location_record(row) if row else _problem("No such service at location.", 404)


def _organisations() -> QuerySet:
    return DirectoryOrganisation.objects.order_by("name", "id")


@oruk.get("/organizations", response={200: dict, **REFUSED}, summary="Organisations")
@takes(OrganisationFilters)
def list_organisations(request, filters: Query[OrganisationFilters]):
    rows = _organisations()
    for word in filters.search.split()[:5]:
        rows = rows.filter(Q(name__icontains=word) | Q(description__icontains=word))
    return _page(rows, filters, organisation_record)


def organisation_with_services(organisation) -> dict:
    services = Service.objects.live().filter(organisation=organisation).order_by("name", "id")
    return {
        **organisation_record(organisation),
        "services": [
            service_record(s, full=False) for s in services.select_related("organisation")
        ],
    }


@oruk.get("/organizations/{organization_id}", response=ONE, summary="One organisation")
@takes(NoParameters)
def get_organisation(request, organization_id: str):
    return _one(_organisations(), organization_id, organisation_with_services, "organisation")


def elsewhere(request, rest: str):
    """Any other path under /oruk/: a JSON 404 like the API's own, not the site's HTML page."""
    return JsonResponse(
        {"detail": f"No such path /oruk/{rest}: see /oruk/openapi.json."},
        status=404,
        content_type="application/json; charset=utf-8",
    )


READ = ("GET", "HEAD")


def read_only(view):
    """The ORUK API is read-only: HEAD is answered as GET (RFC 9110 §9.3.2: a server that
    answers GET answers HEAD), and any other method is a JSON 405 with Allow, not ninja's text
    "Method not allowed"."""

    @functools.wraps(view)
    def answering(request, *args, **kwargs):
        if request.method not in READ:
            response = JsonResponse(
                {"detail": f"The ORUK API is read-only: {', '.join(READ)}, not {request.method}."},
                status=405,
                content_type="application/json; charset=utf-8",
            )
            response["Allow"] = ", ".join(READ)
            return response
        if request.method == "HEAD":  # answered as GET; the server (gunicorn) drops the body
            request.method = "GET"
            try:
                return view(request, *args, **kwargs)
            finally:
                request.method = "HEAD"
        return view(request, *args, **kwargs)

    return answering


def urls():
    """oruk.urls with every view read-only (above), for linkwell.directory.urls."""
    return with_each_view(oruk.urls, read_only)
