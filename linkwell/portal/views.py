"""Public pages for the person: the self-referral form, and their own page through a link.
Staff send that link from the case page. Thin: parse, call a service, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linkwell.accounts import audit
from linkwell.accounts.access import visible_or_404
from linkwell.accounts.decorators import requires
from linkwell.accounts.models import AuditAction, Organisation, OrganisationKind
from linkwell.accounts.permissions import Capability
from linkwell.accounts.secrets_store import LinkRefused
from linkwell.cases import services
from linkwell.cases.models import Case
from linkwell.client_address import client_address
from linkwell.outcomes.services import OutcomeError

from . import abuse, person_page, shown
from .forms import SelfReferralForm, SendPageForm
from .languages import public_page, use_person_language


@public_page
def self_referral(request):
    practices = Organisation.objects.filter(kind=OrganisationKind.PRACTICE).select_related("parent")
    form = SelfReferralForm(request.POST or None, practices=practices.order_by("name"))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            abuse.check(ip=client_address(request), honeypot=data["website"], stamp=data["stamp"])
            referral, _ = services.make_referral(
                **form.where(),
                person=form.person_details(),
                reasons=data["reasons"],
                consent_given=data["consent_given"],
                by=None,
                details=data["details"],
            )
        except abuse.Refused as refused:
            form.add_error(None, str(refused))
        except ValidationError as e:
            form.add_service_error(e)
        else:
            return render(request, "portal/self_referral_sent.html", {"pcn": referral.organisation})
    status = 422 if form.errors else 200
    return render(request, "portal/self_referral.html", {"form": form}, status=status)


# ---- the person's own page -------------------------------------------------------------


@require_POST
@requires(Capability.MANAGE_CASES)
def send_page(request, pk):
    case = visible_or_404(
        Case.objects.visible_to(request.user).select_related("person"), pk, request.user
    )
    form = SendPageForm(request.POST, person=case.person)
    if form.is_valid():
        try:
            link = person_page.send_link(case=case, by=request.user, **form.cleaned_data)
        except ValidationError as e:
            messages.error(request, " ".join(sum(e.message_dict.values(), [])))
        else:
            how = "text" if link.channel == person_page.TEXT else "email"
            messages.success(
                request,
                f"{case.person.given_name}'s page link was sent by {how}"
                + (", and the code separately." if link.code_hash else "."),
            )
    else:
        messages.error(request, "Choose how to send the link.")
    return redirect(reverse("cases:case_connections", args=[pk]) + "#person-page")


def _refused(request, error: LinkRefused):
    text = {
        "unknown": _("Check it was copied in full, or ask your link worker for a new one."),
        "used": _(
            "This link has already been used. For your security it works only once: ask "
            "your link worker to send you a new one."
        ),
        "expired": _("This link has expired. Ask your link worker to send you a new one."),
        "case closed": _(
            "Your support from the social prescribing team has ended, so this page "
            "is no longer available. Contact your GP practice if you would like "
            "more help."
        ),
        "ended": _(
            "Your page closes after a short time, to keep it private. Ask your link "
            "worker to send you a new link."
        ),
        "no such measure": _("This questionnaire is no longer waiting for you."),
    }.get(error.reason, _("Please try again."))
    return render(
        request,
        "portal/person_refused.html",
        {"reason": error.reason, "text": text},
        status=error.status,
    )


@public_page
def person_link(request, token):
    """The link from the message: a button to open the page (and the code, if one was sent).
    GET changes nothing, so a link preview cannot use it up."""
    visit = person_page.current(request)
    if visit is not None and visit.link_id == person_page.link_id_for(token):
        return redirect("portal:person_page")  # opened already, on this device
    try:
        link = person_page.check_link(token)
    except LinkRefused as e:
        person = person_page.person_for(token)
        if person is not None:
            use_person_language(request, person)
        return _refused(request, e)
    use_person_language(request, link.case.person)
    wrong = False
    if request.method == "POST":
        try:
            link = person_page.exchange(token=token, code=request.POST.get("code", ""))
        except LinkRefused as e:
            if e.reason != "wrong code":
                return _refused(request, e)
            wrong = True
        else:
            person_page.start_session(request, link)
            return redirect("portal:person_page")
    return render(
        request,
        "portal/person_open.html",
        {
            "token": token,
            "needs_code": bool(link.code_hash),
            "wrong": wrong,
            "first_name": link.case.person.given_name,
        },
        status=422 if wrong else 200,
    )


@public_page
def person_view(request):
    visit = person_page.current(request)
    if visit is None:
        return _refused(request, LinkRefused("ended", status=410))
    case = visit.case
    use_person_language(request, case.person)
    audit.record(
        user=None,
        action=AuditAction.VIEW,
        obj=case,
        person_id=case.person_id,
        via="person's own page",
    )
    return render(
        request,
        "portal/person_page.html",
        {**shown.page(case), "case": case, "until": visit.until},
    )


@require_POST
@public_page
def person_measure(request):
    visit = person_page.current(request)
    if visit is None:
        return _refused(request, LinkRefused("ended", status=410))
    use_person_language(request, visit.case.person)
    try:
        token = person_page.start_measure(case=visit.case, link_id=request.POST.get("measure"))
    except LinkRefused as e:
        return _refused(request, e)
    except OutcomeError:
        return _refused(request, LinkRefused("no such measure", status=409))
    return redirect("outcomes:self_complete", token=token)


@require_POST
@public_page
def person_close(request):
    person_page.end_session(request)
    return render(request, "portal/person_closed.html")
