"""The person being supported."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from linkwell.accounts import permissions
from linkwell.accounts.models import Organisation
from linkwell.write_guard import GuardedModel, GuardedQuerySet

from .identifiers import (
    validate_gp_practice_code,
    validate_nhs_number,
    validate_postcode,
    validate_uk_phone,
)


class Sex(models.TextChoices):
    # NHS Data Dictionary "Person Stated Gender Code" values.
    MALE = "1", "Male"
    FEMALE = "2", "Female"
    INDETERMINATE = "9", "Indeterminate"
    NOT_KNOWN = "X", "Not known"


class Ethnicity(models.TextChoices):
    # NHS Data Dictionary "Ethnic Category" (2001 census categories), national codes A–Z.
    WHITE_BRITISH = "A", "White: British"
    WHITE_IRISH = "B", "White: Irish"
    WHITE_OTHER = "C", "White: Any other White background"
    MIXED_WHITE_BLACK_CARIBBEAN = "D", "Mixed: White and Black Caribbean"
    MIXED_WHITE_BLACK_AFRICAN = "E", "Mixed: White and Black African"
    MIXED_WHITE_ASIAN = "F", "Mixed: White and Asian"
    MIXED_OTHER = "G", "Mixed: Any other mixed background"
    ASIAN_INDIAN = "H", "Asian or Asian British: Indian"
    ASIAN_PAKISTANI = "J", "Asian or Asian British: Pakistani"
    ASIAN_BANGLADESHI = "K", "Asian or Asian British: Bangladeshi"
    ASIAN_OTHER = "L", "Asian or Asian British: Any other Asian background"
    BLACK_CARIBBEAN = "M", "Black or Black British: Caribbean"
    BLACK_AFRICAN = "N", "Black or Black British: African"
    BLACK_OTHER = "P", "Black or Black British: Any other Black background"
    CHINESE = "R", "Other ethnic groups: Chinese"
    OTHER = "S", "Other ethnic groups: Any other ethnic group"
    NOT_STATED = "Z", "Not stated"
    NOT_KNOWN = "99", "Not known"


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


def phone_key():
    """The stored phone number without spaces or punctuation ('07700 900123' → '07700900123',
    '+44 (0)7700 900123' → '4407700900123'): what search compares, indexed as it is."""
    expression = F("phone")
    for character in (" ", "-", "(", ")", "+", "."):
        expression = Replace(expression, Value(character), Value(""))
    return expression


def email_key():
    return Lower("email")


class PersonQuerySet(GuardedQuerySet):
    def visible_to(self, user):
        """The one scoping rule for people's records: those of the PCNs the user works in.

        Referrers never read a record: they see the person only as they described them on
        their own referrals (`Referral.as_referred`), so a matching NHS number cannot show
        them what the PCN holds about someone else's patient.
        """
        return self.filter(
            organisation_id__in=permissions.pcn_ids(user, permissions.Capability.VIEW_CASELOAD)
        )


class Person(GuardedModel):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="people",
        help_text="The PCN whose social prescribing service supports this person.",
    )
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    referred_nhs_number = models.CharField(
        "NHS number given at referral, to check",
        max_length=10,
        blank=True,
        help_text="An NHS number a referral gave that is already on another record of the "
        "PCN with a different name or date of birth. Kept apart, never matched silently, "
        "until a link worker checks it (the case page warns; merging settles it).",
    )
    given_name = models.CharField("first name", max_length=100)
    family_name = models.CharField("last name", max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices, default=Sex.NOT_KNOWN)
    gender_identity = models.CharField(max_length=100, blank=True)
    ethnicity = models.CharField(
        max_length=2, choices=Ethnicity.choices, default=Ethnicity.NOT_STATED
    )
    address = models.TextField(
        blank=True,
        max_length=500,
        help_text="Current address lines, without the postcode (PRSB social prescribing: "
        "mandatory in person demographics; may be completed from PDS after referral).",
    )
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    gp_practice_code = models.CharField(
        "GP practice",
        max_length=6,
        blank=True,
        validators=[validate_gp_practice_code],
        help_text="ODS code of the practice the person is registered with (PRSB social "
        "prescribing: GP practice identifier, mandatory; may be completed from PDS).",
    )
    phone = models.CharField(max_length=30, blank=True, validators=[validate_uk_phone])
    email = models.EmailField(blank=True)
    preferred_contact = models.CharField(
        max_length=10, choices=ContactMethod.choices, default=ContactMethod.PHONE
    )
    preferred_language = models.CharField(max_length=60, default="English")
    interpreter_needed = models.BooleanField(default=False)
    accessibility_needs = models.TextField(blank=True, max_length=1000)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    erased_at = models.DateTimeField(
        null=True, blank=True, help_text="When identifying details were removed (erasure)."
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged",
        help_text="Set when this record was found to be a duplicate and merged into another.",
    )

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "people"
        ordering = ["family_name", "given_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="one_person_per_nhs_number_per_pcn",
            )
        ]
        indexes = [
            models.Index(fields=["family_name", "given_name"]),
            # What search looks people up by (people.lookup): each an equality on its index.
            models.Index(fields=["date_of_birth"], name="person_date_of_birth"),
            models.Index(fields=["postcode"], name="person_postcode"),
            models.Index(phone_key(), name="person_phone_key"),
            models.Index(email_key(), name="person_email_key"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}" if n else ""

    def age_on(self, day) -> int:
        years = day.year - self.date_of_birth.year
        return years - ((day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day))

    def clean(self):
        # Every broken rule at once, so a form shows them all in one round.
        errors = {}
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            errors["date_of_birth"] = "Date of birth must be in the past."
        if self.date_of_birth and self.date_of_birth.year < 1900:
            errors["date_of_birth"] = "Date of birth must be after 1900."
        if self.preferred_contact == ContactMethod.EMAIL and not self.email:
            errors["email"] = "Give an email address to contact them by email."
        if self.preferred_contact in (ContactMethod.PHONE, ContactMethod.TEXT) and not self.phone:
            errors["phone"] = "Give a phone number to contact them by phone or text."
        if errors:
            raise ValidationError(errors)


class ConsentScope(models.TextChoices):
    REFERRAL = "referral", "Referral to social prescribing"
    SHARE_WITH_PROVIDERS = "share_with_providers", "Sharing details with community services"
    CONTACT = "contact", "Being contacted by text or email"
    MESSAGE_BACK = "message_back", "Sending a summary back to the GP and referrer"


class Consent(models.Model):
    """A record of what the person agreed to (or withdrew), when, and how it was recorded."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    scope = models.CharField(max_length=30, choices=ConsentScope.choices)
    given = models.BooleanField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    method = models.CharField(max_length=100, blank=True, help_text="e.g. verbally, by phone")

    class Meta:
        ordering = ["recorded_at", "id"]
