from django import forms

from linkwell.forms import NHSFormMixin


class DueForm(NHSFormMixin, forms.Form):
    due_at = forms.DateTimeField(
        label="Ask them on",
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
