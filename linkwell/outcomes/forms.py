"""Forms built from an instrument's definition: one radio group per question."""

from datetime import datetime, time

from django import forms
from django.utils import timezone

from linkwell.forms import NHSFormMixin

from .instruments import Instrument
from .models import Mode, Timepoint


class AnswersForm(NHSFormMixin, forms.Form):
    """The questions of one instrument. Every question is optional here: whether a missing
    answer can be scored is the instrument's published rule, applied by the scoring core."""

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        for item in instrument.items:
            self.fields[item.key] = forms.TypedChoiceField(
                label=item.text,
                choices=[(o.value, o.label) for o in item.options],
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
            )

    @property
    def item_fields(self):
        return [self[item.key] for item in self.instrument.items]

    def answers(self) -> list[int | None]:
        return [self.cleaned_data.get(item.key) for item in self.instrument.items]

    def add_service_error(self, error) -> None:
        """Put a scoring error by the question it is about ("answers.3" → the fourth)."""
        for field, messages in error.message_dict.items():
            name = None
            field = getattr(self, "SERVICE_FIELDS", {}).get(field, field)
            if field.startswith("answers.") and self.instrument.items:
                name = self.instrument.items[int(field.split(".")[1])].key
            elif field in self.fields:
                name = field
            self.add_error(name, messages)


class MeasureForm(AnswersForm):
    """A measure taken by the link worker: when, at which point of the case, and how."""

    SERVICE_FIELDS = {"administered_at": "taken_on"}

    timepoint = forms.ChoiceField(
        label="Point in the person's support", choices=Timepoint.choices, widget=forms.RadioSelect
    )
    mode = forms.ChoiceField(
        label="How it was taken", choices=Mode.choices, widget=forms.RadioSelect
    )
    taken_on = forms.DateField(
        label="Date taken",
        initial=timezone.localdate,
        # ISO, as a date input needs; the en-GB default (25/11/2026) would show empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, instrument: Instrument, **kwargs):
        super().__init__(*args, instrument=instrument, **kwargs)
        if instrument.licensed:
            # The licensed tool's result only: its questions are never asked here.
            self.fields["score"] = forms.DecimalField(
                label="Score from the licensed tool",
                min_value=0,
                max_value=100,
                decimal_places=1,
                help_text="0 to 100, as the licensed tool reported it.",
            )
            self.fields["level"] = forms.TypedChoiceField(
                label="Level from the licensed tool",
                choices=[("", "Work it out from the score")]
                + [(n, f"Level {n}") for n in range(1, 5)],
                coerce=int,
                empty_value=None,
                required=False,
            )

    def administered_at(self) -> datetime:
        day = self.cleaned_data["taken_on"]
        if day == timezone.localdate():
            return timezone.now()
        return timezone.make_aware(datetime.combine(day, time(12, 0)))


class LinkForm(NHSFormMixin, forms.Form):
    id_prefix = "link"  # beside the measure form, which asks for a timepoint too

    timepoint = forms.ChoiceField(
        label="Point in the person's support", choices=Timepoint.choices, widget=forms.RadioSelect
    )


def parse_options(text: str) -> list[tuple[int, str]]:
    """Lines like "1 = Never" → [(1, "Never")]."""
    options = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        value, sep, label = line.partition("=")
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if not sep or number is None or not label.strip():
            raise forms.ValidationError(f"Line {n}: write each option as a number = its label.")
        options.append((number, label.strip()))
    return options


class LocalInstrumentForm(NHSFormMixin, forms.Form):
    name = forms.CharField(max_length=120)
    code = forms.SlugField(
        max_length=40, help_text="Short, lower case, no spaces: how the API and reports name it."
    )
    instructions = forms.CharField(
        required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )
    statements = forms.CharField(
        label="Questions or statements",
        help_text="One a line, in the order they are asked.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    options = forms.CharField(
        label="Answer options",
        help_text="The same for every question, one a line as number = label, e.g. 1 = Never.",
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    higher_is_better = forms.BooleanField(
        label="A higher total is better", required=False, initial=True
    )
    meaningful_change = forms.FloatField(
        label="Meaningful change (points)", required=False, min_value=0.01
    )
    meaningful_change_source = forms.CharField(
        label="Source of the meaningful change", required=False, max_length=300
    )
    source = forms.CharField(label="Source of the measure", required=False, max_length=300)

    def clean_options(self):
        return parse_options(self.cleaned_data["options"])

    def clean_statements(self):
        return [s for s in self.cleaned_data["statements"].splitlines() if s.strip()]
