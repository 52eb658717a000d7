"""Directory business rules: finding support for a case, shortlisting, confirming and editing.

Each change is atomic, audited, and raises DirectoryError (a ValidationError with a field dict,
so forms and the API show it by the field) when a rule is broken.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from linkwell.accounts import audit
from linkwell.accounts.models import AuditAction, OrganisationKind
from linkwell.cases.needs import Need
from linkwell.geo.postcodes import Place, locate

from . import matching, points, profile, queries
from .models import Service, ServiceStatus, ServiceVersion, ShortlistEntry
from .records import service_record, with_children


class DirectoryError(ValidationError):
    """A directory rule was broken; the message says how to put it right."""


# Words in the person's recorded accessibility needs → the access a service must offer.
NEEDS_ACCESS = [
    (re.compile(r"wheelchair|mobility|walking frame|step|stairs", re.I), profile.STEP_FREE),
    (re.compile(r"hearing|deaf", re.I), profile.HEARING_LOOP),
]


@dataclass(frozen=True)
class Preferences:
    """What the link worker sets on the Find support page, with the person."""

    available: int = 0
    mode: str = "any"
    free_only: bool = False
    radius_km: float = 10.0


@dataclass
class FoundSupport:
    matches: list  # this page's
    place: Place | None
    needs: list
    total: int = 0  # matches on every page

    @property
    def note(self) -> str:
        if self.place is None:
            return "No location for their postcode, so only online services are listed."
        return self.place.note


def case_needs(case) -> list[str]:
    """The referral reasons and every need noted in the what-matters conversations."""
    codes = list(case.referral.reasons)
    for conversation in case.what_matters.all():
        codes.extend(conversation.needs)
    return list(dict.fromkeys(codes))


def find_support(
    *, case, preferences: Preferences, text: str = "", offset: int = 0, limit: int = 20
) -> FoundSupport:
    """One page of the directory's services ranked for this case's person; `text` keeps those
    whose name, description or taxonomy terms have every word."""
    person = case.person
    place = locate(person.postcode) if person.postcode else None
    needs = case_needs(case)
    access = 0
    for pattern, flag in NEEDS_ACCESS:
        if pattern.search(person.accessibility_needs or ""):
            access |= flag
    who = matching.Person(
        age=person.age_on(timezone.localdate()),
        latitude=place.latitude if place else None,
        longitude=place.longitude if place else None,
        needs=frozenset(needs),
        available=preferences.available,
        language=(person.preferred_language or "English").strip().lower(),
        access=access,
        mode=preferences.mode if place else "online",
        free_only=preferences.free_only,
        radius_km=preferences.radius_km,
    )
    labels = [Need(code).label.lower() for code in needs if code in Need.values]
    among = queries.filtered(text=text) if text.strip() else None
    matches, total = matching.rank_page(who, offset=offset, limit=limit, among=among)
    return FoundSupport(matches, place, labels, total)


@transaction.atomic
def shortlist(*, case, service: Service, by, reasons=()) -> ShortlistEntry:
    """Record the service picked for this person (the onward referral comes later)."""
    if not case.is_open:
        raise DirectoryError({"service": "This case is closed. Reopen it before picking support."})
    if service.status != ServiceStatus.ACTIVE or service.retired_at:
        raise DirectoryError({"service": f"{service.name} is not running at the moment."})
    entry, created = ShortlistEntry.objects.get_or_create(
        case=case, service=service, defaults={"by": by, "reasons": list(reasons)[:10]}
    )
    if created:
        audit.record(
            user=by,
            action=AuditAction.CREATE,
            obj=entry,
            person_id=case.person_id,
            service=service.pk,
        )
    return entry


@transaction.atomic
def confirm_service(*, service: Service, by) -> Service:
    """The provider says the details are still right: verified today."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    before = service.last_verified
    service.last_verified = timezone.localdate()
    service.last_modified = timezone.now()
    service.save(update_fields=["last_verified", "last_modified"])
    points.refresh([service.pk])
    _version(
        service, by, "confirmed", {"assured_date": [_iso(before), _iso(service.last_verified)]}
    )
    return service


EDITABLE = ["name", "description", "url", "email", "status", "fees", "alert"]


@transaction.atomic
def edit_service(*, service: Service, by, **changes) -> Service:
    """Change a service's details; verified today, versioned with the fields that changed."""
    unknown = set(changes) - {*EDITABLE, "minimum_age", "maximum_age"}
    if unknown:
        raise DirectoryError({sorted(unknown)[0]: "This field cannot be edited here."})
    if not (changes.get("name", service.name) or "").strip():
        raise DirectoryError({"name": "Give the service a name."})
    if changes.get("status", service.status) not in ServiceStatus.values:
        raise DirectoryError({"status": "Choose a status."})
    low = changes.get("minimum_age", service.minimum_age)
    high = changes.get("maximum_age", service.maximum_age)
    if low is not None and high is not None and low > high:
        raise DirectoryError({"maximum_age": "The maximum age must be at least the minimum."})
    service = with_children(Service.objects.select_for_update(of=("self",))).get(pk=service.pk)
    record = service_record(service)
    diff = {}
    for name, value in changes.items():
        if getattr(service, name) != value:
            diff[name] = [getattr(service, name), value]
            setattr(service, name, value)
            record[name] = value
    service.last_verified = timezone.localdate()
    service.last_modified = timezone.now()
    for name, value in profile.match_columns(record, {}).items():
        setattr(service, name, value)
    service.save()
    points.refresh([service.pk])
    _version(service, by, "edited", diff)
    return service


@transaction.atomic
def link_organisation(*, organisation, account, by=None):
    """Let the provider organisation `account`'s users confirm and edit `organisation`'s
    services (None unlinks)."""
    if account is not None and account.kind != OrganisationKind.PROVIDER:
        raise DirectoryError({"account": f"{account} is not a community provider organisation."})
    organisation.account = account
    organisation.save(update_fields=["account"])
    audit.record(
        user=by, action=AuditAction.UPDATE, obj=organisation, account=getattr(account, "pk", None)
    )
    return organisation


def _iso(day):
    return day.isoformat() if day else None


def _version(service, by, change, diff):
    ServiceVersion.objects.create(service=service, by=by, change=change, diff=diff)
    audit.record(user=by, action=AuditAction.UPDATE, obj=service, change=change, fields=list(diff))
