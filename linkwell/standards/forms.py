from django import forms

from linkwell.forms import NHSFormMixin

from .models import Recipient


class SendForm(NHSFormMixin, forms.Form):
    recipient = forms.ChoiceField(
        label="Send to", choices=Recipient.choices, widget=forms.RadioSelect
    )
    consent_given = forms.BooleanField(
        label="The person agrees to this summary being sent",
        required=True,
        error_messages={"required": "The person must agree to this summary being sent."},
    )
