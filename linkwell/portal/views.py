"""Public pages for the person: the self-referral form."""

from django.core.exceptions import ValidationError
from django.shortcuts import render

from linkwell.accounts.models import Organisation, OrganisationKind
from linkwell.cases import services

from . import abuse
from .forms import SelfReferralForm


def self_referral(request):
    practices = Organisation.objects.filter(kind=OrganisationKind.PRACTICE).select_related("parent")
    form = SelfReferralForm(request.POST or None, practices=practices.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            abuse.check(
                ip=request.META.get("REMOTE_ADDR"), honeypot=data["website"], stamp=data["stamp"]
            )
            pcn, practice = form.destinations[data["destination"]]
            services.make_referral(
                pcn=pcn,
                person=form.person_details(),
                source="self",
                reasons=data["reasons"],
                consent_given=data["consent_given"],
                by=None,
                details=f"GP practice: {practice.name}\n{data['details']}".strip(),
            )
        except abuse.Refused as refused:
            form.add_error(None, str(refused))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return render(request, "portal/self_referral_sent.html", {"pcn": pcn})
    status = 422 if form.errors else 200
    return render(request, "portal/self_referral.html", {"form": form}, status=status)
