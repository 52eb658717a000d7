from django import forms

from linkwell.forms import NHSFormMixin

from .models import Role
from .permissions import managed_organisations


class SignInForm(NHSFormMixin, forms.Form):
    username = forms.CharField(
        max_length=150, widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


CODE = dict(
    label="Code from your authenticator app",
    max_length=10,
    help_text="The 6 digits it shows now",
    widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
)


class TwoFactorForm(NHSFormMixin, forms.Form):
    code = forms.CharField(**CODE)


class PasswordResetForm(NHSFormMixin, forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="The one your Linkwell account uses",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class AccountLinkForm(NHSFormMixin, forms.Form):
    """What an emailed link asks for: a new password, a new authenticator's code, or both."""

    password = forms.CharField(
        label="New password",
        help_text="At least 12 characters, not a common password",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label="New password again",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    code = forms.CharField(**CODE)

    def __init__(self, *args, steps, **kwargs):
        super().__init__(*args, **kwargs)
        if not steps.password:
            del self.fields["password"], self.fields["password_again"]
        if not steps.code:
            del self.fields["code"]

    def clean(self):
        data = super().clean()
        if "password" in self.fields and data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The passwords are not the same.")
        return data


class _InOrganisation(NHSFormMixin, forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, empty_label="Choose an organisation")
    role = forms.ChoiceField(choices=[("", "Choose a role"), *Role.choices])

    def __init__(self, *args, admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = managed_organisations(admin)


class RoleForm(_InOrganisation):
    pass


class InviteForm(_InOrganisation):
    email = forms.EmailField(label="Email address", help_text="The invitation goes here")
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    field_order = ["first_name", "last_name", "email", "organisation", "role"]


class ServiceAccountForm(_InOrganisation):
    name = forms.CharField(
        max_length=100, help_text="The system that will use it, for example EMIS bridge"
    )
    field_order = ["name", "organisation", "role"]


class InboxDigestForm(NHSFormMixin, forms.Form):
    inbox_digest = forms.BooleanField(
        label="Email me each morning how many items wait in Today",
        required=False,
    )
