from django import forms

from linkwell.cases.forms import ReferralForm

from .abuse import form_stamp


class SelfReferralForm(ReferralForm):
    """The referral form in the person's own words, with two invisible anti-spam fields."""

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
        self.fields["destination"].label = "Your GP practice"
        self.fields["destination"].choices = [("", "Choose your practice")] + [
            (key, origin.name) for key, (_, origin) in self.destinations.items()
        ]
        self.fields["destination"].widget = forms.Select(
            attrs={"class": "nhsuk-select"}, choices=self.fields["destination"].choices
        )
        self.fields["reasons"].label = "What would you like help with?"
        self.fields["details"].label = "Tell us a little about what would help (optional)"
        self.fields["consent_given"].label = (
            "I agree to the social prescribing team at my GP practice's network contacting me "
            "and keeping these details"
        )
        self.fields["consent_given"].error_messages["required"] = (
            "Tick the box to agree, so the team can contact you"
        )
        del self.fields["urgency"]
