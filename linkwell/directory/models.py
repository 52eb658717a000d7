"""The service directory in the Open Referral UK (ORUK) profile of HSDS 3.0.

Entities and field names follow the ORUK schema (linkwell/directory/schema/service.json). Each
model keeps the ORUK fields Linkwell uses as columns and every other field of the record in
`extra`, so an export gives back what was imported. Ids are the publisher's (ORUK: UUIDs).

Service also carries a few *match columns* (need_mask, open_slots, …) derived from its ORUK
children by `linkwell.directory.profile` on every write, so ranking needs one query, not ten.
"""

import os
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.accounts.models import Organisation as AccountOrganisation
from linkwell.accounts.models import Role

from .web_addresses import validate_web_address

ID = 100  # ORUK ids are UUIDs (36); other publishers use longer ones


class Taxonomy(models.Model):
    id = models.CharField(max_length=ID, primary_key=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    uri = models.CharField(max_length=500, blank=True)
    version = models.CharField(max_length=50, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    id = models.CharField(max_length=ID, primary_key=True)
    code = models.CharField(max_length=100, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    parent_id = models.CharField(max_length=ID, blank=True)
    taxonomy = models.CharField(max_length=200, blank=True, help_text="The vocabulary's name.")
    taxonomy_detail = models.ForeignKey(
        Taxonomy, null=True, blank=True, on_delete=models.SET_NULL, related_name="terms"
    )
    term_uri = models.CharField(max_length=500, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class DirectoryOrganisation(models.Model):
    """An ORUK organization: whoever provides services (a charity, council team, group)."""

    id = models.CharField(max_length=ID, primary_key=True)
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=254, blank=True)
    website = models.CharField(max_length=500, blank=True, validators=[validate_web_address])
    # The Linkwell provider organisation whose users may confirm and edit these services.
    account = models.ForeignKey(
        AccountOrganisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="directory_organisations",
    )
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ServiceStatus(models.TextChoices):
    # ORUK service.status enum
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class ServiceQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=ServiceStatus.ACTIVE, retired_at__isnull=True)

    def stale(self, today=None):
        """Not verified within DIRECTORY_STALE_AFTER_DAYS (or never)."""
        return self.filter(
            models.Q(last_verified__isnull=True) | models.Q(last_verified__lt=stale_before(today))
        )

    def editable_by(self, user):
        """Services of directory organisations linked to an organisation where the user is a
        provider. One filter() call, so both conditions apply to the same membership."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(
            organisation__account__memberships__user=user,
            organisation__account__memberships__role=Role.PROVIDER,
        )


def stale_after_days() -> int:
    """DIRECTORY_STALE_AFTER_DAYS (setting or environment); default 183, about six months."""
    default = os.environ.get("DIRECTORY_STALE_AFTER_DAYS", "183")
    return int(getattr(settings, "DIRECTORY_STALE_AFTER_DAYS", default))


def stale_before(today=None):
    return (today or timezone.localdate()) - timedelta(days=stale_after_days())


class Service(models.Model):
    id = models.CharField(max_length=ID, primary_key=True)
    organisation = models.ForeignKey(
        DirectoryOrganisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, validators=[validate_web_address])
    email = models.CharField(max_length=254, blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees = models.TextField(blank=True, help_text="ORUK 'fees': a description of any charges.")
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    alert = models.TextField(blank=True)
    # ORUK assured_date: "the date the service information was last checked" — our last_verified.
    last_verified = models.DateField(null=True, blank=True, db_index=True)
    assurer_email = models.CharField(max_length=254, blank=True)
    # ORUK last_modified: the source's, else when Linkwell wrote the row (an import, an edit, a
    # confirmation), so an aggregator can read changes incrementally (/oruk/services?
    # modified_after=…).
    last_modified = models.DateTimeField(default=timezone.now, db_index=True)
    retired_at = models.DateTimeField(
        null=True, blank=True, help_text="Missing from a synchronised import's source."
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, through="Attribute", related_name="services")

    # Match columns, derived by linkwell.directory.profile (never edited directly).
    need_mask = models.IntegerField(default=0, help_text="Bit per Need the terms serve.")
    open_slots = models.IntegerField(default=0, help_text="Bit per weekday × part of day.")
    is_free = models.BooleanField(null=True, help_text="None: not known.")
    in_person = models.BooleanField(default=False)
    online = models.BooleanField(default=False, db_index=True)
    language_names = models.CharField(max_length=300, blank=True)
    access_flags = models.IntegerField(default=0)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_stale(self) -> bool:
        return self.last_verified is None or self.last_verified < stale_before()


class Location(models.Model):
    id = models.CharField(max_length=ID, primary_key=True)
    location_type = models.CharField(max_length=20, default="physical")
    name = models.CharField(max_length=300, blank=True)
    description = models.TextField(blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"])]

    def __str__(self):
        return self.name or self.id


class Child(models.Model):
    """A record that belongs to one parent and is replaced with it on every import.

    Its ORUK id is kept but not used as the key: publishers reuse child ids across services.
    """

    oruk_id = models.CharField(max_length=ID, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        abstract = True


class ServiceAtLocation(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="services_at")


class Address(Child):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="addresses")
    address_1 = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=2, blank=True)
    address_type = models.CharField(max_length=20, blank=True)


class Accessibility(Child):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="accessibility")
    description = models.TextField(blank=True)
    details = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, validators=[validate_web_address])

    class Meta:
        verbose_name_plural = "accessibility"


class Schedule(Child):
    """Regular opening times, in iCal RRULE terms (freq, byday) with opens_at/closes_at."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, blank=True)
    byday = models.CharField(max_length=50, blank=True)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)


class CostOption(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=300, blank=True)
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=300, blank=True)


class Language(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)


class Contact(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)


class Phone(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=50)
    type = models.CharField(max_length=20, blank=True)
    description = models.TextField(blank=True)


class ServiceArea(Child):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=500, blank=True)
    extent = models.TextField(blank=True)
    extent_type = models.CharField(max_length=20, blank=True)
    uri = models.CharField(max_length=500, blank=True)


class Attribute(Child):
    """ORUK attribute: links a service to a taxonomy term (what it is, whom it is for)."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="attributes")
    taxonomy_term = models.ForeignKey(TaxonomyTerm, on_delete=models.PROTECT)
    link_type = models.CharField(max_length=50, blank=True)


class ServiceVersion(models.Model):
    """Every edit and confirmation of a service: who, when, and what changed."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="versions")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    change = models.CharField(max_length=20)  # "edited" | "confirmed"
    diff = models.JSONField(default=dict, help_text="{field: [before, after]}")

    class Meta:
        ordering = ["-at", "-id"]


class ShortlistEntry(models.Model):
    """A service a link worker picked for a person's case (the onward referral comes later)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="shortlist")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="shortlisted")
    reasons = models.JSONField(default=list, help_text="Why it ranked where it did, when picked.")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "shortlist entries"
        constraints = [
            models.UniqueConstraint(fields=["case", "service"], name="one_shortlist_per_service")
        ]


class MatchPoint(models.Model):
    """Where and for whom a service runs: one row per place it runs at, and one without a place
    if it runs online. A copy of the match columns, derived by `points.refresh` on every write,
    so ranking reads one narrow indexed table with no joins."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="points")
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    live = models.BooleanField()
    minimum_age = models.PositiveSmallIntegerField(null=True)
    maximum_age = models.PositiveSmallIntegerField(null=True)
    need_mask = models.IntegerField()
    open_slots = models.IntegerField()
    is_free = models.BooleanField(null=True)
    in_person = models.BooleanField()
    online = models.BooleanField()
    # The point without a place, for taking part online. (Not "latitude IS NULL": both
    # databases' planners take that for a short lookup in the latitude index.)
    remote = models.BooleanField(default=False)
    language_names = models.CharField(max_length=300, blank=True)
    access_flags = models.IntegerField()
    last_verified = models.DateField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["latitude", "longitude"]),
            # Online services, most recently verified first: ranking reads the first few
            # hundred that fit, in this order, rather than sorting thousands.
            models.Index(
                fields=["-last_verified", "service_id"],
                condition=models.Q(remote=True, live=True),
                name="matchpoint_online_recent",
            ),
        ]
