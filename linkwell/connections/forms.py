from django import forms

from linkwell.forms import NHSFormMixin

from .lifecycle import next_steps
from .models import SharedDetail


class ReferForm(NHSFormMixin, forms.Form):
    service = forms.ChoiceField(label="Service", help_text="Services picked on Find support.")
    shared_details = forms.MultipleChoiceField(
        label="What they agreed to share with the service",
        choices=SharedDetail.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[SharedDetail.NAME, SharedDetail.PHONE],
    )
    note = forms.CharField(
        label="A note for the service",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The service sees this. Write nothing the person has not agreed to share.",
    )
    first_session_at = forms.DateTimeField(
        label="First session, if booked",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    wants_reminder = forms.BooleanField(
        label="They would like a text or email reminder the day before their first session",
        required=False,
    )
    consent_given = forms.BooleanField(
        label="They agreed to share these details with this service", required=False
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", "Choose a service")] + [
            (s.pk, f"{s.name}, {s.organisation.name}" if s.organisation else s.name)
            for s in services
        ]


class StatusForm(NHSFormMixin, forms.Form):
    to = forms.ChoiceField(label="New status")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed to decline or withdraw.",
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        steps = next_steps(current, provider=False)
        self.fields["to"].choices = [(s.value, s.label) for s in steps]
