"""Forms for finding support, searching the directory and editing a service."""

from django import forms
from django.core.validators import EMPTY_VALUES

from linkwell.cases.needs import Need
from linkwell.forms import NHSFormMixin

from .models import Service, ServiceStatus
from .profile import DAY_NAMES, PARTS, slot
from .services import EDITABLE, Preferences

RADII = [("2", "2 km"), ("5", "5 km"), ("10", "10 km"), ("20", "20 km")]


PREFERENCE_FIELDS = ("days", "parts", "mode", "free_only", "radius")


class FindSupportForm(NHSFormMixin, forms.Form):
    q = forms.CharField(
        label="Search the services",
        max_length=100,
        required=False,
        help_text="Words in a service's name, description or type, like “walking” or “debt”.",
    )
    days = forms.MultipleChoiceField(
        label="Days they can go",
        choices=list(enumerate(DAY_NAMES)),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leave blank for any day.",
    )
    parts = forms.MultipleChoiceField(
        label="Times of day",
        choices=[(i, name.title()) for i, (name, _, _) in enumerate(PARTS)],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    mode = forms.ChoiceField(
        label="How they would like to take part",
        choices=[("any", "Either"), ("in_person", "In person"), ("online", "Online or by phone")],
        widget=forms.RadioSelect,
        initial="any",
        required=False,
    )
    free_only = forms.BooleanField(label="Free services only", required=False)
    radius = forms.ChoiceField(label="Distance", choices=RADII, initial="10", required=False)

    def text(self) -> str:
        return (self.cleaned_data.get("q") or "") if self.is_bound and self.is_valid() else ""

    def preferences_given(self) -> bool:
        """Whether a preference was set (not left as it starts) or is wrong, so its panel
        opens; a search or another page of results alone leaves it closed."""
        if not self.is_bound:
            return False
        changed = self.changed_data
        return any(
            name in self.errors or (name in changed and self[name].data not in EMPTY_VALUES)
            for name in PREFERENCE_FIELDS
        )

    def preferences(self) -> Preferences:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        days = [int(d) for d in data.get("days") or []] or range(7)
        parts = [int(p) for p in data.get("parts") or []] or range(len(PARTS))
        chosen = bool(data.get("days") or data.get("parts"))
        available = 0
        if chosen:
            for day in days:
                for part in parts:
                    available |= slot(day, part)
        return Preferences(
            available=available,
            mode=data.get("mode") or "any",
            free_only=bool(data.get("free_only")),
            radius_km=float(data.get("radius") or 10),
        )


class SearchForm(NHSFormMixin, forms.Form):
    q = forms.CharField(label="Search", max_length=100, required=False)
    need = forms.ChoiceField(
        label="Need", choices=[("", "Any need"), *Need.choices], required=False
    )
    postcode = forms.CharField(label="Near postcode", max_length=8, required=False)
    radius = forms.ChoiceField(label="Within", choices=RADII, initial="5", required=False)


class ServiceForm(NHSFormMixin, forms.ModelForm):
    status = forms.ChoiceField(choices=ServiceStatus.choices)

    class Meta:
        model = Service
        fields = [*EDITABLE, "minimum_age", "maximum_age"]
        widgets = {"description": forms.Textarea(attrs={"rows": 5})}
        labels = {"url": "Website", "fees": "Costs", "alert": "Notice (e.g. closed this week)"}
