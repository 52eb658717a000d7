from datetime import date

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from linkwell.accounts.access import record_id
from linkwell.forms import NHSFormMixin
from linkwell.people.models import ContactMethod, Ethnicity, Sex
from linkwell.people.services import PersonDetails, check_details

from .lifecycle import CLOSED, TRANSITIONS, Status
from .models import ContactMode, GoalStatus, ReferralSource, Urgency
from .needs import Need
from .timeline import Kind

# The referral form's fields that are the person's details (PersonDetails), checked together.
PERSON_FIELDS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "nhs_number",
    "sex",
    "gender_identity",
    "ethnicity",
    "address",
    "postcode",
    "gp_practice_code",
    "phone",
    "email",
    "preferred_contact",
    "preferred_language",
    "accessibility_needs",
)


class ReferralForm(NHSFormMixin, forms.Form):
    destination = forms.ChoiceField(label="Refer to", required=True)
    source = forms.ChoiceField(
        label="Where the referral comes from",
        choices=ReferralSource.choices,
        widget=forms.RadioSelect,
        initial=ReferralSource.GP_PRACTICE,
    )
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    dob_day = forms.IntegerField(label="Day", min_value=1, max_value=31)
    dob_month = forms.IntegerField(label="Month", min_value=1, max_value=12)
    dob_year = forms.IntegerField(label="Year", min_value=1900)
    nhs_number = forms.CharField(
        label="NHS number", required=False, max_length=12, help_text="10 digits, like 943 476 5919"
    )
    sex = forms.ChoiceField(choices=Sex.choices, initial=Sex.NOT_KNOWN, required=False)
    gender_identity = forms.CharField(
        label="Gender, in their own words", required=False, max_length=100
    )
    ethnicity = forms.ChoiceField(
        choices=Ethnicity.choices, initial=Ethnicity.NOT_STATED, required=False
    )
    address = forms.CharField(
        label="Address",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="House, street and town, without the postcode. If you leave it out, the "
        "link worker will add it.",
    )
    postcode = forms.CharField(required=False, max_length=8)
    gp_practice_code = forms.CharField(
        label="GP practice ODS code",
        required=False,
        max_length=6,
        help_text="Like A81001. A practice referring its own patient can leave this out.",
    )
    phone = forms.CharField(label="Phone number", required=False, max_length=30)
    email = forms.EmailField(label="Email address", required=False)
    preferred_contact = forms.ChoiceField(
        label="How they would like to be contacted",
        choices=ContactMethod.choices,
        widget=forms.RadioSelect,
        initial=ContactMethod.PHONE,
    )
    preferred_language = forms.CharField(initial="English", max_length=60)
    interpreter_needed = forms.BooleanField(label="They need an interpreter", required=False)
    accessibility_needs = forms.CharField(
        label="Accessibility or communication needs",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reasons = forms.MultipleChoiceField(
        label="Reasons for referral",
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Select all that apply.",
    )
    details = forms.CharField(
        label="What would help the link worker",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    urgency = forms.ChoiceField(
        choices=Urgency.choices, widget=forms.RadioSelect, initial=Urgency.ROUTINE
    )
    referrer_contact = forms.CharField(
        label="How the link worker can reach you",
        required=False,
        max_length=200,
        help_text="Phone or email. If you leave it out, your Linkwell email address is used.",
    )
    referring_organisation_name = forms.CharField(
        label="Referring organisation",
        required=False,
        max_length=150,
        help_text="For a referral from another agency: the agency's name.",
    )
    consent_given = forms.BooleanField(
        label="The person agrees to be referred to social prescribing",
        required=True,
        error_messages={"required": "The person must agree before you refer them."},
    )

    def __init__(self, *args, destinations, can_choose_source: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.destinations = {str(i): d for i, d in enumerate(destinations)}
        self.fields["destination"].choices = [
            (key, f"{pcn.name} (from {origin.name})" if origin != pcn else pcn.name)
            for key, (pcn, origin) in self.destinations.items()
        ]
        if len(destinations) == 1:
            self.fields["destination"].widget = forms.HiddenInput()
            self.fields["destination"].initial = "0"
        if not can_choose_source:
            del self.fields["source"]
            del self.fields["referring_organisation_name"]

    def where(self) -> dict:
        """The chosen destination as make_referral takes it: the PCN's and the referring
        organisation's ODS codes."""
        pcn, origin = self.destinations[self.cleaned_data["destination"]]
        return {"pcn_code": pcn.ods_code, "origin_code": origin.ods_code}

    @property
    def dob_fields(self):
        return [self["dob_day"], self["dob_month"], self["dob_year"]]

    def clean(self):
        data = super().clean()
        parts = [data.get(k) for k in ("dob_year", "dob_month", "dob_day")]
        if all(parts):
            try:
                dob = date(*parts)
            except (ValueError, OverflowError):  # 31 February; a year past a C long
                self.add_error("dob_day", "Date of birth must be a real date.")
            else:
                if dob > timezone.localdate():
                    self.add_error("dob_year", "Date of birth must be in the past.")
                data["date_of_birth"] = dob
        self._check_person(data)
        return data

    def _check_person(self, data) -> None:
        """The person's details against the record's own rules (NHS number, postcode, phone, a
        way to reach them) now, beside the form's own errors: every problem in one round."""
        given = {
            name: data[name]
            for name in PERSON_FIELDS
            if name in data and data[name] not in ("", None) and name not in self.errors
        }
        try:
            check_details(**given)
        except ValidationError as e:
            for field, messages in e.message_dict.items():
                name = "dob_year" if field == "date_of_birth" else field
                if name in self.errors:
                    continue  # the form has already said what is wrong there
                self.add_error(name if name in self.fields else None, messages)

    def person_details(self) -> PersonDetails:
        d = self.cleaned_data
        return PersonDetails(
            given_name=d["given_name"],
            family_name=d["family_name"],
            date_of_birth=d["date_of_birth"],
            nhs_number=d["nhs_number"],
            sex=d.get("sex") or Sex.NOT_KNOWN,
            gender_identity=d.get("gender_identity", ""),
            ethnicity=d.get("ethnicity") or Ethnicity.NOT_STATED,
            address=d["address"],
            postcode=d["postcode"],
            gp_practice_code=d.get("gp_practice_code", ""),
            phone=d["phone"],
            email=d["email"],
            preferred_contact=d["preferred_contact"],
            preferred_language=d["preferred_language"],
            interpreter_needed=d["interpreter_needed"],
            accessibility_needs=d["accessibility_needs"],
        )


class ContactForm(NHSFormMixin, forms.Form):
    id_prefix = "contact"

    at = forms.DateTimeField(
        label="When",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    )
    mode = forms.ChoiceField(label="How", choices=ContactMode.choices, widget=forms.RadioSelect)
    minutes = forms.IntegerField(label="Minutes", min_value=1, max_value=600)
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class QuickContactForm(NHSFormMixin, forms.Form):
    """A contact made just now, in one step; `next` is the page to go back to."""

    id_prefix = "quick-contact"

    mode = forms.ChoiceField(label="How", choices=ContactMode.choices, widget=forms.RadioSelect)
    minutes = forms.IntegerField(
        label="Minutes",
        required=False,
        min_value=1,
        max_value=600,
        help_text="Not needed for an attempt with no answer.",
        widget=forms.NumberInput(attrs={"class": "nhsuk-input nhsuk-input--width-3"}),
    )
    notes = forms.CharField(
        required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class TimelineFilterForm(NHSFormMixin, forms.Form):
    id_prefix = "timeline"

    kind = forms.MultipleChoiceField(
        label="Show only",
        required=False,
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to see everything.",
    )


class WhatMattersForm(NHSFormMixin, forms.Form):
    id_prefix = "what-matters"

    what_matters = forms.CharField(
        label="What matters to the person",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="In their own words.",
    )
    strengths = forms.CharField(
        label="Strengths and what is going well",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    needs = forms.MultipleChoiceField(
        label="Needs identified",
        required=False,
        choices=Need.choices,
        widget=forms.CheckboxSelectMultiple,
    )


class CarePlanForm(NHSFormMixin, forms.Form):
    id_prefix = "plan"

    summary = forms.CharField(
        label="Plan agreed with the person",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    review_on = forms.DateField(
        label="Review date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class GoalForm(NHSFormMixin, forms.Form):
    id_prefix = "goal"

    description = forms.CharField(label="Goal", max_length=500)
    target_date = forms.DateField(
        label="Target date", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class GoalStatusForm(NHSFormMixin, forms.Form):
    status = forms.ChoiceField(choices=GoalStatus.choices)


class ActionForm(NHSFormMixin, forms.Form):
    description = forms.CharField(label="Action", max_length=500)
    owner = forms.CharField(label="Who will do it", max_length=100, initial="The person")


class TaskForm(NHSFormMixin, forms.Form):
    id_prefix = "task"

    title = forms.CharField(label="Follow-up", max_length=200)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))


class FollowUpAdviceForm(NHSFormMixin, forms.Form):
    id_prefix = "follow-up"

    follow_up_advice = forms.CharField(
        label="Follow-up advice for the GP and referrer",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What should happen next, and who to contact. Sent in the message back.",
    )


class AddressForm(NHSFormMixin, forms.Form):
    id_prefix = "address"

    address = forms.CharField(
        label="Address",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="House, street and town, without the postcode.",
    )
    postcode = forms.CharField(max_length=8)


class GpPracticeForm(NHSFormMixin, forms.Form):
    id_prefix = "gp-practice"

    gp_practice_code = forms.CharField(
        label="GP practice ODS code",
        max_length=6,
        help_text="Like A81001; V81997 if they are not registered with a GP, V81999 if not known.",
    )


class RiskForm(NHSFormMixin, forms.Form):
    id_prefix = "risk"

    no_known_risks = forms.BooleanField(label="No known risks", required=False)
    description = forms.CharField(
        label="Risk to the person or to others",
        required=False,
        max_length=150,
        help_text="For example: self-neglect, risk of falls, risk to others.",
    )
    started_on = forms.DateField(
        label="Since", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        label="Ended", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    comment = forms.CharField(label="Comment", required=False, max_length=150)


class TransitionForm(NHSFormMixin, forms.Form):
    id_prefix = "transition"

    to = forms.ChoiceField(label="New status", widget=forms.RadioSelect)
    note = forms.CharField(
        label="Reason or note",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the moves the lifecycle allows from here.
        self.fields["to"].choices = [
            (s.value, s.label) for s in Status if s in TRANSITIONS[Status(current)]
        ]


class BulkForm(NHSFormMixin, forms.Form):
    """The caseload's bulk actions on the cases ticked in its tables."""

    id_prefix = "bulk"

    ASSIGN, CLOSE = "assign", "close"

    cases = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": "Select at least one case.",
            "invalid_choice": "One of the cases selected is not on your caseload.",
        },
    )
    action = forms.ChoiceField(choices=[(ASSIGN, "Assign"), (CLOSE, "Close")])
    link_worker = forms.ModelChoiceField(
        label="Assign to", queryset=None, required=False, empty_label="Choose a link worker"
    )
    to = forms.ChoiceField(
        label="Close as",
        required=False,
        choices=[("", "Choose how they ended")]
        + [(s.value, s.label) for s in Status if s in CLOSED],
    )
    note = forms.CharField(label="Reason or note", required=False, max_length=5000)

    def __init__(self, *args, cases, link_workers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cases"].queryset = cases.select_related("person")
        self.fields["link_worker"].queryset = link_workers
        self.fields["link_worker"].label_from_instance = lambda u: u.get_full_name() or u.username

    @property
    def selected(self) -> set[int]:
        """The cases ticked when the form came back, so a refused action keeps the ticks."""
        if not self.is_bound:
            return set()
        return {pk for pk in map(record_id, self.data.getlist("cases")) if pk is not None}

    def clean(self):
        data = super().clean()
        if data.get("action") == self.ASSIGN and not data.get("link_worker"):
            self.add_error("link_worker", "Choose who to assign the cases to.")
        if data.get("action") == self.CLOSE and not data.get("to"):
            self.add_error("to", "Choose how the cases ended.")
        return data
