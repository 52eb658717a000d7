from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from linkwell.cases.forms import ReferralForm
from linkwell.cases.needs import Need
from linkwell.forms import NHSFormMixin
from linkwell.people.models import ContactMethod

from .abuse import form_stamp
from .person_page import EMAIL, TEXT, channels

# The referral form's choices in the person's words, translatable (the staff form's labels
# are plain English, for staff pages).
CONTACT_WORDS = {
    ContactMethod.PHONE: gettext_lazy("Phone call"),
    ContactMethod.TEXT: gettext_lazy("Text message"),
    ContactMethod.EMAIL: gettext_lazy("Email"),
    ContactMethod.LETTER: gettext_lazy("Letter"),
}
NEED_WORDS = {
    Need.LONELINESS: gettext_lazy("Loneliness and isolation"),
    Need.MENTAL_WELLBEING: gettext_lazy("Mental wellbeing"),
    Need.PHYSICAL_ACTIVITY: gettext_lazy("Physical activity"),
    Need.MONEY: gettext_lazy("Money and debt"),
    Need.HOUSING: gettext_lazy("Housing"),
    Need.FOOD: gettext_lazy("Food"),
    Need.FUEL: gettext_lazy("Fuel and energy"),
    Need.WORK: gettext_lazy("Work, training and skills"),
    Need.CARERS: gettext_lazy("Support for carers"),
    Need.BEREAVEMENT: gettext_lazy("Bereavement"),
    Need.LONG_TERM_CONDITION: gettext_lazy("Managing a long-term condition"),
    Need.WEIGHT_AND_DIET: gettext_lazy("Weight and healthy eating"),
    Need.SUBSTANCE_USE: gettext_lazy("Alcohol, smoking or drugs"),
    Need.DIGITAL: gettext_lazy("Getting online"),
    Need.TRANSPORT: gettext_lazy("Transport and getting about"),
    Need.LEGAL: gettext_lazy("Legal, benefits and immigration advice"),
    Need.OTHER: gettext_lazy("Other"),
}


class SelfReferralForm(ReferralForm):
    """The referral form in the person's own words (and language), with two invisible
    anti-spam fields."""

    website = forms.CharField(required=False, label="Leave this empty")  # honeypot
    stamp = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, practices, **kwargs):
        super().__init__(
            *args,
            destinations=[(p.parent, p) for p in practices],
            can_choose_source=False,
            **kwargs,
        )
        self.fields["stamp"].initial = form_stamp()
        self.fields["destination"].choices = [("", _("Choose your practice"))] + [
            (key, origin.name) for key, (_pcn, origin) in self.destinations.items()
        ]
        self.fields["destination"].widget = forms.Select(
            attrs={"class": "nhsuk-select"}, choices=self.fields["destination"].choices
        )
        labels = {
            "destination": _("Your GP practice"),
            "given_name": _("First name"),
            "family_name": _("Last name"),
            "dob_day": _("Day"),
            "dob_month": _("Month"),
            "dob_year": _("Year"),
            "nhs_number": _("NHS number"),
            "address": _("Address"),
            "postcode": _("Postcode"),
            "phone": _("Phone number"),
            "email": _("Email address"),
            "preferred_contact": _("How would you like us to contact you?"),
            "preferred_language": _("Your preferred language"),
            "interpreter_needed": _("I need an interpreter"),
            "accessibility_needs": _("Anything that would help us communicate with you"),
            "reasons": _("What would you like help with?"),
            "details": _("Tell us a little about what would help"),
            "consent_given": _(
                "I agree to the social prescribing team at my GP practice's network contacting "
                "me and keeping these details"
            ),
        }
        for name, label in labels.items():
            if name in self.fields:
                self.fields[name].label = label
        self.fields["nhs_number"].help_text = _("10 digits, like 943 476 5919")
        self.fields["reasons"].help_text = _("Select all that apply.")
        if "address" in self.fields:
            self.fields["address"].help_text = _("House, street and town, without the postcode.")
        self.fields["preferred_contact"].choices = list(CONTACT_WORDS.items())
        self.fields["reasons"].choices = [(code, NEED_WORDS.get(code, code)) for code in Need]
        self.fields["consent_given"].error_messages["required"] = _(
            "Tick the box to agree, so the team can contact you"
        )
        del self.fields["urgency"]


class SendPageForm(NHSFormMixin, forms.Form):
    """How the link to the person's own page goes: text or email, and whether a code goes too."""

    channel = forms.ChoiceField(label="Send it by", widget=forms.RadioSelect)
    with_code = forms.BooleanField(
        label="Also send a six-digit code the other way, which they need to open it",
        required=False,
    )

    def __init__(self, *args, person, **kwargs):
        super().__init__(*args, **kwargs)
        words = {TEXT: "Text to", EMAIL: "Email to"}
        found = channels(person)
        self.fields["channel"].choices = [(c, f"{words[c]} {where}") for c, where in found]
        if found:
            self.fields["channel"].initial = found[0][0]
        if len(found) < 2:
            del self.fields["with_code"]

    def clean(self):
        data = super().clean()
        data.setdefault("with_code", False)
        return data
