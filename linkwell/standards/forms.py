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


class ReferrerForm(NHSFormMixin, forms.Form):
    name = forms.CharField(label="Referrer's name", max_length=200)
    contact = forms.CharField(label="Referrer's phone number or email address", max_length=200)
    organisation_name = forms.CharField(
        label="Their organisation, if another agency",
        max_length=150,
        required=False,
    )
