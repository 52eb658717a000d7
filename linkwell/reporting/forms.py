"""The dashboard's filters. Every choice is limited to what the user may see, so an unknown or
someone else's PCN, practice or link worker is a form error, never a silent empty report."""

from django import forms
from django.utils import timezone

from . import lookups
from .periods import add_months, next_month, parse_month, start_of
from .queries import Filters

LONGEST_PERIOD_MONTHS = 36


class MonthField(forms.CharField):
    widget = forms.TextInput(attrs={"class": "nhsuk-input nhsuk-input--width-10", "type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from None


def _select(**attrs):
    return forms.Select(attrs={"class": "nhsuk-select", **attrs})


class ReportFilterForm(forms.Form):
    pcn = forms.TypedChoiceField(
        label="PCN", required=False, coerce=int, empty_value=None, widget=_select()
    )
    practice = forms.TypedChoiceField(
        label="GP practice", required=False, coerce=int, empty_value=None, widget=_select()
    )
    link_worker = forms.TypedChoiceField(
        label="Link worker", required=False, coerce=int, empty_value=None, widget=_select()
    )
    start = MonthField(label="From (month)", required=False, help_text="For example, 2026-01")
    end = MonthField(label="To (month)", required=False, help_text="Included in the report")

    def __init__(self, *args, scope: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        everyone = [("", "All")]
        self.fields["pcn"].choices = everyone + [(p.pk, p.name) for p in lookups.pcns(scope)]
        self.fields["practice"].choices = everyone + [
            (p.pk, p.name) for p in lookups.practices_of(scope).order_by("name")
        ]
        self.fields["link_worker"].choices = everyone + [
            (u.pk, u.get_full_name() or u.username) for u in lookups.link_workers_of(scope)
        ]
        for name in ("pcn", "practice", "link_worker"):
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {self.fields[name].label} from the list: %(value)s is not one of the "
                "organisations you report on."
            )

    def clean(self):
        data = super().clean()
        this_month = timezone.now().date().replace(day=1)
        end = data.get("end") or this_month
        start = data.get("start") or add_months(end, -11)
        if start > end:
            self.add_error("start", "The first month must not be after the last.")
        elif add_months(start, LONGEST_PERIOD_MONTHS) <= end:
            self.add_error("start", f"Choose a period of at most {LONGEST_PERIOD_MONTHS} months.")
        data["start"], data["end"] = start, end
        return data

    def filters(self, *, pcn_id: int | None = None) -> Filters:
        """Only after is_valid(). `pcn_id` narrows to one PCN (already checked by the view)."""
        data = self.cleaned_data
        pcn = pcn_id or data.get("pcn")
        return Filters(
            pcn_ids=tuple(sorted({pcn} if pcn else self.scope)),
            start=start_of(data["start"]),
            end=start_of(next_month(data["end"])),
            practice_id=data.get("practice"),
            link_worker_id=data.get("link_worker"),
        )
