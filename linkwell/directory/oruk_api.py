"""The Open Referral UK read API under /oruk/: services, one service, taxonomies.

Paths, parameters and the page shape follow the ORUK profile's OpenAPI description
(OpenReferralUK/uk-profile schema/openapi.json): GET /services (search, page, per_page,
taxonomy_term_id, taxonomy_id, organization_id, postcode, proximity in metres), GET
/services/{id} (the full service), GET /taxonomies, GET /taxonomy_terms. Public and read-only:
directory data describes services, not people; who edited what is never shown.
"""

import math

from django.db.models import QuerySet
from ninja import NinjaAPI, Query, Schema
from ninja.responses import Status as Reply

from linkwell.geo.postcodes import locate
from linkwell.paging import page_number

from . import queries
from .models import Service, Taxonomy, TaxonomyTerm
from .records import service_record, taxonomy_record, term_record, with_children

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
    page: int = 1
    per_page: int = 50


class ServiceFilters(Paging):
    search: str = ""
    text: str = ""  # older ORUK clients' name for `search`
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    postcode: str = ""
    proximity: float | None = None  # metres from the postcode's centroid


def page_of(items: list, *, total: int, paging: Paging) -> dict:
    pages = max(1, math.ceil(total / paging.per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": paging.page,
        "size": paging.per_page,
        "first_page": paging.page == 1,
        "last_page": paging.page >= pages,
        "empty": not items,
        "contents": items,
    }


def _paging(paging: Paging) -> Paging:
    return Paging(
        page=page_number(paging.page),
        per_page=min(max(1, paging.per_page), MAX_PER_PAGE),
    )


# Every operation may answer 400 (a bad request, such as a NUL character: linkwell.nul) or
# 422 (a parameter of the wrong type).
REFUSED = {400: dict, 422: dict}


def _problem(message: str, status: int = 400):
    return Reply(status, {"detail": message})


@oruk.get("/", response={200: dict, **REFUSED}, summary="About this API")
def about(request):
    return {
        "version": "3.0",
        "profile": "https://github.com/OpenReferralUK/uk-profile",
        "openapi_url": request.build_absolute_uri("openapi.json"),
    }


@oruk.get("/services", response={200: dict, **REFUSED}, summary="Services, a page at a time")
def list_services(request, filters: Query[ServiceFilters]):
    paging = _paging(filters)
    services = queries.filtered(
        text=filters.search or filters.text,
        term_id=filters.taxonomy_term_id,
        taxonomy_id=filters.taxonomy_id,
        org_id=filters.organization_id,
    )
    place = None
    if filters.postcode:
        place = locate(filters.postcode)
        if place is None:
            return _problem(f"Unknown postcode {filters.postcode!r}.")
    if filters.proximity is not None and place is None:
        return _problem("Give a postcode with proximity.")
    offset = (paging.page - 1) * paging.per_page
    if place is not None:
        radius = (filters.proximity or 5000) / 1000
        found = queries.search(
            services, place=place, radius_km=radius, offset=offset, limit=paging.per_page
        )
    else:
        found = queries.search(services, offset=offset, limit=paging.per_page)
    items = [service_record(s, full=False) for s in found.services]
    for item, service in zip(items, found.services, strict=True):
        if hasattr(service, "distance_km"):
            item["distance"] = round(service.distance_km * 1000)  # metres, as proximity
    return page_of(items, total=found.total, paging=paging)


@oruk.get(
    "/services/{service_id}", response={200: dict, 404: dict, **REFUSED}, summary="One service"
)
def get_service(request, service_id: str):
    service = with_children(Service.objects.filter(retired_at__isnull=True, pk=service_id)).first()
    if service is None:
        return _problem("No such service.", 404)
    return service_record(service)


def _page(queryset: QuerySet, paging: Paging, write) -> dict:
    paging = _paging(paging)
    offset = (paging.page - 1) * paging.per_page
    rows = list(queryset[offset : offset + paging.per_page])
    return page_of([write(r) for r in rows], total=queryset.count(), paging=paging)


@oruk.get("/taxonomies", response={200: dict, **REFUSED}, summary="Taxonomies")
def list_taxonomies(request, paging: Query[Paging]):
    return _page(Taxonomy.objects.order_by("name", "id"), paging, taxonomy_record)


@oruk.get("/taxonomy_terms", response={200: dict, **REFUSED}, summary="Taxonomy terms")
def list_terms(request, paging: Query[Paging]):
    terms = TaxonomyTerm.objects.select_related("taxonomy_detail").order_by("name", "id")
    return _page(terms, paging, term_record)
