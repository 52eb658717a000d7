from django import forms

from linkwell.forms import NHSFormMixin


class DueForm(NHSFormMixin, forms.Form):
    """When to ask the person whether they got to one connection's service."""

    due_at = forms.DateTimeField(
        label="Ask them on",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": "Give a date and time for the check-in.",
            "invalid": "Give a date and time for the check-in.",
        },
    )

    def __init__(self, *args, connection, **kwargs):
        # Ids unique on the case page, which has one of these forms per connection.
        super().__init__(*args, auto_id=f"checkin{connection.pk}-%s", **kwargs)
        self.connection = connection
