"""Administrations of outcome measures, self-completion links, and admin-defined local instruments.

The built-in instruments are code (`linkwell.outcomes.instruments`); only what varies by site
or by person is stored here.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from linkwell.cases.models import Case

from .instruments import Instrument, Item, Measure, Option
from .instruments.definition import sum_scored


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    FOLLOW_UP = "follow_up", "Follow-up"
    DISCHARGE = "discharge", "Discharge"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    PHONE = "phone", "Phone"
    SELF_COMPLETED = "self_completed", "Self-completed"


class AdministrationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Scoped through the case: whoever may see the case may see its measures."""
        return self.filter(case__in=Case.objects.visible_to(user))


class Administration(models.Model):
    """One completed measure: the answers as given, and the scoring as it was at the time."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="measures")
    instrument = models.CharField(max_length=40)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    answers = models.JSONField(
        default=list, blank=True, help_text="In item order; null = unanswered."
    )
    raw = models.FloatField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=60, blank=True)
    bands = models.JSONField(default=dict, blank=True, help_text="Per-item bands (ONS4).")
    measures = models.JSONField(default=dict, help_text="Measure key → value, as charted.")
    mode = models.CharField(max_length=20, choices=Mode.choices)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text="Empty when the person completed it through a link.",
    )
    administered_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AdministrationQuerySet.as_manager()

    class Meta:
        ordering = ["administered_at", "id"]
        indexes = [models.Index(fields=["case", "instrument", "administered_at"])]
        constraints = [
            # Change is measured from one baseline per measure per case.
            models.UniqueConstraint(
                fields=["case", "instrument"],
                condition=models.Q(timepoint="baseline"),
                name="one_baseline_per_instrument_per_case",
            )
        ]

    def __str__(self):
        return f"{self.instrument} {self.timepoint} for case {self.case_id}"


class SelfCompletionLink(models.Model):
    """A single-use, expiring link for the person to complete one measure on their own device.

    Only a SHA-256 of the token is kept, so the database cannot be used to answer for someone.
    """

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="measure_links")
    instrument = models.CharField(max_length=40)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    administration = models.OneToOneField(
        Administration, null=True, blank=True, on_delete=models.SET_NULL, related_name="link"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Used means answered: a used link always names what it recorded, and vice versa.
            models.CheckConstraint(
                condition=models.Q(used_at__isnull=True, administration__isnull=True)
                | models.Q(used_at__isnull=False),
                name="administration_only_when_used",
            )
        ]


class LocalInstrument(models.Model):
    """A measure an admin defined without code: statements sharing one set of answer options,
    scored as the sum of the answers (every statement required)."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=120)
    instructions = models.TextField(blank=True, max_length=1000)
    options = models.JSONField(help_text='[{"value": 1, "label": "Never"}, …]')
    higher_is_better = models.BooleanField(default=True)
    meaningful_change = models.FloatField(null=True, blank=True)
    meaningful_change_source = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=300, blank=True)
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def definition(self) -> Instrument:
        options = tuple(Option(int(o["value"]), o["label"]) for o in self.options)
        items = tuple(
            Item(f"item{i.position}", i.text, options) for i in self.items.order_by("position")
        )
        values = [o.value for o in options]
        return Instrument(
            code=self.code,
            name=self.name,
            items=items,
            measures=(
                Measure(
                    "score",
                    f"{self.name} total",
                    min(values) * len(items),
                    max(values) * len(items),
                    higher_is_better=self.higher_is_better,
                    meaningful_change=self.meaningful_change,
                    meaningful_change_source=self.meaningful_change_source,
                ),
            ),
            scorer=sum_scored,
            source=self.source or "Defined locally",
            instructions=self.instructions,
            local=True,
        )


class LocalItem(models.Model):
    instrument = models.ForeignKey(LocalInstrument, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=300)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["instrument", "position"], name="one_item_per_position")
        ]
